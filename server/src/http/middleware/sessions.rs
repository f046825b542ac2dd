//! Sessions: tower-sessions records in Redis, so any instance can serve any
//! request.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, and expires after
//! `WARTA_SESSION_DAYS` of inactivity. Whenever cookies are `Secure` (an
//! https public URL, or `WARTA_SECURE_COOKIES`) it is named
//! `__Host-warta_session`: browsers then accept it only from a secure
//! origin, for this host alone and the whole site, so neither a sibling
//! subdomain nor a plain-http page can plant or shadow it. Otherwise it is
//! `warta_session`.
//!
//! Every request whose cookie names a session passes [`upkeep`]: a session
//! signed in longer ago than `WARTA_SESSION_MAX_AGE_SECS` (30 days), or
//! whose account has since moved to a new session generation (a password
//! or email change, "sign out everywhere"; see `app::ssr::accounts`), is
//! ended before the request is handled, and one in use is renewed: a
//! signed-in user's session is saved again, with a fresh expiry and cookie,
//! when a page or API answer finds its last renewal older than
//! `WARTA_SESSION_RENEW_SECS` (an hour): at most one Redis write per user
//! per hour, none for static files, none for cookies naming no session (so
//! a made-up cookie writes nothing to Redis). When Redis
//! cannot save a session, the answer is a 503 saying so ([`unavailable`]),
//! not tower-sessions' bare 500. A session is
//! created only when something is stored in it (signing in), so anonymous
//! readers get no cookie and their pages stay publicly cacheable.

use std::time::Duration;

use anyhow::Context as _;
use fred::{
    prelude::{Builder, Config, Error, ErrorKind, Pool, ReconnectPolicy, Server, ServerConfig},
    types::config::ClusterDiscoveryPolicy,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};
use tower_sessions_redis_store::RedisStore;

use crate::http::middleware::caching::{SECURE_SESSION_COOKIE, SESSION_COOKIE, SignedInAnswer};

/// The session cookie's name: `__Host-warta_session` when cookies are
/// `Secure`, `warta_session` otherwise.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// How long a session command may take before the request treats the
/// session as unavailable.
const TIMEOUT: Duration = Duration::from_millis(500);

/// The session layer for `redis_url` (the sessions' Redis,
/// `WARTA_SESSION_REDIS_URL`). Connects in the background: start-up
/// does not wait for Redis.
pub fn layer(
    redis_url: &str,
    secure: bool,
    inactivity: Duration,
) -> anyhow::Result<SessionManagerLayer<RedisStore<Pool>>> {
    let seeds = app::ssr::redis::seeds(redis_url);
    let mut config = Config::from_url(seeds.first().copied().unwrap_or_default())
        .context("WARTA_SESSION_REDIS_URL: not a usable Redis URL")?;
    if seeds.len() > 1 {
        // A Redis Cluster: the first seed gave the credentials, all of them
        // the nodes to discover the rest from.
        let hosts = seeds
            .iter()
            .map(|seed| match Config::from_url(seed)?.server {
                ServerConfig::Centralized { server } => Ok(server),
                _ => Err(Error::new(ErrorKind::Config, "expected redis://host:port")),
            })
            .collect::<Result<Vec<Server>, _>>()
            .context("WARTA_SESSION_REDIS_URL: not a list of usable redis:// URLs")?;
        config.server = ServerConfig::Clustered {
            hosts,
            policy: ClusterDiscoveryPolicy::default(),
        };
    }
    let pool = Builder::from_config(config)
        .with_connection_config(|connection| {
            connection.connection_timeout = TIMEOUT;
            connection.internal_command_timeout = TIMEOUT;
        })
        .with_performance_config(|performance| performance.default_command_timeout = TIMEOUT)
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
        .build_pool(2)
        .context("building the session store's Redis pool")?;
    // The handles drive the connections; they end when the pool is dropped.
    drop(pool.connect_pool());
    let inactivity = time::Duration::try_from(inactivity).context("WARTA_SESSION_DAYS is out of range")?;
    Ok(SessionManagerLayer::new(RedisStore::new(pool))
        .with_name(cookie_name(secure))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(inactivity)))
}

/// Turns tower-sessions' bare 500 (it answers so when saving a session
/// fails) into a 503 a person can read. Every other 500 of ours has a body.
pub async fn unavailable(response: axum::response::Response) -> axum::response::Response {
    use axum::body::HttpBody as _;
    use axum::{
        http::{StatusCode, header},
        response::IntoResponse as _,
    };

    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || response.body().size_hint().exact() != Some(0) {
        return response;
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5"), (header::CACHE_CONTROL, "no-store")],
        "Sign-in sessions are unavailable for a moment. Please try again in a few seconds.",
    )
        .into_response()
}

