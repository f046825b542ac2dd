use serde_json::Value;

use crate::helpers::{TestApp, dead_port};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ready_when_postgres_and_redis_answer() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["postgres"]["status"], "ok");
    assert_eq!(body["checks"]["redis"]["status"], "ok");
}

#[tokio::test]
async fn readyz_stays_ready_but_says_degraded_when_redis_is_down() {
    let app = TestApp::builder()
        .var("REDIS_URL", format!("redis://127.0.0.1:{}", dead_port()))
        .spawn()
        .await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200, "pages still render without the cache");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["postgres"]["status"], "ok");
    assert_eq!(body["checks"]["redis"]["status"], "error");
    assert_eq!(body["checks"]["sessions_redis"]["status"], "ok");
    // Which check failed, never the driver's message (hosts, users).
    assert_eq!(body["checks"]["redis"].as_object().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn readyz_says_503_and_names_postgres_when_postgres_is_down() {
    let app = TestApp::builder().postgres_down().spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["postgres"]["status"], "error");
    assert_eq!(body["checks"]["redis"]["status"], "ok");
}
