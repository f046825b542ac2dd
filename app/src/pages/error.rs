//! How a page shows a failed data load.

use leptos::prelude::*;

use crate::{
    error::AppError,
    i18n::{Locale, use_locale},
    t,
};

/// A short, honest message for a load that failed. On the server it also sets
/// the response status, so crawlers and caches see the failure too.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    view! {
        <div role="alert" class="mt-6 rounded-md border border-rule p-4">
            <p class="font-medium">{t!(locale, "error-heading")}</p>
            <p class="mt-1 text-sm text-muted">{reason(locale, &error)}</p>
        </div>
    }
}

/// What went wrong, in the reader's language. A failed call's own message
/// comes from server_fn and stays as it is.
fn reason(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::NotFound => t!(locale, "error-not-found"),
        AppError::Forbidden => t!(locale, "error-forbidden"),
        AppError::Internal => t!(locale, "error-internal"),
        AppError::ServerFn(_) => error.to_string(),
    }
}
