//! The error type server functions return to pages.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

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
    /// The server function call itself failed (network, encoding).
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::queries::QueryError> for AppError {
    fn from(error: crate::ssr::queries::QueryError) -> Self {
        tracing::error!(%error, "loading a page's data failed");
        Self::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::publishing::WriteError> for AppError {
    fn from(error: crate::ssr::publishing::WriteError) -> Self {
        use crate::ssr::publishing::WriteError;
        match error {
            WriteError::NotFound => Self::NotFound,
            WriteError::Forbidden => Self::Forbidden,
            WriteError::Query(query) => query.into(),
        }
    }
}
