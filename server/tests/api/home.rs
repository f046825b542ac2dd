use chrono::{Duration, Utc};

use crate::helpers::{TestApp, fixtures};

#[tokio::test]
async fn the_home_page_lists_published_articles_newest_first_without_drafts() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let now = Utc::now();
    fixtures::article(
        &app.db,
        ada,
        "Older story",
        now - Duration::days(40),
        Some(now - Duration::days(40)),
    )
    .await;
    fixtures::article(
        &app.db,
        ada,
        "Newer story",
        now - Duration::days(1),
        Some(now - Duration::days(1)),
    )
    .await;
    fixtures::article(&app.db, ada, "Secret draft", now, None).await;

    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert_html(&response);
    let html = response.text().await.unwrap();

    let newer = html.find("Newer story").expect("newer story listed");
    let older = html.find("Older story").expect("older story listed");
    assert!(newer < older, "newest first");
    assert!(!html.contains("Secret draft"), "drafts are not listed");
    assert!(
        html.contains(r#"href="/articles/newer-story""#),
        "title links to the article"
    );
    assert!(html.contains(r#"href="/@ada""#), "author is linked");
    assert!(html.contains("About Newer story"), "description shown");
    // Hydration needs the bundle; the page must point at it.
    assert!(html.contains("/pkg/warta"), "hydration scripts included");
}

#[tokio::test]
async fn the_home_page_of_an_empty_site_says_so() {
    let app = TestApp::spawn().await;
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("Nothing has been published yet."));
}

#[tokio::test]
async fn an_unknown_path_gives_a_styled_404_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert_html(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("<header"), "the 404 keeps the site layout");
}

#[tokio::test]
async fn the_home_page_answers_503_not_500_when_postgres_is_down() {
    let app = TestApp::builder().postgres_down().spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("could not be loaded"));
}

fn assert_html(response: &reqwest::Response) {
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
}
