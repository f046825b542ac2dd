//! The frame around every page: header with navigation, footer with the
//! language switch.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{
    auth::{Logout, current_user},
    components::theme::ThemeToggle,
    i18n::{Locale, use_locale},
    site::SITE_NAME,
    t,
};

/// Site name, main navigation and the theme switch.
#[component]
pub fn Header() -> impl IntoView {
    let locale = use_locale();
    view! {
        <header class="border-b border-rule bg-paper/95">
            <nav
                aria-label=t!(locale, "nav-main")
                class="mx-auto flex w-full max-w-3xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-4 sm:px-6"
            >
                <A href=locale.href("/") attr:class="mr-auto font-serif text-2xl font-bold tracking-tight text-ink no-underline">
                    {SITE_NAME}
                </A>
                <ul class="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm font-medium">
                    <li>
                        <A href=locale.href("/") attr:class="nav-link">{t!(locale, "nav-latest")}</A>
                    </li>
                    <li>
                        <A href=locale.href("/popular") attr:class="nav-link">{t!(locale, "nav-popular")}</A>
                    </li>
                    <li>
                        <A href=locale.href("/search") attr:class="nav-link">{t!(locale, "nav-search")}</A>
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
    let locale = use_locale();
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
                        <li><A href=locale.href("/editor") attr:class="nav-link">{t!(locale, "nav-write")}</A></li>
                        <li>
                            <a href=locale.href(&format!("/@{}", user.username)) class="font-medium text-ink" data-testid="signed-in-as">
                                {user.username.clone()}
                            </a>
                        </li>
                        <li><A href=locale.href("/settings") attr:class="nav-link">{t!(locale, "nav-settings")}</A></li>
                        <li>
                            <ActionForm action=logout>
                                <button type="submit" class="nav-link cursor-pointer">{t!(locale, "nav-sign-out")}</button>
                            </ActionForm>
                        </li>
                    }
                    .into_any(),
                    _ => view! {
                        <li><A href=locale.href("/login") attr:class="nav-link">{t!(locale, "nav-sign-in")}</A></li>
                        <li><A href=locale.href("/register") attr:class="nav-link">{t!(locale, "nav-register")}</A></li>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The footer, with the switch to this page in the other language.
#[component]
pub fn Footer() -> impl IntoView {
    let locale = use_locale();
    view! {
        <footer class="border-t border-rule">
            <div class="mx-auto flex w-full max-w-3xl flex-wrap justify-between gap-2 px-4 py-6 text-sm text-muted sm:px-6">
                <p>{SITE_NAME} " — " {t!(locale, "site-tagline")}</p>
                <LanguageSwitch />
                <p>
                    <a href="#main" class="underline-offset-4 hover:underline">{t!(locale, "back-to-top")}</a>
                </p>
            </div>
        </footer>
    }
}

/// Whether a query's `name=value` pair goes with the page into the other
/// language: what picks the listing (`page`, `period`, the search's `q`),
/// not what steers or refills a form (`next`, `__err`).
fn kept_in_twin(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or_default();
    matches!(name, "page" | "period" | "q")
}

/// Links to the page being read in each language, the current one marked.
/// The browser follows them as ordinary links (`rel="external"` keeps the
/// router out): the other language is another page, with its own router
/// base, and the choice is kept by the links inside it, not in a cookie.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let kept: Vec<&str> = search.split('&').filter(|pair| kept_in_twin(pair)).collect();
        let query = if kept.is_empty() { "" } else { "?" };
        format!("{}{query}{}", location.pathname.get(), kept.join("&"))
    };
    view! {
        <nav aria-label=t!(locale, "language-switch")>
            <ul class="flex gap-3" data-testid="language-switch">
                {Locale::ALL
                    .into_iter()
                    .map(|other| {
                        view! {
                            <li>
                                <a
                                    href=move || other.href(&here())
                                    hreflang=other.code()
                                    lang=other.code()
                                    rel="external"
                                    aria-current=(other == locale).then_some("true")
                                    class=if other == locale {
                                        "font-semibold text-ink no-underline"
                                    } else {
                                        "underline-offset-4 hover:underline"
                                    }
                                >
                                    {other.name()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
