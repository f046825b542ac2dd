//! The block button on a profile: blocks or unblocks its account for the
//! signed-in reader (nothing for the account itself or for anyone signed
//! out). A plain POST without JavaScript.

use leptos::prelude::*;

use crate::{
    i18n::use_locale,
    moderation::{SetBlock, block_state},
    t,
};

#[component]
pub fn BlockButton(username: String) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SetBlock>::new();
    let name = username.clone();
    let state = Resource::new(
        move || (name.clone(), action.version().get()),
        |(name, _)| block_state(name),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let username = username.clone();
                Suspend::new(async move {
                    let Ok(Some(blocked)) = state.await else {
                        return ().into_any();
                    };
                    view! {
                        <ActionForm action=action attr:class="inline" attr:data-testid="block-form">
                            <input type="hidden" name="username" value=username.clone() />
                            <input type="hidden" name="block" value=(!blocked).to_string() />
                            <button type="submit" class="button-secondary" aria-pressed=blocked.to_string()>
                                {match blocked {
                                    true => t!(locale, "block-undo", username = username.as_str()),
                                    false => t!(locale, "block-button", username = username.as_str()),
                                }}
                            </button>
                        </ActionForm>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}
