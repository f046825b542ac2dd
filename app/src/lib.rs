//! Warta's Leptos application: the page shell, routes, components and the
//! server functions pages load their data through.
//!
//! The crate compiles twice: with `ssr` for the server (database access lives
//! in [`ssr`]) and with `hydrate` for the browser, where only the components
//! and the client halves of the server functions exist.

pub mod auth;
pub mod comments;
pub mod components;
pub mod domain;
pub mod error;
pub mod favorites;
pub mod following;
pub mod forms;
pub mod i18n;
pub mod model;
pub mod moderation;
pub mod page_data;
pub mod pages;
pub mod recovery;
pub mod routing;
pub mod site;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod writing;

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::layout::{Footer, Header};
use crate::{
    i18n::{Locale, use_locale},
    pages::{
        account::{LoginPage, RegisterPage, SettingsPage},
        article::ArticlePage,
        author::{AuthorPage, FavoritesPage},
        blocked::BlockedPage,
        editor::{DeletePage, EditorPage},
        following::FollowingPage,
        home::HomePage,
        moderation::{ModerationAccountPage, ModerationPage, ReportPage},
        not_found::NotFound,
        popular::PopularPage,
        recovery::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage},
        search::SearchPage,
        tag::TagPage,
        unsubscribe::UnsubscribePage,
    },
    routing::AuthorSegment,
    site::SITE_NAME,
};

/// The HTML document around the app. Rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = page_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link id="warta" rel="stylesheet" href=stylesheet_href(&options) />
                <Hydration options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-paper text-ink antialiased">
                <App />
            </body>
        </html>
    }
}

/// Loads the wasm bundle and hydrates the page once it has loaded and the
/// browser is idle (a two-second backstop for pages that never are).
///
/// Leptos's `HydrationScripts` starts fetching the bundle (half a megabyte
/// compressed) with the page, as a preload, where it competes with what
/// paints the page: Lighthouse's mobile LCP was 3.2 s with it, the bundle's
/// download time on a slow network. The page is whole and usable before
/// hydration (every form works without JavaScript), so the bundle waits.
#[component]
fn Hydration(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = bundle_paths(&options);
    let script = format!(
        "const hydrate = () => import({js:?}).then((bundle) => \
             bundle.default({{ module_or_path: {wasm:?} }}).then(() => bundle.hydrate()));\n\
         const idle = () => \"requestIdleCallback\" in window \
             ? window.requestIdleCallback(hydrate, {{ timeout: 2000 }}) : setTimeout(hydrate);\n\
         if (document.readyState === \"complete\") idle(); else addEventListener(\"load\", idle, {{ once: true }});"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// The URLs of the bundle's JavaScript and wasm, with their content hashes
/// when assets are hashed; read once, like [`stylesheet_href`].
#[cfg(feature = "ssr")]
fn bundle_paths(options: &LeptosOptions) -> &'static (String, String) {
    static PATHS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    PATHS.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| {
                let path = std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref());
                std::fs::read_to_string(path).ok()
            })
            .flatten()
            .unwrap_or_default();
        let hash_of = |kind: &str| {
            hashes.lines().find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == kind).then(|| format!(".{}", hash.trim()))
            })
        };
        let base = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        let js = format!("{base}{}.js", hash_of("js").unwrap_or_default());
        // Unhashed, cargo-leptos names the wasm after the output (it sets
        // LEPTOS_OUTPUT_NAME); wasm-bindgen alone adds `_bg`.
        let wasm = match hash_of("wasm") {
            Some(hash) => format!("{base}{hash}.wasm"),
            None if option_env!("LEPTOS_OUTPUT_NAME").is_some() => format!("{base}.wasm"),
            None => format!("{base}_bg.wasm"),
        };
        (js, wasm)
    })
}

#[cfg(not(feature = "ssr"))]
fn bundle_paths(_options: &LeptosOptions) -> &'static (String, String) {
    unreachable!("the shell is rendered on the server only")
}

