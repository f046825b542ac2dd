//! `/?page=N` and `GET /api/articles`: pages, links, deep pages, query counts.

use std::sync::Arc;

use app::ssr::{pagination::LatestIndex, queries::articles};
use chrono::{Duration, Utc};
use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{QueryCounter, TestApp, fixtures};

#[tokio::test]
async fn the_home_page_pages_through_every_article_with_links_between_pages() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let slugs = fixtures::stories(&app.db, ada, 45, Utc::now()).await;

    let first = app.get("/").await.text().await.unwrap();
    assert!(first.contains(r#"href="/articles/story-1""#));
    assert!(first.contains(r#"href="/articles/story-20""#));
    assert!(!first.contains(r#"href="/articles/story-21""#), "20 a page");
    assert!(first.contains(r#"href="/?page=2""#) && first.contains(r#"rel="next""#));
    assert!(!first.contains(r#"rel="prev""#), "nothing is newer than page 1");

    let second = app.get("/?page=2").await.text().await.unwrap();
    assert!(second.contains(r#"href="/articles/story-21""#) && second.contains(r#"href="/articles/story-40""#));
    assert!(!second.contains(r#"href="/articles/story-20""#));
    assert!(
        second.contains(r#"<a href="/" rel="prev""#),
        "back to page 1 has no query"
    );
    assert!(second.contains(r#"href="/?page=3""#));
    assert!(second.contains(r#"aria-current="page""#), "the current page is marked");

    let third = app.get("/?page=3").await.text().await.unwrap();
    for slug in &slugs[40..] {
        assert!(
            third.contains(&format!(r#"href="/articles/{slug}""#)),
            "{slug} on the last page"
        );
    }
    assert!(!third.contains(r#"rel="next""#), "nothing is older than the last page");

    let past = app.get("/?page=4").await;
    assert_eq!(past.status(), 200);
    let past = past.text().await.unwrap();
    assert!(past.contains("There is no page 4"), "a page past the end says so");
    assert!(past.contains(r#"href="/?page=3""#), "and links to the last page");
}

#[tokio::test]
async fn bad_page_values_give_the_first_page_never_an_error() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    fixtures::stories(&app.db, ada, 25, Utc::now()).await;
    for page in ["abc", "-1", "0", "99999999999", "", "1.5", "%00"] {
        let response = app.get(&format!("/?page={page}")).await;
        assert_eq!(response.status(), 200, "?page={page}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(r#"href="/articles/story-1""#),
            "?page={page} shows page 1"
        );
    }
}

#[tokio::test]
async fn seek_anchored_pages_equal_plain_offset_pages_even_as_articles_arrive() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let now = Utc::now();
    fixtures::stories(&app.db, ada, 103, now - Duration::days(1)).await;
    // A small stride, so a hundred articles span many anchors.
    let index = Arc::new(LatestIndex::new(7));

    let check = |total: i64| {
        let (index, db) = (index.clone(), app.db.clone());
        async move {
            for offset in 0..total + 3 {
                for limit in [1, 5, 20] {
                    let page = index.page(&db, offset, limit).await.unwrap();
                    let plain = articles::latest_published(&db, limit, offset, None).await.unwrap();
                    assert_eq!(page.articles, plain, "offset {offset}, limit {limit}");
                    assert_eq!(page.total, total);
                }
            }
        }
    };
    check(103).await;

    // Newer articles shift every position; the anchors stay as they were.
    let bob = fixtures::user(&app.db, "bob").await;
    for n in 0..9 {
        fixtures::article(
            &app.db,
            bob,
            &format!("Fresh {n}"),
            now,
            Some(now + Duration::seconds(n)),
        )
        .await;
    }
    check(112).await;

    index.rebuild(&app.db).await.unwrap();
    check(112).await;
}

/// An app with `stories` published articles whose start-up work (seek
/// anchors, partitions) is done, and a counter of its database's statements.
async fn settled_app(stories: i64) -> (TestApp, QueryCounter) {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    fixtures::stories(&app.db, ada, stories, Utc::now()).await;
    let counter = QueryCounter::new(&app.db).await;
    assert_eq!(app.get("/api/articles?limit=1").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    (app, counter)
}

#[tokio::test]
async fn a_listing_runs_the_same_number_of_queries_whatever_its_size() {
    let (app, counter) = settled_app(120).await;

    let mut counts = Vec::new();
    for limit in [2, 10, 100] {
        let before = counter.calls("").await;
        let body: Value = app
            .get(&format!("/api/articles?limit={limit}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["articles"].as_array().unwrap().len(), limit);
        counts.push(counter.calls("").await - before);
    }
    assert!(
        counts[0] > 0,
        "the listing was not cached yet, so it queried: {counts:?}"
    );
    assert!(
        counts.iter().all(|count| *count == counts[0]),
        "queries per listing: {counts:?}"
    );
}

#[tokio::test]
async fn two_hundred_concurrent_requests_for_a_cold_page_query_the_database_once() {
    let (app, counter) = settled_app(30).await;

    let page_query = "ORDER BY a.published_at DESC, a.id DESC";
    let before = counter.calls(page_query).await;
    let responses = join_all((0..200).map(|_| app.get("/api/articles?offset=10&limit=10"))).await;
    for response in responses {
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["articles"][0]["slug"], "story-11");
    }
    assert_eq!(
        counter.calls(page_query).await - before,
        1,
        "one query for 200 requests"
    );
}

#[tokio::test]
async fn a_page_off_the_grid_is_answered_but_not_kept() {
    let (app, counter) = settled_app(30).await;

    let page_query = "ORDER BY a.published_at DESC, a.id DESC";
    let before = counter.calls(page_query).await;
    // Two spellings of one page: the instance's page cache keys on the URL,
    // so both reach the shared cache.
    for path in ["/api/articles?offset=3&limit=7", "/api/articles?limit=7&offset=3"] {
        let body: Value = app.get(path).await.json().await.unwrap();
        assert_eq!(body["articles"][0]["slug"], "story-4");
        assert_eq!(body["articles"].as_array().unwrap().len(), 7);
    }
    assert_eq!(
        counter.calls(page_query).await - before,
        2,
        "an offset between pages is computed each time, never stored"
    );
}

#[tokio::test]
async fn the_api_lists_articles_newest_first_without_bodies() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    fixtures::stories(&app.db, ada, 120, Utc::now()).await;
    fixtures::article(&app.db, ada, "A draft", Utc::now(), None).await;

    let body: Value = app.get("/api/articles").await.json().await.unwrap();
    let articles = body["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 20, "20 by default");
    assert_eq!(body["articlesCount"], 120, "drafts are not counted");
    assert_eq!(articles[0]["slug"], "story-1");
    assert_eq!(articles[0]["author"]["username"], "ada");
    assert!(articles[0].get("body").is_none(), "list items carry no body");
    for field in [
        "title",
        "description",
        "tagList",
        "createdAt",
        "updatedAt",
        "favorited",
        "favoritesCount",
    ] {
        assert!(articles[0].get(field).is_some(), "{field}");
    }

    let clamped: Value = app.get("/api/articles?limit=1000").await.json().await.unwrap();
    assert_eq!(
        clamped["articles"].as_array().unwrap().len(),
        100,
        "limit clamps to 100"
    );

    let by_page: Value = app.get("/api/articles?page=3&limit=10").await.json().await.unwrap();
    assert_eq!(by_page["articles"][0]["slug"], "story-21");
    let by_offset: Value = app.get("/api/articles?offset=20&limit=10").await.json().await.unwrap();
    assert_eq!(by_page["articles"], by_offset["articles"]);

    let past: Value = app.get("/api/articles?offset=5000").await.json().await.unwrap();
    assert_eq!(past["articles"].as_array().unwrap().len(), 0);
    assert_eq!(past["articlesCount"], 120);
}

#[tokio::test]
async fn bad_listing_parameters_get_a_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("page=0", "page"),
        ("page=99999999999999999999", "page"),
        ("page=2&offset=3", "page"),
    ] {
        let response = app.get(&format!("/api/articles?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field][0].is_string(), "{query}: {body}");
    }
}
