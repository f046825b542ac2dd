//! Full-text search: ranking, snippets that mark the words and escape the
//! rest, web-search syntax, the API's `?q=`, and inputs that match nothing.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_harmless, fixtures, text_of};

async fn publish(app: &TestApp, token: &str, title: &str, body: &str) -> String {
    app.publish(token, json!({ "title": title, "description": "A story", "body": body }))
        .await
}

#[tokio::test]
async fn search_ranks_titles_first_and_marks_the_words_in_escaped_snippets() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    publish(
        &app,
        &ada,
        "Morning rituals",
        "We drink kopi tubruk <script>alert(1)</script> every day.",
    )
    .await;
    publish(&app, &ada, "Kopi everywhere", "A guide to coffee in Java.").await;
    publish(&app, &ada, "Tea", "Nothing about coffee here.").await;

    let page = app.page("/search?q=kopi").await;
    assert_harmless("/search?q=kopi", &page);
    let results: Vec<String> = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("[data-testid=results] h2 a").unwrap())
        .map(|link| link.text().collect())
        .collect();
    assert_eq!(
        results,
        ["Kopi everywhere", "Morning rituals"],
        "a title match ranks first"
    );
    assert!(page.contains("<mark>kopi</mark>"), "{page}");
    assert!(
        !page.contains("<script>alert(1)"),
        "the body's markup never reaches the page as markup"
    );
    assert!(
        text_of(&page, "[data-testid=results] li:nth-child(2) [data-testid=snippet]")
            .is_some_and(|snippet| snippet.contains("kopi tubruk")),
        "{page}"
    );
    assert_eq!(
        text_of(&page, "[data-testid=result-count]").as_deref(),
        Some("2 stories, the best first")
    );

    // Web-search syntax: phrases and exclusions.
    let phrase = app.page("/search?q=%22kopi+tubruk%22").await;
    assert!(phrase.contains("Morning rituals") && !phrase.contains("Kopi everywhere"));
    let without = app.page("/search?q=kopi+-tubruk").await;
    assert!(without.contains("Kopi everywhere") && !without.contains("Morning rituals"));

    // Nothing to search for, nothing found, or nothing a search can be.
    assert!(
        app.page("/search")
            .await
            .contains("Type a few words to search the stories.")
    );
    assert!(app.page("/search?q=durian").await.contains("Nothing matches “durian”."));
    for bad in ["%00", "%E2%80%AE", &"x".repeat(300), "%22%22%22", "!!!"] {
        let response = app.get(&format!("/search?q={bad}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{bad}");
    }
}

#[tokio::test]
async fn the_api_searches_with_q() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let slug = publish(&app, &ada, "Batik patterns", "Wax and dye.").await;
    publish(&app, &ada, "Volcanoes", "Batik is not about volcanoes.").await;

    let found: Value = app.get("/api/articles?q=batik").await.json().await.unwrap();
    assert_eq!(found["articlesCount"], 2);
    assert_eq!(found["articles"][0]["slug"], slug.as_str());
    assert!(found["articles"][0].get("body").is_none());

    let none: Value = app.get("/api/articles?q=durian").await.json().await.unwrap();
    assert_eq!(none, json!({ "articles": [], "articlesCount": 0 }));
    for (query, field) in [("q=batik&tag=x", "query"), ("q=%00", "q")] {
        let response = app.get(&format!("/api/articles?{query}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
}

#[tokio::test]
async fn a_common_word_ranks_this_months_stories_not_only_the_oldest_months() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    // Two years ago, in partitions of their own, more stories saying
    // "story" than a search ranks; then two this month, which say it more.
    let long_ago = Utc::now() - Duration::days(730);
    sqlx::query!("SELECT ensure_article_partitions($1, 0)", long_ago.date_naive())
        .fetch_one(&app.db)
        .await
        .unwrap();
    fixtures::stories(&app.db, ada, 1_100, long_ago).await;
    fixtures::article(&app.db, ada, "Story story", Utc::now(), Some(Utc::now())).await;
    fixtures::article(&app.db, ada, "Story of story", Utc::now(), Some(Utc::now())).await;

    let page = app.page("/search?q=story").await;
    let results: Vec<String> = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("[data-testid=results] h2 a").unwrap())
        .map(|link| link.text().collect())
        .collect();
    assert_eq!(results.len(), 20, "{page}");
    assert_eq!(results[..2], ["Story story", "Story of story"], "{results:?}");
    assert_eq!(
        text_of(&page, "[data-testid=result-count]").as_deref(),
        Some("1000 or more stories, the best first")
    );

    // A word only the old stories have still finds them all, ranked.
    let old: serde_json::Value = app.get("/api/articles?q=%22story+1099%22").await.json().await.unwrap();
    assert_eq!(old["articles"][0]["title"], "Story 1099", "{old}");
}
