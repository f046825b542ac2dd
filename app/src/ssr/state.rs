use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

/// What every request handler and server function can reach.
///
/// Cheap to clone: every field is a handle to shared state.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' own settings (site root, output name, hashed file names).
    pub leptos: LeptosOptions,
    /// The Postgres pool.
    pub db: PgPool,
    /// The Redis connection, reconnecting on its own.
    pub redis: crate::ssr::queries::redis::Redis,
}