/// What [`upkeep`] needs.
#[derive(Clone)]
pub struct Upkeep {
    /// The primary, which holds each account's session generation.
    pub db: sqlx::PgPool,
    /// How often a session in use is saved again.
    pub renew_every: Duration,
    /// How long after its sign-in a session ends, however much it is used.
    pub lifetime: Duration,
    /// The paths of the files served from the top of the site root
    /// (`/favicon.svg`), which, with `/pkg/` and `/media/`, show nothing
    /// of anyone's.
    pub public_files: std::sync::Arc<std::collections::HashSet<String>>,
    /// The sessions' Redis, where the addresses an account signs in from
    /// are kept: a session in use keeps its reader's address known.
    pub session_redis: app::ssr::redis::Redis,
}

/// Ends a session its account has moved on from, before the request is
/// handled; renews a signed-in session when it is due (see the module
/// documentation); marks every answer to a signed-in session
/// ([`SignedInAnswer`]) so no cache keeps it. Runs inside the session
/// layer. When Postgres cannot say, the session is trusted for this
/// request: without Postgres nothing it could reach (drafts, settings, any
/// write) answers anyway.
pub async fn upkeep(
    axum::extract::State(upkeep): axum::extract::State<Upkeep>,
    session: tower_sessions::Session,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use app::ssr::{accounts, session as stored};

    // Static files show nothing of anyone's: their requests do not even
    // read the session. Others read it only when their cookie names one.
    let client = request.extensions().get::<app::ssr::client::ClientAddress>().copied();
    let user = match shows_nobody(request.uri().path(), &upkeep.public_files) {
        true => None,
        false => stored::user_id(&session).await,
    };
    if user.is_some() && stored::signed_in_for(&session).await > upkeep.lifetime {
        tracing::info!("ended a session past its lifetime");
        if let Err(error) = session.flush().await {
            tracing::warn!(%error, "ending a session past its lifetime failed");
        }
    } else if let Some(id) = user {
        let started_in = stored::generation(&session).await;
        match accounts::generation(&upkeep.db, id).await {
            Ok(Some(current)) if current == started_in => {}
            Ok(_) => {
                tracing::info!(user_id = id, "ended a session its account had signed out");
                if let Err(error) = session.flush().await {
                    tracing::warn!(%error, "ending a signed-out session failed");
                }
            }
            Err(error) => tracing::warn!(%error, "could not check a session's generation; trusting it"),
        }
    }
    let mut response = next.run(request).await;
    if user.is_some() {
        response.extensions_mut().insert(SignedInAnswer);
        let page_or_api = response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html") || value.starts_with("application/json"));
        if page_or_api
            && stored::renew_if_due(&session, upkeep.renew_every).await
            && let Some(id) = user
        {
            // At most hourly: the reader's address stays one the account
            // signs in from, which strangers' wrong guesses cannot refuse.
            app::ssr::throttle::signed_in(&upkeep.session_redis, id, client).await;
        }
    }
    response
}

/// Whether `path` shows nothing of anyone's, so its request need not even
/// read the session: the static files (the bundle, covers, the files from
/// `public/`), the view pixel, feeds, sitemaps and `robots.txt`. Named
/// exactly, route by route: a page whose name has a dot in it
/// (`/tags/node.js`, `/articles/feed.xml`) is a page, and its session is
/// checked like any other.
fn shows_nobody(path: &str, public_files: &std::collections::HashSet<String>) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    path.starts_with("/pkg/")
        || path.starts_with("/media/")
        || path.starts_with("/sitemaps/")
        || public_files.contains(path)
        || matches!(path, "/feed.xml" | "/sitemap.xml" | "/robots.txt")
        || matches!(
            segments.as_slice(),
            ["", "articles", _, "view.gif"] | ["", "tags", _, "feed.xml"]
        )
        || matches!(segments.as_slice(), ["", author, "feed.xml"] if author.starts_with('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_shows_nobody_skips_the_session_not_pages_with_dots_in_their_names() {
        let public: std::collections::HashSet<String> = ["/favicon.svg".to_owned()].into();
        for file in [
            "/pkg/warta.abc123.wasm",
            "/media/covers/x.webp",
            "/favicon.svg",
            "/articles/why-rust/view.gif",
            "/feed.xml",
            "/@ada/feed.xml",
            "/tags/rust/feed.xml",
            "/sitemap.xml",
            "/sitemaps/articles-3.xml",
            "/robots.txt",
        ] {
            assert!(shows_nobody(file, &public), "{file}");
        }
        for page in [
            "/tags/node.js",
            "/tags/feed.xml",
            "/articles/feed.xml",
            "/articles/v1.2-released",
            "/favicon.svg/x",
            "/id/tags/node.js",
        ] {
            assert!(!shows_nobody(page, &public), "{page}");
        }
    }
}
