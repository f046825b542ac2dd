//! Server-only code: application state, the query layer, and the caching
//! and counting around it.

pub mod accounts;
pub mod cache;
pub mod client;
pub mod clock;
pub mod covers;
pub mod database;
pub mod jobs;
pub mod markdown;
pub mod moderation;
pub mod notifications;
pub mod pagination;
pub mod passwords;
pub mod publishing;
pub mod queries;
pub mod reading;
pub mod recovery;
pub mod redis;
pub mod session;
mod state;
pub mod throttle;
pub mod tokens;
pub mod views;

pub use state::{AppState, Media, Shared};

/// Sends the reader on to `path` (a server function's redirect), in the
/// language of the page the form was on: `/settings` from an Indonesian
/// page is `/id/settings`. leptos_axum's own panics on a value a header
/// cannot carry; such a path is never ours to follow, so it goes home
/// instead.
pub fn redirect(path: &str) {
    let path = crate::i18n::request_locale().href(path);
    let path = match http::HeaderValue::from_str(&path) {
        Ok(_) => path,
        Err(_) => {
            tracing::warn!("refused to redirect to a path a header cannot carry");
            "/".to_owned()
        }
    };
    leptos_axum::redirect(&path);
}
