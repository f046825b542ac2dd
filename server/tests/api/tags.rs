//! Tags: linked everywhere an article is listed, their own pages, the
//! popular list on the home page and `GET /api/tags`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, text_of};

async fn publish(app: &TestApp, token: &str, title: &str, tags: &[&str]) -> String {
    app.publish(
        token,
        json!({ "title": title, "description": "d", "body": "b", "tagList": tags }),
    )
    .await
}

#[tokio::test]
async fn tag_pages_list_what_carries_the_tag_newest_first() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    publish(&app, &ada, "Oldest rust", &["rust"]).await;
    publish(&app, &ada, "About go", &["go"]).await;
    publish(&app, &ada, "Newest rust", &["rust", "c++ & more"]).await;

    let page = app.page("/tags/rust").await;
    let newest = page.find("Newest rust").expect("the newest rust story");
    let oldest = page.find("Oldest rust").expect("the oldest rust story");
    assert!(newest < oldest, "newest first");
    assert!(!page.contains("About go"), "only the tag's stories");
    assert!(page.contains("<title>#rust · Warta</title>"), "{page}");

    // Tags are links, encoded as one path segment, on listings and pages.
    let home = app.page("/").await;
    assert!(home.contains(r#"href="/tags/c%2B%2B%20%26%20more""#), "{home}");
    let odd = app.page("/tags/c%2B%2B%20%26%20more").await;
    assert!(odd.contains("Newest rust") && !odd.contains("Oldest rust"), "{odd}");
    let article = app.page("/articles/newest-rust").await;
    assert!(article.contains(r#"href="/tags/rust""#), "{article}");

    // A tag nothing carries is a page that says so.
    let response = app.get("/tags/nothing-here").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Nothing tagged nothing-here has been published yet.")
    );
}

#[tokio::test]
async fn popular_tags_are_counted_from_published_articles_only() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    publish(&app, &ada, "One", &["rust", "go"]).await;
    let two = publish(&app, &ada, "Two", &["rust"]).await;
    publish(&app, &ada, "Three", &["rust", "web"]).await;

    let tags: Value = app.get("/api/tags").await.json().await.unwrap();
    assert_eq!(tags["tags"][0], "rust", "the most used first: {tags}");
    let listed: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag.as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(listed.contains(&"go") && listed.contains(&"web"));

    let rust = |home: &str| text_of(home, r#"[data-testid=popular-tags] a[href="/tags/rust"]"#);
    let home = app.page("/").await;
    assert_eq!(rust(&home).as_deref(), Some("rust"), "{home}");
    assert!(home.contains(r#"title="3 stories""#), "{home}");

    // Deleting an article takes its tags out of the counts at once.
    let deleted = app
        .api(Method::DELETE, &format!("/api/articles/{two}"), &ada, Value::Null)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let home = app.page("/").await;
    assert!(
        home.contains(r#"title="2 stories""#) && !home.contains("3 stories"),
        "{home}"
    );
}
