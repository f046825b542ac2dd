use chrono::{Duration, Utc};

use crate::helpers::{TestApp, fixtures};

/// `count` published articles by `author`, titled `"{prefix} {n}"`, the
/// highest `n` newest.
async fn articles(app: &TestApp, author: i64, prefix: &str, count: i64) {
    let start = Utc::now() - Duration::days(count + 1);
    for n in 1..=count {
        let at = start + Duration::days(n);
        fixtures::article(&app.db, author, &format!("{prefix} {n}"), at, Some(at)).await;
    }
}

#[tokio::test]
async fn an_author_page_shows_the_bio_and_only_their_published_articles() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let bob = fixtures::user(&app.db, "bob").await;
    sqlx::query!("UPDATE users SET bio = 'Writes about engines.' WHERE id = $1", ada)
        .execute(&app.db)
        .await
        .unwrap();
    articles(&app, ada, "Ada story", 2).await;
    articles(&app, bob, "Bob story", 1).await;
    fixtures::article(&app.db, ada, "Ada draft", Utc::now(), None).await;

    let response = app.get("/@ada").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>ada · Warta</title>"));
    assert!(html.contains("Writes about engines."));
    let newer = html.find("Ada story 2").expect("listed");
    let older = html.find("Ada story 1").expect("listed");
    assert!(newer < older, "newest first");
    assert!(!html.contains("Bob story"), "only this author's articles");
    assert!(!html.contains("Ada draft"), "no drafts");
}

#[tokio::test]
async fn author_pages_are_paginated() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    articles(&app, ada, "Story", 25).await;

    let first = app.get("/@ada").await.text().await.unwrap();
    assert_eq!(first.matches("<article>").count(), 20);
    assert!(first.contains(r#"href="/@ada?page=2""#), "link to older stories");
    assert!(!first.contains(r#"rel="prev""#), "no newer page before the first");

    let second = app.get("/@ada?page=2").await.text().await.unwrap();
    assert_eq!(second.matches("<article>").count(), 5);
    assert!(second.contains("Story 1<") && second.contains("Story 5<"));
    assert!(
        second.contains(r#"href="/@ada""#) && second.contains(r#"rel="prev""#),
        "link back to the first page"
    );
    assert!(!second.contains(r#"rel="next""#), "no older page after the last");

    let beyond = app.get("/@ada?page=50").await;
    assert_eq!(beyond.status(), 200);
    assert!(
        beyond
            .text()
            .await
            .unwrap()
            .contains("There are no more stories past this page.")
    );
}

#[tokio::test]
async fn bad_page_values_show_the_first_page() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    articles(&app, ada, "Story", 21).await;
    for query in ["abc", "-1", "0", "99999999999", ""] {
        let response = app.get(&format!("/@ada?page={query}")).await;
        assert_eq!(response.status(), 200, "page={query}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Story 21<"), "page={query} shows the newest story");
    }
}

#[tokio::test]
async fn unknown_authors_give_the_404_page_and_static_files_still_load() {
    let app = TestApp::spawn().await;
    let response = app.get("/@nobody").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    // `/@{username}` must not swallow other top-level paths.
    assert_eq!(app.get("/nobody").await.status(), 404);
}

#[tokio::test]
async fn usernames_match_regardless_of_case() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "Ada").await;
    articles(&app, ada, "Story", 1).await;
    let html = app.get("/@ada").await.text().await.unwrap();
    assert!(html.contains("Story 1<"));
    let canonical = format!(r#"<link href="{}/@Ada" rel="canonical">"#, app.address);
    assert!(
        html.contains(&canonical),
        "the canonical URL spells the name as its owner does"
    );
}
