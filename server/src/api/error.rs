//! API errors, as RealWorld shapes them: `{"errors": {"<field>": ["<message>"]}}`.

use app::ssr::queries::QueryError;
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// What an API request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The named thing (`article`, `profile`, `path`) does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A parameter has a value we cannot use: 422, naming it.
    #[error("{0} {1}")]
    Invalid(&'static str, &'static str),
    /// The same, with a message made at run time.
    #[error("{0} {1}")]
    InvalidOwned(&'static str, String),
    /// No usable credentials: 401 (`token`/`credentials`).
    #[error("{0} {1}")]
    Unauthorized(&'static str, &'static str),
    /// The caller may not change the named thing (`article`, `comment`):
    /// 403.
    #[error("{0} forbidden")]
    Forbidden(&'static str),
    /// The named value (`username`, `email`) belongs to someone else: 409.
    #[error("{0} has already been taken")]
    Conflict(&'static str),
    /// The database failed or timed out; the client may retry.
    #[error("temporarily unavailable")]
    Unavailable(#[source] QueryError),
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        Self::Unavailable(error)
    }
}

impl From<app::domain::Invalid> for ApiError {
    fn from(invalid: app::domain::Invalid) -> Self {
        Self::InvalidOwned(invalid.field, invalid.message)
    }
}

impl From<app::ssr::publishing::WriteError> for ApiError {
    fn from(error: app::ssr::publishing::WriteError) -> Self {
        use app::ssr::publishing::WriteError;
        match error {
            WriteError::NotFound => Self::NotFound("article"),
            WriteError::Forbidden => Self::Forbidden("article"),
            WriteError::Query(query) => query.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::Unavailable(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, field, message) = match &self {
            Self::NotFound(field) => (StatusCode::NOT_FOUND, *field, "not found"),
            Self::Invalid(field, message) => (StatusCode::UNPROCESSABLE_ENTITY, *field, *message),
            Self::InvalidOwned(field, message) => (StatusCode::UNPROCESSABLE_ENTITY, *field, message.as_str()),
            Self::Unauthorized(field, message) => (StatusCode::UNAUTHORIZED, *field, *message),
            Self::Forbidden(field) => (StatusCode::FORBIDDEN, *field, "forbidden"),
            Self::Conflict(field) => (StatusCode::CONFLICT, *field, "has already been taken"),
            Self::Unavailable(error) => {
                tracing::error!(error = %error, "database query failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "server",
                    "temporarily unavailable; please retry",
                )
            }
        };
        (status, Json(json!({ "errors": { field: [message] } }))).into_response()
    }
}
