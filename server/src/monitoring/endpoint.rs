//! `GET /metrics` on the metrics listener: the token check, the gauges read
//! from memory at scrape time, and the recorder's text.

use app::ssr::{database::Database, redis::Redis};
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;
use sha2::{Digest as _, Sha256};

use super::names::{POOL_CONNECTIONS, POOL_MAX, REDIS_BREAKER_OPEN, REPLICA_HEALTHY, REPLICA_LAG};
use crate::config::Secret;

/// The Prometheus text format's content type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What a scrape reads.
#[derive(Clone)]
pub(super) struct Scrape {
    handle: PrometheusHandle,
    /// `WARTA_METRICS_TOKEN`.
    token: Option<Secret>,
    database: Database,
    redis: Redis,
}

impl Scrape {
    pub(super) fn new(handle: PrometheusHandle, token: Option<Secret>, database: Database, redis: Redis) -> Self {
        Self {
            handle,
            token,
            database,
            redis,
        }
    }

    pub(super) fn handle(&self) -> &PrometheusHandle {
        &self.handle
    }

    pub(super) fn database(&self) -> &Database {
        &self.database
    }

    /// Sets the gauges whose values are already in memory: cheap enough for
    /// every scrape, and as fresh as can be.
    fn read_gauges(&self) {
        for (pool, connections) in self.database.pools() {
            let open = connections.size();
            let idle = u32::try_from(connections.num_idle()).unwrap_or(u32::MAX).min(open);
            gauge!(POOL_CONNECTIONS, "pool" => pool.clone(), "state" => "in_use").set(f64::from(open - idle));
            gauge!(POOL_CONNECTIONS, "pool" => pool.clone(), "state" => "idle").set(f64::from(idle));
            gauge!(POOL_MAX, "pool" => pool).set(f64::from(connections.options().get_max_connections()));
        }
        for replica in self.database.replica_status() {
            gauge!(REPLICA_HEALTHY, "pool" => replica.pool.clone()).set(if replica.healthy { 1.0 } else { 0.0 });
            gauge!(REPLICA_LAG, "pool" => replica.pool).set(replica.lag_seconds.unwrap_or(f64::NAN));
        }
        gauge!(REDIS_BREAKER_OPEN).set(if self.redis.breaker_open() { 1.0 } else { 0.0 });
    }

    /// Whether `headers` carry the token, when one is required.
    fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        // Compared as digests, so the time the comparison takes says
        // nothing about how much of the token a guess got right.
        sent.is_some_and(|sent| Sha256::digest(sent.trim()) == Sha256::digest(token.expose()))
    }
}

/// The metrics listener's routes: `GET /metrics` and nothing else.
pub(super) fn router(scrape: Scrape) -> Router {
    Router::new().route("/metrics", get(render)).with_state(scrape)
}

async fn render(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if !scrape.allows(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [
                (header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            "a bearer token is required (WARTA_METRICS_TOKEN)\n",
        )
            .into_response();
    }
    scrape.read_gauges();
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        scrape.handle.render(),
    )
        .into_response()
}
