//! The error type server functions return to pages, and the helpers that
//! give a server function's answer its status (every server function's
//! error passes through here, so they live with it rather than with any one
//! feature).

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// What can go wrong when a page loads its data.
///
/// The variants are what a reader needs to know; the details of an internal
/// failure stay in the server's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The thing exists, but is not the reader's to see or change.
    #[error("this is not yours to change")]
    Forbidden,
    /// A dependency (the database, say) failed; the request may be retried.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// Every database connection of the instance is in use: come back in a
    /// moment (503 with `Retry-After`).
    #[error("Warta is busy; please try again in a moment")]
    Busy,
    /// Over a budget (searches from one address): wait this many seconds.
    #[error("too many requests; please wait and try again")]
    TooMany(u64),
    /// The work asked for ran past its time limit (a search matching too
    /// much): asking the same again would too.
    #[error("this took too long; please ask for something narrower")]
    TooSlow,
    /// The server function call itself failed (network, encoding).
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    /// Seconds a caller turned away by a busy instance (a dry connection
    /// pool) waits, for `Retry-After`: pages and the JSON API alike.
    pub const BUSY_RETRY_AFTER: u64 = 2;

    /// What a reader is told, in `locale`; in English, the `Display` text.
    pub fn localized(&self, locale: Locale) -> String {
        match self {
            Self::NotFound => crate::t!(locale, "app-error-not-found"),
            Self::Forbidden => crate::t!(locale, "app-error-forbidden"),
            Self::Internal => crate::t!(locale, "app-error-internal"),
            Self::Busy => crate::t!(locale, "app-error-busy"),
            Self::TooMany(seconds) => {
                let minutes = seconds.div_ceil(60);
                crate::t!(
                    locale,
                    "app-error-too-many",
                    count = minutes,
                    shown = locale.number(i64::try_from(minutes).unwrap_or(i64::MAX))
                )
            }
            Self::TooSlow => crate::t!(locale, "app-error-too-slow"),
            Self::ServerFn(error) => crate::t!(locale, "app-error-call", detail = error.to_string()),
        }
    }

    /// How long to wait before asking again, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooMany(seconds) => Some(*seconds),
            Self::Busy => Some(Self::BUSY_RETRY_AFTER),
            _ => None,
        }
    }

    /// The status a page or a server function call answers with.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::NotFound => http::StatusCode::NOT_FOUND,
            Self::Forbidden => http::StatusCode::FORBIDDEN,
            Self::TooMany(_) => http::StatusCode::TOO_MANY_REQUESTS,
            Self::ServerFn(error) if is_unreadable_call(error) => http::StatusCode::BAD_REQUEST,
            Self::Internal | Self::Busy | Self::TooSlow | Self::ServerFn(_) => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Encodes the error for the client, with its own status rather than
    /// server_fn's blanket 500.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        {
            error_status(self.status());
            if let (Some(seconds), Some(response)) = (
                self.retry_after(),
                leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            ) {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self).unwrap_or_default()
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

/// A server function call whose arguments could not be read is the
/// caller's fault: 400, not the 500 server_fn answers every failure with.
#[cfg(feature = "ssr")]
pub(crate) fn refuse_unreadable_call(error: &ServerFnErrorErr) {
    if is_unreadable_call(error) {
        for_scripts(http::StatusCode::BAD_REQUEST, None);
    }
}

/// Sets the status (and `Retry-After`) of an answer to a script: the
/// hydrated forms, which read the status. A plain form post keeps the
/// redirect back to the form that Leptos answers it with (the message is
/// in that URL), since a browser follows no redirect with another status.
#[cfg(feature = "ssr")]
pub(crate) fn for_scripts(status: http::StatusCode, retry_after: Option<u64>) {
    let accepts_html = leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if accepts_html {
        return;
    }
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
        if let Some(seconds) = retry_after {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
}

/// Sets the status of an error answered to a script, unless the server
/// function already chose one (see [`for_scripts`]): server_fn answers
/// every error 500 otherwise.
#[cfg(feature = "ssr")]
pub(crate) fn error_status(status: http::StatusCode) {
    let chosen = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        .is_some_and(|response| response.0.read().ok().is_some_and(|parts| parts.status.is_some()));
    if !chosen {
        for_scripts(status, None);
    }
}

/// Whether `error` says the call's arguments could not be read.
pub(crate) fn is_unreadable_call(error: &ServerFnErrorErr) -> bool {
    matches!(
        error,
        ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_readers_are_told_what_the_error_says() {
        for error in [
            AppError::NotFound,
            AppError::Forbidden,
            AppError::Internal,
            AppError::TooSlow,
        ] {
            assert_eq!(error.localized(Locale::En), error.to_string());
            assert_ne!(error.localized(Locale::Id), error.to_string());
        }
        let call = AppError::ServerFn(ServerFnErrorErr::Request("offline".to_owned()));
        assert_eq!(call.localized(Locale::En), call.to_string());
    }
}
