//! `/popular`, `GET /api/articles/popular` and view counting.

use chrono::{Duration, Utc};
use serde_json::Value;

use crate::helpers::{TestApp, fixtures};

async fn set_views(app: &TestApp, slug: &str, views: i64) {
    sqlx::query!("UPDATE articles SET views = $2 WHERE slug = $1", slug, views)
        .execute(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn popular_ranks_the_most_viewed_articles_all_time_and_by_week_and_month() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let now = Utc::now();
    for (title, days_ago, views) in [
        ("Evergreen", 200, 900),
        ("Last month", 20, 500),
        ("This week", 2, 100),
        ("Quiet", 1, 3),
    ] {
        let at = now - Duration::days(days_ago);
        let slug = fixtures::article(&app.db, ada, title, at, Some(at)).await;
        set_views(&app, &slug, views).await;
    }
    fixtures::article(&app.db, ada, "Unseen draft", now, None).await;
    set_views(&app, "unseen-draft", 10_000).await;

    let order = |body: &Value| -> Vec<String> {
        body["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|article| article["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let all: Value = app.get("/api/articles/popular").await.json().await.unwrap();
    assert_eq!(
        order(&all),
        ["evergreen", "last-month", "this-week", "quiet"],
        "no drafts"
    );
    let month: Value = app
        .get("/api/articles/popular?period=month")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order(&month), ["last-month", "this-week", "quiet"]);
    let week: Value = app.get("/api/articles/popular?period=week").await.json().await.unwrap();
    assert_eq!(order(&week), ["this-week", "quiet"]);
    assert_eq!(app.get("/api/articles/popular?period=year").await.status(), 422);

    let html = app.get("/popular").await.text().await.unwrap();
    let first = html.find("Evergreen").expect("listed");
    let second = html.find("Last month").expect("listed");
    assert!(first < second, "most viewed first");
    assert!(html.contains("900 views"), "view counts are shown");
    assert!(
        html.contains(r#"href="/popular?period=week""#),
        "tabs link to the windows"
    );

    let week_html = app.get("/popular?period=week").await.text().await.unwrap();
    assert!(!week_html.contains(r#"href="/articles/evergreen""#));
    assert!(week_html.contains(r#"href="/articles/this-week""#));
    let bogus = app.get("/popular?period=decade").await;
    assert_eq!(bogus.status(), 200, "an unknown tab shows all time");
}

#[tokio::test]
async fn views_counted_by_the_pixel_reach_popular_without_double_counting_reloads() {
    // Readers behind a proxy we trust, which names each one's address.
    let app = TestApp::builder()
        .var("WARTA_TRUSTED_PROXIES", "127.0.0.1")
        .spawn()
        .await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now() - Duration::days(3);
    let leader = fixtures::article(&app.db, ada, "Leader", at, Some(at)).await;
    let chaser = fixtures::article(&app.db, ada, "Chaser", at, Some(at)).await;
    set_views(&app, &leader, 10).await;
    set_views(&app, &chaser, 9).await;

    assert_eq!(top(&app).await, "leader", "cached with the leader on top");

    // The article page asks for the pixel.
    let page = app.get(&format!("/articles/{chaser}")).await.text().await.unwrap();
    let pixel = format!("/articles/{chaser}/view.gif");
    assert!(page.contains(&pixel), "the page loads its view pixel");

    // Two readers, one of them reloading three times, each time claiming
    // to be another browser: a reader is their address.
    for (address, agent) in [
        ("203.0.113.1", "reader one"),
        ("203.0.113.2", "reader two"),
        ("203.0.113.2", "reader two, again"),
        ("203.0.113.2", "reader two, a third browser"),
    ] {
        let response = app
            .client
            .get(app.url(&pixel))
            .header("user-agent", agent)
            .header("x-forwarded-for", address)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/gif");
        assert_eq!(response.headers()["cache-control"], "no-store");
    }

    let mut leader_now = String::new();
    for _ in 0..100 {
        leader_now = top(&app).await;
        if leader_now == "chaser" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(leader_now, "chaser", "the counted views reached /popular");
    let views = sqlx::query_scalar!("SELECT views FROM articles WHERE slug = $1", chaser)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(views, 11, "two readers: two views, reloads not counted again");

    let junk = app.get("/articles/no-such-article/view.gif").await;
    assert_eq!(junk.status(), 200, "the pixel never fails a page");
}

/// The slug at the top of `/api/articles/popular`.
async fn top(app: &TestApp) -> String {
    let body: Value = app.get("/api/articles/popular").await.json().await.unwrap();
    body["articles"][0]["slug"].as_str().unwrap().to_owned()
}
