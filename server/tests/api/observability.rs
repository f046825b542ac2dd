use crate::helpers::TestApp;

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let first = app.get("/healthz").await;
    let second = app.get("/healthz").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36, "a UUID");
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn a_request_id_from_the_client_or_proxy_is_kept() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/"))
        .header("x-request-id", "from-nginx-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "from-nginx-42");
}

/// Log lines written by the app, captured by a subscriber installed once for
/// this test binary.
fn captured_logs() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        let writer = move || Capture(logs);
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter("warta=info")
            .with_writer(writer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
        logs
    })
}

struct Capture(&'static std::sync::Mutex<Vec<u8>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log lines that mention `request_id`.
fn lines_for(request_id: &str) -> Vec<String> {
    let logs = captured_logs().lock().unwrap();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter(|line| line.contains(request_id))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn requests_slower_than_the_threshold_are_logged_as_warnings() {
    captured_logs();
    let strict = TestApp::builder().var("WARTA_SLOW_REQUEST_MS", "0").spawn().await;
    let relaxed = TestApp::builder().var("WARTA_SLOW_REQUEST_MS", "60000").spawn().await;
    let slow_id = format!("slow-{}", uuid::Uuid::new_v4());
    let fast_id = format!("fast-{}", uuid::Uuid::new_v4());
    strict
        .client
        .get(strict.url("/healthz"))
        .header("x-request-id", &slow_id)
        .send()
        .await
        .unwrap();
    relaxed
        .client
        .get(relaxed.url("/healthz"))
        .header("x-request-id", &fast_id)
        .send()
        .await
        .unwrap();

    let slow = lines_for(&slow_id);
    assert!(
        slow.iter()
            .any(|line| line.contains(r#""level":"WARN""#) && line.contains("slow request")),
        "{slow:#?}"
    );
    assert!(
        slow.iter().any(|line| line.contains(r#""route":"/healthz""#)),
        "span records the route: {slow:#?}"
    );
    let fast = lines_for(&fast_id);
    assert!(!fast.is_empty(), "the fast request is logged too");
    assert!(fast.iter().all(|line| !line.contains("slow request")), "{fast:#?}");
}
