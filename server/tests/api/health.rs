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
async fn readyz_says_503_and_names_redis_when_redis_is_down() {
    let app = TestApp::builder()
        .var("REDIS_URL", format!("redis://127.0.0.1:{}", dead_port()))
        .spawn()
        .await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["postgres"]["status"], "ok");
    assert_eq!(body["checks"]["redis"]["status"], "error");
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

#[tokio::test]
async fn readyz_recovers_when_redis_comes_back() {
    // A real Redis of our own, so the test can stop and restart it.
    let port = dead_port();
    let start = || {
        std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on PATH")
    };
    let mut redis = start();
    let app = TestApp::builder()
        .var("REDIS_URL", format!("redis://127.0.0.1:{port}"))
        .spawn()
        .await;
    wait_for_status(&app, 200).await;

    redis.kill().unwrap();
    redis.wait().unwrap();
    wait_for_status(&app, 503).await;

    let mut redis = start();
    wait_for_status(&app, 200).await;
    redis.kill().unwrap();
    redis.wait().unwrap();
}

async fn wait_for_status(app: &TestApp, status: u16) {
    let mut last = 0;
    for _ in 0..50 {
        last = app.get("/readyz").await.status().as_u16();
        if last == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("/readyz never answered {status}; last {last}");
}
