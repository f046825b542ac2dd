//! A connection pool that runs dry: every connection held by statements
//! waiting on a lock, the next reader is turned away at once with 503 and
//! `Retry-After` instead of queueing behind them, pages already cached keep
//! being served, and the instance recovers when the connections come back.

use chrono::{Duration, Utc};
use serde_json::Value;

use crate::helpers::{TestApp, eventually, fixtures};

/// The app's pool size in these tests: small, so two requests drain it.
const POOL: i64 = 2;

async fn dry_pool_app() -> TestApp {
    TestApp::builder()
        .var("WARTA_DB_MAX_CONNECTIONS", POOL.to_string())
        .var("WARTA_DB_ACQUIRE_TIMEOUT_MS", "300")
        // The held statements outlive the test's checks rather than giving
        // their connections back on their own.
        .var("WARTA_DB_STATEMENT_TIMEOUT_MS", "60000")
        // The cached page must outlast the test's waits on a slow machine
        // (the default keeps it one second).
        .var("WARTA_PAGE_CACHE_MS", "60000")
        .spawn()
        .await
}

/// The app's statements that are waiting on a lock the test holds.
async fn waiting_on_locks(app: &TestApp) -> i64 {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"#
    )
    .fetch_one(&app.db)
    .await
    .expect("read pg_stat_activity")
}

#[tokio::test]
async fn a_dry_pool_answers_503_with_retry_after_serves_cached_pages_and_recovers() {
    let app = dry_pool_app().await;
    let author = fixtures::user(&app.db, "pooled").await;
    let slugs = fixtures::stories(&app.db, author, 6, Utc::now() - Duration::hours(1)).await;

    // The home page, rendered once, is in the page cache.
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.get("/").await.headers()["x-cache"], "hit");

    // Every statement that reads articles or authors now waits on the test.
    let mut lock = app.db.begin().await.unwrap();
    sqlx::raw_sql("LOCK TABLE articles, article_slugs, users IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();

    // Pages nobody asked for yet take the pool's connections and hold them.
    let mut held = Vec::new();
    for slug in &slugs[..POOL as usize] {
        let client = app.client.clone();
        let url = app.url(&format!("/articles/{slug}"));
        held.push(tokio::spawn(
            async move { client.get(url).send().await.map(|r| r.status()) },
        ));
    }
    eventually(
        std::time::Duration::from_secs(10),
        "the pool runs dry",
        async || match waiting_on_locks(&app).await {
            n if n >= POOL => Ok(()),
            n => Err(format!("{n} of {POOL} connections waiting")),
        },
    )
    .await;

    // The next page that needs the database is turned away, not queued.
    let page = app.get(&format!("/articles/{}", slugs[POOL as usize])).await;
    assert_eq!(page.status(), 503);
    assert_eq!(page.headers()["retry-after"], "2");
    let cache_control = page
        .headers()
        .get("cache-control")
        .map(|value| value.to_str().unwrap().to_owned());
    assert!(
        !cache_control.as_deref().unwrap_or_default().contains("public"),
        "a 503 is never stored for others: {cache_control:?}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Warta is busy"), "the reader is told why: {html}");

    let indonesian = app.get(&format!("/id/articles/{}", slugs[POOL as usize])).await;
    assert_eq!(indonesian.status(), 503);
    assert!(indonesian.text().await.unwrap().contains("Warta sedang sibuk"));

    // The JSON API says the same in its own shape.
    let api = app.get("/api/articles?author=pooled").await;
    assert_eq!(api.status(), 503);
    assert_eq!(api.headers()["retry-after"], "2");
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["errors"]["server"][0], "busy; please retry in a few seconds");

    // Those answers came while the pool was still dry.
    assert!(
        held.iter().all(|request| !request.is_finished()),
        "the held requests still wait"
    );
    assert!(waiting_on_locks(&app).await >= POOL);

    // A cached page needs no connection.
    let cached = app.get("/").await;
    assert_eq!(cached.status(), 200);
    assert_eq!(cached.headers()["x-cache"], "hit");

    // The connections come back: the held pages finish, and new ones render.
    lock.commit().await.unwrap();
    for request in held {
        assert_eq!(request.await.unwrap().unwrap(), 200);
    }
    assert_eq!(
        app.get(&format!("/articles/{}", slugs[POOL as usize])).await.status(),
        200
    );
    assert_eq!(app.get("/api/articles?author=pooled").await.status(), 200);
}
