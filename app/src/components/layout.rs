//! The frame around every page: header with navigation, footer.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{
    auth::{Logout, current_user},
    components::theme::ThemeToggle,
    site::SITE_NAME,
};

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
                <ul class="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm font-medium">
                    <li>
                        <A href="/" attr:class="nav-link">"Latest"</A>
                    </li>
                    <li>
                        <A href="/popular" attr:class="nav-link">"Popular"</A>
                    </li>
                    <li>
                        <A href="/search" attr:class="nav-link">"Search"</A>
                    </li>
                    <AccountLinks />
                </ul>
                <ThemeToggle />
            </nav>
        </header>
    }
}

/// Sign-in and register links, or the signed-in user and a sign-out button
/// (a POST: following a link never changes anything).
#[component]
fn AccountLinks() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let location = use_location();
    // Asked again after every navigation (signing in ends in one) and
    // after signing out.
    let user = Resource::new(
        move || (location.pathname.get(), logout.version().get()),
        |_| current_user(),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! {
                        <li><A href="/editor" attr:class="nav-link">"Write"</A></li>
                        <li>
                            <a href=format!("/@{}", user.username) class="font-medium text-ink" data-testid="signed-in-as">
                                {user.username.clone()}
                            </a>
                        </li>
                        <li><A href="/settings" attr:class="nav-link">"Settings"</A></li>
                        <li>
                            <ActionForm action=logout>
                                <button type="submit" class="nav-link cursor-pointer">"Sign out"</button>
                            </ActionForm>
                        </li>
                    }
                    .into_any(),
                    _ => view! {
                        <li><A href="/login" attr:class="nav-link">"Sign in"</A></li>
                        <li><A href="/register" attr:class="nav-link">"Register"</A></li>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
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
