//! The page for paths that lead nowhere, served with status 404.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::{i18n::use_locale, t};

/// A styled 404.
#[component]
pub fn NotFound() -> impl IntoView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text=t!(locale, "not-found-title") />
        <Meta name="robots" content="noindex" />
        <section class="py-16 text-center">
            <p class="font-mono text-sm font-semibold uppercase tracking-widest text-accent">"404"</p>
            <h1 class="mt-2 font-serif text-3xl font-bold tracking-tight sm:text-4xl">{t!(locale, "not-found-title")}</h1>
            <p class="mt-4 text-muted">{t!(locale, "not-found-text")}</p>
            <p class="mt-8">
                <a href=locale.href("/") class="button">{t!(locale, "not-found-back")}</a>
            </p>
        </section>
    }
}
