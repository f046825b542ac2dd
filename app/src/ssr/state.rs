use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::{
    components::meta::PublicUrl,
    ssr::{cache::Cache, pagination::LatestIndex, redis::Redis},
};

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
    pub redis: Redis,
    /// The read-through cache in Redis.
    pub cache: Cache,
    /// Seek anchors for deep pages of the latest-articles listing.
    pub latest: Arc<LatestIndex>,
    /// Where readers reach the site (`WARTA_PUBLIC_URL`), for absolute
    /// canonical and OpenGraph links.
    pub public_url: PublicUrl,
    /// The largest article body accepted, in bytes (`WARTA_ARTICLE_MAX_KB`).
    pub body_max: usize,
}
