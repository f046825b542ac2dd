//! `GET /healthz` (the process is alive) and `GET /readyz` (its
//! dependencies answer).

use std::time::Duration;

use app::ssr::AppState;
use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: answers as long as the process can serve HTTP.
pub async fn healthz() -> Response {
    no_store((StatusCode::OK, Json(json!({ "status": "ok" }))).into_response())
}

/// Readiness: 200 while Postgres answers, 503 when it does not; a load
/// balancer stops routing to a 503. The two Redis servers (the cache's and
/// the sessions') are reported but do not make an instance unready: every
/// page renders without them (slower, signed out), and taking every
/// instance out of rotation because a cache is down would turn a slowdown
/// into an outage. Without either the status says `degraded`.
/// Replicas are listed as their last health check found them; with none
/// healthy, reads go to the primary, so they do not make an instance
/// unready either.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let postgres = async {
        match tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(&state.db)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("timed out".to_owned()),
        }
    };
    let redis = async { state.redis.ping().await.map_err(|error| error.to_string()) };
    let sessions = async { state.session_redis.ping().await.map_err(|error| error.to_string()) };
    let (postgres, redis, sessions) = tokio::join!(postgres, redis, sessions);

    let ready = postgres.is_ok();
    // The body says which check failed, never why: a driver's message can
    // name hosts, users and databases, and whoever can reach this path
    // (a load balancer, or a stranger through a misrouted ingress) learns
    // nothing from it. The reasons go to the log.
    if let Err(error) = &postgres {
        tracing::warn!(%error, "readiness: Postgres does not answer");
    }
    if let Err(error) = &redis {
        tracing::warn!(%error, "readiness: the cache's Redis does not answer");
    }
    if let Err(error) = &sessions {
        tracing::warn!(%error, "readiness: the sessions' Redis does not answer");
    }
    let describe = |result: &Result<(), String>| match result {
        Ok(()) => json!({ "status": "ok" }),
        Err(_) => json!({ "status": "error" }),
    };
    let body = json!({
        "status": match (ready, redis.is_ok() && sessions.is_ok()) {
            (false, _) => "unavailable",
            (true, false) => "degraded",
            (true, true) => "ready",
        },
        "checks": {
            "postgres": describe(&postgres),
            "redis": describe(&redis),
            "sessions_redis": describe(&sessions),
            "replicas": state.database.replica_status(),
        },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    no_store((status, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
