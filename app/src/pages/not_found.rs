//! The page for paths that lead nowhere, served with status 404.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// A styled 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found" />
        <Meta name="robots" content="noindex" />
        <section class="py-16 text-center">
            <p class="font-mono text-sm font-semibold uppercase tracking-widest text-accent">"404"</p>
            <h1 class="mt-2 font-serif text-3xl font-bold tracking-tight sm:text-4xl">"Page not found"</h1>
            <p class="mt-4 text-muted">"We couldn't find what you were looking for. It may have moved or never existed."</p>
            <p class="mt-8">
                <a href="/" class="button">"Back to the latest stories"</a>
            </p>
        </section>
    }
}
