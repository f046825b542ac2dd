//! The frame around every page: header with navigation, footer.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{SITE_NAME, components::theme::ThemeToggle};

/// Site name, main navigation and the theme switch.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="border-b border-rule bg-paper/95">
            <nav
                aria-label="Main"
                class="mx-auto flex w-full max-w-3xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-4 sm:px-6"
            >
                <A href="/" attr:class="mr-auto font-serif text-2xl font-bold tracking-tight text-ink no-underline">
                    {SITE_NAME}
                </A>
                <ul class="flex items-center gap-4 text-sm font-medium">
                    <li>
                        <A href="/" attr:class="nav-link">"Latest"</A>
                    </li>
                    <li>
                        <A href="/popular" attr:class="nav-link">"Popular"</A>
                    </li>
                </ul>
                <ThemeToggle />
            </nav>
        </header>
    }
}

/// The footer.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="border-t border-rule">
            <div class="mx-auto flex w-full max-w-3xl flex-wrap justify-between gap-2 px-4 py-6 text-sm text-muted sm:px-6">
                <p>{SITE_NAME} " — a home for writing worth reading."</p>
                <p>
                    <a href="#main" class="underline-offset-4 hover:underline">"Back to top"</a>
                </p>
            </div>
        </footer>
    }
}
