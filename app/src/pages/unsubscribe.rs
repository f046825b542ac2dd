//! `/unsubscribe/{token}`: the page an email's unsubscribe link opens. One
//! button, a POST to the same URL (which is also the RFC 8058 one-click
//! address mail programs POST to); the server handles it
//! (`server/src/http/routes/unsubscribe.rs`) and comes back here.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::{
    components::meta::PageMeta, error::AppError, following::subscription, i18n::use_locale, pages::error::ErrorNotice,
    t,
};

/// Stops the emails one follow brings.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    // The link is someone's own: kept by no cache, shown to no search engine.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = Resource::new(token, subscription);

    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                // The form posts to the server's handler, which is not a page:
                // no language prefix (the canonical link gets the page's).
                let action = format!("/unsubscribe/{}", token());
                match details.await {
                    Ok(details) if details.emailed => view! {
                        <PageMeta title=t!(locale, "unsubscribe-title") description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">{t!(locale, "unsubscribe-title")}</h1>
                        <p class="mt-4">{t!(locale, "unsubscribe-question", author = details.author.as_str())}</p>
                        <form method="post" action=action class="mt-6">
                            <button type="submit" class="button">{t!(locale, "unsubscribe-button")}</button>
                        </form>
                    }
                    .into_any(),
                    Ok(details) => view! {
                        <PageMeta title=t!(locale, "unsubscribed-title") description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">{t!(locale, "unsubscribed-title")}</h1>
                        <p class="mt-4" role="status" data-testid="unsubscribed">
                            {format!(
                                "{} {} ",
                                t!(locale, "unsubscribed-no-more-emails", author = details.author.as_str()),
                                t!(locale, "unsubscribed-still-following"),
                            )}
                            <a href=locale.href("/following") class="nav-link">{t!(locale, "unsubscribed-following-tab")}</a>
                            {format!(" {} ", t!(locale, "unsubscribed-follow-again"))}
                            <a href=locale.href(&format!("/@{}", details.author)) class="nav-link">
                                {t!(locale, "unsubscribed-their-page")}
                            </a>
                            {format!(" {}", t!(locale, "unsubscribed-emails-back"))}
                        </p>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => {
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! {
                        <PageMeta title=t!(locale, "unsubscribe-invalid-title") description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">{t!(locale, "unsubscribe-invalid-heading")}</h1>
                        <p class="mt-4">{t!(locale, "unsubscribe-invalid-text")}</p>
                    }
                    .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
