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
/// balancer stops routing to a 503. Redis is reported but does not make an
/// instance unready: every page renders without it (slower), and taking
/// every instance out of rotation because the cache is down would turn a
/// slowdown into an outage. Without Redis the status says `degraded`.
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
    let (postgres, redis) = tokio::join!(postgres, redis);

    let ready = postgres.is_ok();
    let describe = |result: &Result<(), String>| match result {
        Ok(()) => json!({ "status": "ok" }),
        Err(error) => json!({ "status": "error", "error": error }),
    };
    let body = json!({
        "status": match (ready, redis.is_ok()) {
            (false, _) => "unavailable",
            (true, false) => "degraded",
            (true, true) => "ready",
        },
        "checks": {
            "postgres": describe(&postgres),
            "redis": describe(&redis),
            "replicas": state.database.replica_status(),
        },
    });
    if !ready || redis.is_err() {
        tracing::warn!(%body, "not fully ready");
    }
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
