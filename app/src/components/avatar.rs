//! A person's picture beside their name: on their profile, on their
//! articles and on their comments.

use leptos::prelude::*;

/// A person's picture (their profile image), or nothing when they gave
/// none. Decorative: their name is always beside it.
#[component]
pub fn Avatar(image: Option<String>, size: u32) -> impl IntoView {
    image.map(|src| {
        view! {
            <img
                src=src
                alt=""
                width=size
                height=size
                loading="lazy"
                decoding="async"
                referrerpolicy="no-referrer"
                class="avatar"
                data-testid="avatar"
            />
        }
    })
}
