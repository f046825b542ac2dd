//! `/settings/blocked`: the accounts a reader blocks, each with a button
//! that undoes it. Works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::components::Redirect;

use crate::{
    components::{avatar::Avatar, meta::PageMeta},
    i18n::use_locale,
    moderation::{SetBlock, blocked_accounts},
    pages::error::ErrorNotice,
    t,
};

#[component]
pub fn BlockedPage() -> impl IntoView {
    let locale = use_locale();
    let unblock = ServerAction::<SetBlock>::new();
    let list = Resource::new(move || unblock.version().get(), |_| blocked_accounts());
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "blocked-title") description=String::new() path=locale.href("/settings/blocked") />
        <section class="mx-auto max-w-md">
            <p class="text-sm"><a href=locale.href("/settings") class="nav-link underline">{t!(locale, "blocked-back")}</a></p>
            <h1 class="mt-4 font-serif text-3xl font-bold tracking-tight">{t!(locale, "blocked-title")}</h1>
            <p class="mt-2 text-sm text-muted">{t!(locale, "blocked-intro")}</p>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(Some(blocked)) if blocked.is_empty() => view! {
                            <p class="mt-6" data-testid="blocked-none">{t!(locale, "blocked-none")}</p>
                        }
                        .into_any(),
                        Ok(Some(blocked)) => view! {
                            <ul class="mt-6 divide-y divide-rule" data-testid="blocked">
                                {blocked.into_iter().map(|account| view! {
                                    <li class="flex items-center gap-3 py-3">
                                        <Avatar image=account.image size=32 />
                                        <span class="flex-1">
                                            <span class="font-medium">{account.username.clone()}</span>
                                            <span class="block text-sm text-muted">
                                                {t!(locale, "blocked-since", date = locale.date(account.since))}
                                            </span>
                                        </span>
                                        <ActionForm action=unblock>
                                            <input type="hidden" name="username" value=account.username.clone() />
                                            <input type="hidden" name="block" value="false" />
                                            <button type="submit" class="button-secondary">
                                                {t!(locale, "block-undo", username = account.username.as_str())}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Ok(None) => view! { <Redirect path=locale.href("/login?next=/settings/blocked") /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
