use std::time::{Duration, Instant};

use tokio::{net::TcpListener, sync::oneshot};

use crate::helpers::TestApp;

/// A "Redis" that accepts connections and never answers, so a readiness
/// check against it takes its full timeout: a request that is reliably
/// in flight for a while.
async fn silent_redis() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish_and_refuses_new_ones() {
    let (stop, stopped) = oneshot::channel::<()>();
    let (app, running) = TestApp::builder()
        .var("REDIS_URL", format!("redis://127.0.0.1:{}", silent_redis().await))
        .spawn_until(async move {
            let _ = stopped.await;
        })
        .await;

    let started = Instant::now();
    let in_flight = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/readyz");
        async move { client.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(()).unwrap();

    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request gets its response");
    assert_eq!(response.status(), 200, "a full answer");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "Redis never replied");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "it really was in flight during shutdown"
    );

    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the server stops once the request is done")
        .unwrap()
        .unwrap();
    assert!(
        reqwest::get(app.url("/healthz")).await.is_err(),
        "no new connections after shutdown"
    );
}