/// The stylesheet's URL, with its content hash when assets are hashed.
///
/// leptos_meta's `HashedStylesheet` reads `hash.txt` on every render; the
/// name cannot change while the process runs, so it is read once.
#[cfg(feature = "ssr")]
fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| {
                let path = std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref());
                let hashes = std::fs::read_to_string(path).ok()?;
                hashes
                    .lines()
                    .find_map(|line| line.strip_prefix("css:").map(|hash| hash.trim().to_owned()))
            })
            .flatten();
        match hash {
            Some(hash) => format!("/{}/{}.{hash}.css", options.site_pkg_dir, options.output_name),
            None => format!("/{}/{}.css", options.site_pkg_dir, options.output_name),
        }
    })
}

#[cfg(not(feature = "ssr"))]
fn stylesheet_href(_options: &LeptosOptions) -> &'static str {
    unreachable!("the shell is rendered on the server only")
}

/// The application: layout around the routed page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();
    // Fixed for the page's life: the language switch is a link the browser
    // follows (a whole new page), and links inside a language stay in it.
    let locale = page_locale();
    provide_context(locale);

    view! {
        <Title formatter=|title: String| {
            title_text(if title.is_empty() { SITE_NAME.to_owned() } else { format!("{title} · {SITE_NAME}") })
        } />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Router base=locale.base()>
            <Frame />
        </Router>
    }
}

/// Everything inside the router: the layout and the routes.
#[component]
fn Frame() -> impl IntoView {
    let locale = use_locale();
    view! {
        <a href="#main" class="skip-link">{t!(locale, "skip-to-content")}</a>
        <div class="flex min-h-screen flex-col">
            <Header />
            <main id="main" class="mx-auto w-full max-w-3xl flex-1 px-4 py-8 sm:px-6">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("popular") view=PopularPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("register") view=RegisterPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("settings"), StaticSegment("blocked"))
                        view=BlockedPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("moderation") view=ModerationPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("moderation"), StaticSegment("account"))
                        view=ModerationAccountPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("report") view=ReportPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("reset-password"), ParamSegment("token"))
                        view=ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("verify-email"), ParamSegment("token"))
                        view=VerifyEmailPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("editor") view=EditorPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("editor"), ParamSegment("slug"))
                        view=EditorPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("editor"), ParamSegment("slug"), StaticSegment("delete"))
                        view=DeletePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("articles"), ParamSegment("slug"))
                        view=ArticlePage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("following") view=FollowingPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("tags"), ParamSegment("tag")) view=TagPage ssr=SsrMode::Async />
                    <Route path=(AuthorSegment, StaticSegment("favorites")) view=FavoritesPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("unsubscribe"), ParamSegment("token"))
                        view=UnsubscribePage
                        ssr=SsrMode::Async
                    />
                    <Route path=AuthorSegment view=AuthorPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <Footer />
        </div>
    }
}

/// The language of the page being rendered, from its path (see
/// [`i18n`]): the request's on the server, the address bar's in the browser.
#[cfg(feature = "ssr")]
fn page_locale() -> Locale {
    use_context::<http::request::Parts>()
        .map(|parts| Locale::from_path(parts.uri.path()))
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn page_locale() -> Locale {
    Locale::from_path(&window().location().pathname().unwrap_or_default())
}

/// A page title as `<title>` must hold it. leptos_meta writes the server's
/// `<title>` text exactly as given, unescaped, so an article titled
/// `</title><script>…` would end the element and start a script: on the
/// server the text is escaped here, once, for every page (`<title>` reads
/// entities, so readers see the title as written). In the browser the title
/// is set through `document.title`, which takes plain text.
#[cfg(feature = "ssr")]
fn title_text(title: String) -> String {
    html_escape::encode_text(&title).into_owned()
}

#[cfg(not(feature = "ssr"))]
fn title_text(title: String) -> String {
    title
}

/// Marks `<body data-hydrated="true">` once the wasm has taken over the page,
/// so end-to-end tests (and curious readers) can tell hydration happened.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
