use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::{
    site::PublicUrl,
    ssr::{
        cache::Cache, database::Database, pagination::LatestIndex, passwords::Passwords, redis::Redis, tokens::Signer,
    },
};

/// Where media files live: a local folder, or S3-compatible storage.
///
/// Defined here, beside the state that holds it, rather than in
/// [`crate::ssr::covers`]: the state is the container every feature module
/// takes, so it must not import one of them.
pub type Media = Arc<dyn object_store::ObjectStore>;

/// What every request handler and server function can reach: [`Shared`]
/// behind one `Arc`, so a clone (which middleware makes on every request)
/// is one reference count, not a copy of Leptos' settings.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The application's shared state.
pub struct Shared {
    /// Leptos' own settings (site root, output name, hashed file names).
    pub leptos: LeptosOptions,
    /// The Postgres primary's pool: for writes and for reads of one's own
    /// data.
    pub db: PgPool,
    /// The primary and its replicas, for public reads (the cache picks).
    pub database: Database,
    /// The cache's Redis (`REDIS_URL`): cached values and view counts,
    /// what anonymous traffic makes; under a memory limit that evicts.
    pub redis: Redis,
    /// The sessions' Redis (`WARTA_SESSION_REDIS_URL`): attempt budgets and
    /// sign-in records, beside the sessions the server's layer keeps there.
    /// Never evicted, and out of the cache traffic's reach.
    pub session_redis: Redis,
    /// The read-through cache in Redis.
    pub cache: Cache,
    /// Seek anchors for deep pages of the latest-articles listing.
    pub latest: Arc<LatestIndex>,
    /// Where readers reach the site (`WARTA_PUBLIC_URL`), for absolute
    /// canonical and OpenGraph links.
    pub public_url: PublicUrl,
    /// The largest article body accepted, in bytes (`WARTA_ARTICLE_MAX_KB`).
    pub body_max: usize,
    /// Signs and checks tokens in links (`WARTA_SECRET`).
    pub signer: Signer,
    /// Where cover images live (`WARTA_MEDIA_URL`).
    pub media: Media,
    /// The password hashing threads (`WARTA_PASSWORD_HASHERS`).
    pub passwords: Passwords,
    /// Sign-ins against one account, from addresses it has not signed in
    /// from lately, in ten minutes (`WARTA_ATTEMPTS_PER_ACCOUNT`).
    pub attempts_per_account: i64,
    /// Searches one address may make in a minute
    /// (`WARTA_SEARCHES_PER_ADDRESS`).
    pub searches_per_address: i64,
    /// Accounts one address may make in an hour
    /// (`WARTA_REGISTRATIONS_PER_ADDRESS`).
    pub registrations_per_address: i64,
    /// The time, as the code is given it (a test's clock in tests).
    pub clock: crate::ssr::clock::Clock,
    /// Whether the JSON API holds accounts to the forms' rules
    /// (`WARTA_API_STRICT`): weak passwords refused, the current password
    /// asked for every email or password change, and a new email taking
    /// effect once verified. Off, it follows the RealWorld specification.
    pub api_strict: bool,
    /// How long a search's statement may run (`WARTA_SEARCH_TIMEOUT_MS`),
    /// shorter than any other's.
    pub search_timeout: std::time::Duration,
}
