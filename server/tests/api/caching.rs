//! HTTP caching, canonical URLs, and serving while Redis is down.

use chrono::{Duration, Utc};
use reqwest::header;

use crate::{
    helpers::{TestApp, fixtures},
    own_redis::OwnRedis,
};

const PUBLIC: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";

#[tokio::test]
async fn anonymous_pages_are_publicly_cacheable_and_revalidate_with_304() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now() - Duration::days(1);
    let slug = fixtures::article(&app.db, ada, "Cached story", at, Some(at)).await;

    for path in [
        "/",
        "/popular",
        &format!("/articles/{slug}"),
        "/@ada",
        "/api/articles",
        &format!("/api/articles/{slug}"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()[header::CACHE_CONTROL], PUBLIC, "{path}");
        let etag = response.headers()[header::ETAG].clone();

        let again = app
            .client
            .get(app.url(path))
            .header(header::IF_NONE_MATCH, etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()[header::ETAG], etag);
        // Browsers update the copy they kept with a 304's headers, so it
        // carries the page's own policy or none, never another.
        if let Some(policy) = again.headers().get(header::CONTENT_SECURITY_POLICY) {
            assert_eq!(
                Some(policy),
                response.headers().get(header::CONTENT_SECURITY_POLICY),
                "{path}"
            );
        }
        if !path.starts_with("/api/") {
            assert!(again.headers().contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
        }
        assert!(again.bytes().await.unwrap().is_empty(), "a 304 has no body");

        let stale = app
            .client
            .get(app.url(path))
            .header(header::IF_NONE_MATCH, "W/\"old\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}: another tag gets the page");
    }
}

#[tokio::test]
async fn session_requests_and_errors_are_never_marked_public() {
    let app = TestApp::spawn().await;
    let signed_in = get_with_session(&app, "/").await;
    assert_eq!(signed_in.headers()[header::CACHE_CONTROL], "private, no-store");

    let missing = app.get("/articles/nope").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .headers()
            .get(header::CACHE_CONTROL)
            .is_none_or(|value| !value.to_str().unwrap().contains("public"))
    );
    assert_eq!(app.get("/healthz").await.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn canonical_and_open_graph_urls_are_absolute_on_the_public_url() {
    let app = TestApp::builder()
        .var("WARTA_PUBLIC_URL", "https://warta.example")
        .spawn()
        .await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now() - Duration::days(1);
    let slug = fixtures::article(&app.db, ada, "Shared story", at, Some(at)).await;

    let html = app.get(&format!("/articles/{slug}")).await.text().await.unwrap();
    assert!(
        html.contains(r#"<link href="https://warta.example/articles/shared-story" rel="canonical">"#),
        "{html}"
    );
    assert!(html.contains(r#"<meta property="og:url" content="https://warta.example/articles/shared-story""#));
    assert!(html.contains(r#"<meta property="og:type" content="article""#));
    assert!(html.contains("<title>Shared story · Warta</title>"));

    let home = app.get("/?page=1").await.text().await.unwrap();
    assert!(
        home.contains(r#"<link href="https://warta.example/" rel="canonical">"#),
        "?page=1 is /"
    );
}

#[tokio::test]
async fn pages_render_from_postgres_while_redis_is_down_and_caching_resumes_when_it_returns() {
    let mut redis = OwnRedis::start().await;
    let app = TestApp::builder().var("REDIS_URL", redis.url()).spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now() - Duration::days(1);
    let slug = fixtures::article(&app.db, ada, "Resilient story", at, Some(at)).await;
    let paths = [
        "/",
        "/popular",
        &format!("/articles/{slug}"),
        "/@ada",
        "/api/articles",
        "/api/articles/popular",
    ];

    for path in paths {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    assert!(!redis.keys(":cache:").await.is_empty(), "pages were cached");

    redis.stop();
    for path in paths {
        let response = app
            .client
            .get(app.url(path))
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .unwrap_or_else(|error| panic!("{path} hung or failed without Redis: {error}"));
        assert_eq!(response.status(), 200, "{path} without Redis");
        assert!(
            response.text().await.unwrap().contains("esilient"),
            "{path} shows the article"
        );
    }

    redis.restart().await;
    let mut cached = Vec::new();
    for _ in 0..60 {
        assert_eq!(app.get("/").await.status(), 200);
        cached = redis.keys(":cache:").await;
        if !cached.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!cached.is_empty(), "caching resumed by itself once Redis was back");
}

#[tokio::test]
async fn an_instance_renders_a_hot_page_once_per_moment_but_never_for_a_session() {
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "60000").spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    fixtures::stories(&app.db, ada, 25, Utc::now()).await;

    let first = app.get("/").await;
    assert_eq!(first.headers()["x-cache"], "miss");
    let etag = first.headers()[header::ETAG].clone();
    let first = first.text().await.unwrap();
    let second = app.get("/").await;
    assert_eq!(second.headers()["x-cache"], "hit");
    assert_eq!(second.headers()[header::CACHE_CONTROL], PUBLIC);
    assert_eq!(second.headers()[header::ETAG], etag);
    assert_eq!(second.text().await.unwrap(), first, "the same page");

    assert_eq!(
        app.get("/?page=2").await.headers()["x-cache"],
        "miss",
        "each URL is its own page"
    );
    let revalidated = app
        .client
        .get(app.url("/"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);

    let signed_in = get_with_session(&app, "/").await;
    assert!(
        signed_in.headers().get("x-cache").is_none(),
        "sessions bypass the page cache"
    );
    assert_eq!(signed_in.headers()[header::CACHE_CONTROL], "private, no-store");
}

#[tokio::test]
async fn with_the_page_cache_off_every_request_renders() {
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "0").spawn().await;
    for _ in 0..2 {
        let response = app.get("/").await;
        assert_eq!(response.headers()["x-cache"], "miss");
        assert_eq!(response.headers()[header::CACHE_CONTROL], PUBLIC);
    }
}

async fn get_with_session(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(header::COOKIE, "warta_session=abc")
        .send()
        .await
        .unwrap()
}
