//! API errors, as RealWorld shapes them: `{"errors": {"<field>": ["<message>"]}}`.

use app::{i18n::Locale, ssr::queries::QueryError};
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
    /// The caller's account is suspended by a moderator: 403, saying so.
    #[error("account suspended")]
    Suspended,
    /// The named account blocked the caller (`profile` when following,
    /// `author` when commenting under their article): 403, saying so.
    #[error("{0} blocked")]
    Blocked(&'static str),
    /// The named value (`username`, `email`) belongs to someone else: 409.
    #[error("{0} has already been taken")]
    Conflict(&'static str),
    /// Over an attempt budget: 429 with `Retry-After`.
    #[error("too many attempts")]
    TooMany(app::ssr::throttle::TooMany),
    /// An attempt budget could not be counted (the sessions' Redis is
    /// down): 503 with `Retry-After`.
    #[error("attempts cannot be counted")]
    Uncounted,
    /// Every password hasher is busy: 503 with `Retry-After`.
    #[error("busy")]
    Busy,
    /// The database failed or timed out; the client may retry.
    #[error("temporarily unavailable")]
    Unavailable(#[source] QueryError),
}

impl From<app::ssr::accounts::AccountError> for ApiError {
    fn from(error: app::ssr::accounts::AccountError) -> Self {
        use app::ssr::{accounts::AccountError, passwords::PasswordError};
        match error {
            AccountError::Taken(field) => Self::Conflict(field),
            AccountError::Password(PasswordError::Busy) => Self::Busy,
            AccountError::Password(PasswordError::Failed(error)) => {
                Self::Unavailable(QueryError::Encoding(format!("password hashing: {error}").into()))
            }
            AccountError::Query(query) => Self::Unavailable(query),
        }
    }
}

impl From<app::ssr::throttle::Refused> for ApiError {
    fn from(refused: app::ssr::throttle::Refused) -> Self {
        match refused {
            app::ssr::throttle::Refused::TooMany(too_many) => Self::TooMany(too_many),
            app::ssr::throttle::Refused::Unavailable => Self::Uncounted,
        }
    }
}

impl From<app::ssr::reading::SearchError> for ApiError {
    fn from(error: app::ssr::reading::SearchError) -> Self {
        match error {
            app::ssr::reading::SearchError::TooMany(too_many) => Self::TooMany(too_many),
            app::ssr::reading::SearchError::Query(query) => query.into(),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        Self::Unavailable(error)
    }
}

impl From<app::domain::Invalid> for ApiError {
    fn from(invalid: app::domain::Invalid) -> Self {
        Self::InvalidOwned(invalid.field, invalid.fault.to_string())
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

impl From<app::ssr::publishing::CommentError> for ApiError {
    fn from(error: app::ssr::publishing::CommentError) -> Self {
        use app::ssr::publishing::CommentError;
        match error {
            CommentError::NoArticle => Self::NotFound("article"),
            CommentError::NoComment => Self::NotFound("comment"),
            CommentError::Forbidden => Self::Forbidden("comment"),
            CommentError::Blocked => Self::Blocked("author"),
            CommentError::TooMany(too_many) => Self::TooMany(too_many),
            CommentError::Query(query) => query.into(),
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
        let retry_after = match &self {
            Self::TooMany(too_many) => Some(too_many.retry_after),
            Self::Busy => Some(app::ssr::passwords::PasswordError::RETRY_AFTER),
            Self::Uncounted => Some(app::ssr::throttle::Refused::Unavailable.retry_after()),
            Self::Unavailable(QueryError::Busy) => Some(app::error::AppError::BUSY_RETRY_AFTER),
            _ => None,
        };
        let too_many_message = match &self {
            Self::TooMany(too_many) => too_many.message(Locale::En),
            _ => String::new(),
        };
        let (status, field, message) = match &self {
            Self::NotFound(field) => (StatusCode::NOT_FOUND, *field, "not found"),
            Self::Invalid(field, message) => (StatusCode::UNPROCESSABLE_ENTITY, *field, *message),
            Self::InvalidOwned(field, message) => (StatusCode::UNPROCESSABLE_ENTITY, *field, message.as_str()),
            Self::Unauthorized(field, message) => (StatusCode::UNAUTHORIZED, *field, *message),
            Self::Forbidden(field) => (StatusCode::FORBIDDEN, *field, "forbidden"),
            Self::Suspended => (
                StatusCode::FORBIDDEN,
                "account",
                "is suspended by the moderators; it cannot sign in or write until they restore it",
            ),
            Self::Blocked(field) => (StatusCode::FORBIDDEN, *field, "has blocked you"),
            Self::Conflict(field) => (StatusCode::CONFLICT, *field, "has already been taken"),
            Self::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "request", too_many_message.as_str()),
            Self::Uncounted => (
                StatusCode::SERVICE_UNAVAILABLE,
                "server",
                "cannot count sign-in attempts just now; please retry in a few seconds",
            ),
            Self::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "server",
                "busy signing other people in; please retry in a few seconds",
            ),
            Self::Unavailable(QueryError::Busy) => {
                tracing::warn!("every pooled database connection is in use; answering 503");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "server",
                    "busy; please retry in a few seconds",
                )
            }
            Self::Unavailable(error) => {
                tracing::error!(error = %error, "database query failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "server",
                    "temporarily unavailable; please retry",
                )
            }
        };
        let mut response = (status, Json(json!({ "errors": { field: [message] } }))).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}
