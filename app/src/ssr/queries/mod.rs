//! The query layer: one module per aggregate, shared by the server functions
//! behind the pages and by the JSON API (through [`crate::ssr::reading`],
//! which adds caching), and by the job queue and the workers in the `warta`
//! binary.

pub mod accounts;
pub mod articles;
pub mod blocks;
pub mod comments;
pub mod covers;
pub mod editing;
pub mod favorites;
pub mod follows;
pub mod jobs;
pub mod links;
pub mod moderation;
pub mod notifications;
pub mod partitions;
pub mod replication;
pub mod reports;
pub mod search;
pub mod tags;
pub mod users;

use std::sync::Arc;

/// A failed read. Cheap to clone, so every request that waited on one shared
/// computation (see [`crate::ssr::cache`]) can be given the same error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryError {
    /// Postgres failed, timed out or could not be reached.
    #[error("database: {0}")]
    Database(#[source] Arc<sqlx::Error>),
    /// Postgres cancelled the statement: it ran past its time limit (a
    /// search's is shorter than a page's).
    #[error("database: the statement ran out of time")]
    TimedOut,
    /// Every pooled connection stayed in use past the acquire timeout: the
    /// instance is saturated, and the caller should come back shortly
    /// (503 with `Retry-After`, rather than a request that hangs).
    #[error("database: every pooled connection is in use")]
    Busy,
    /// A value could not be encoded for the cache.
    #[error("encoding: {0}")]
    Encoding(Arc<str>),
}

impl From<sqlx::Error> for QueryError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::PoolTimedOut = error {
            return Self::Busy;
        }
        // 57014, query_canceled: what `statement_timeout` ends a statement
        // with.
        if let sqlx::Error::Database(database) = &error
            && database.code().as_deref() == Some("57014")
        {
            return Self::TimedOut;
        }
        Self::Database(Arc::new(error))
    }
}

/// A failed read is a page's `Internal` error; the details stay in the log.
/// Here rather than in [`crate::error`], so the shared error type knows
/// nothing of the query layer that converts into it.
impl From<QueryError> for crate::error::AppError {
    fn from(error: QueryError) -> Self {
        if let QueryError::TimedOut = error {
            tracing::warn!("a page's query ran out of time");
            return Self::TooSlow;
        }
        if let QueryError::Busy = error {
            tracing::warn!("every pooled database connection is in use; answering 503");
            return Self::Busy;
        }
        tracing::error!(%error, "loading a page's data failed");
        Self::Internal
    }
}
