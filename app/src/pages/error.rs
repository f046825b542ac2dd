//! How a page shows a failed data load.

use leptos::prelude::*;

use crate::{error::AppError, i18n::use_locale, t};

/// A short, honest message for a load that failed. On the server it also sets
/// the response status, so crawlers and caches see the failure too.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
        if let Some(seconds) = error.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
    view! {
        <div role="alert" class="mt-6 rounded-md border border-rule p-4">
            <p class="font-medium">{t!(locale, "error-heading")}</p>
            <p class="mt-1 text-sm text-muted">{error.localized(locale)}</p>
        </div>
    }
}
