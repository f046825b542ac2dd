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
    publish(&app, &ada, "Newest rust", &["rust", "Kopi Ō"]).await;

    let page = app.page("/tags/rust").await;
    let newest = page.find("Newest rust").expect("the newest rust story");
    let oldest = page.find("Oldest rust").expect("the oldest rust story");
    assert!(newest < oldest, "newest first");
    assert!(!page.contains("About go"), "only the tag's stories");
    assert!(page.contains("<title>#rust · Warta</title>"), "{page}");

    // Tags are stored in their one spelling and linked as one encoded path
    // segment, on listings and pages.
    let home = app.page("/").await;
    assert!(home.contains(r#"href="/tags/kopi-%C5%8D""#), "{home}");
    let odd = app.page("/tags/kopi-%C5%8D").await;
    assert!(odd.contains("Newest rust") && !odd.contains("Oldest rust"), "{odd}");
    let article = app.page("/articles/newest-rust").await;
    assert!(article.contains(r#"href="/tags/rust""#), "{article}");

    // Any other spelling is a permanent redirect to that page (the query
    // kept), in either language, for the page and its feed.
    for (typed, canonical) in [
        ("/tags/Rust", "/tags/rust"),
        ("/tags/KOPI%20%C5%8C?page=2", "/tags/kopi-%C5%8D?page=2"),
        ("/id/tags/Rust", "/id/tags/rust"),
        ("/tags/RUST/feed.xml", "/tags/rust/feed.xml"),
    ] {
        let response = app.get(typed).await;
        assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY, "{typed}");
        assert_eq!(crate::helpers::location(&response), canonical, "{typed}");
    }

    // A tag nothing published carries, or that no spelling makes, is not
    // found, page and feed alike.
    for missing in [
        "/tags/nothing-here",
        "/tags/nothing-here/feed.xml",
        "/id/tags/nothing-here",
        "/tags/c++",
    ] {
        let response = app.get(missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

/// One spelling whichever door a tag comes through: the JSON API stores and
/// filters by it and refuses what cannot be a tag; the form does too, with
/// a message naming the field and nothing the author typed lost.
#[tokio::test]
async fn tags_have_one_spelling_through_the_api_and_the_form() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let created = app
        .api(
            Method::POST,
            "/api/articles",
            &ada,
            json!({ "article": { "title": "Ride", "description": "d", "body": "b", "tagList": ["Bersepeda", "Slow Travel", "bersepeda"] } }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["article"]["tagList"], json!(["bersepeda", "slow-travel"]));
    for filter in ["bersepeda", "BERSEPEDA", "Bersepeda"] {
        let listed: Value = app
            .get(&format!("/api/articles?tag={filter}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["articlesCount"], 1, "?tag={filter}");
    }
    let refused = app
        .api(
            Method::POST,
            "/api/articles",
            &ada,
            json!({ "article": { "title": "C", "description": "d", "body": "b", "tagList": ["c++"] } }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(
        refused["errors"]["tags"][0],
        "may hold only letters, digits, _, spaces and hyphens"
    );

    app.sign_up("grace").await;
    let form = app
        .post_form(
            "/editor",
            "/editor",
            &[
                ("title", "Operators"),
                ("description", ""),
                ("body", "On C++."),
                ("tags", "languages, c++"),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(form.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = form.text().await.unwrap();
    assert_eq!(
        text_of(&page, "#field-tags-note").as_deref(),
        Some("Tags may hold only letters, digits, _, spaces and hyphens"),
        "{page}"
    );
    assert!(
        page.contains(r#"value="languages, c++""#),
        "the tags typed are kept: {page}"
    );
    assert!(page.contains("On C++."), "the body typed is kept");
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
