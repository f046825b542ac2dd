use chrono::Utc;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixtures};

#[tokio::test]
async fn an_article_comes_back_in_the_realworld_shape_with_its_markdown_body() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let now = Utc::now();
    let slug = fixtures::article(&app.db, ada, "Engines", now, Some(now)).await;

    let response = app.get(&format!("/api/articles/{slug}")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    let article = &body["article"];
    assert_eq!(article["slug"], slug);
    assert_eq!(article["title"], "Engines");
    assert_eq!(article["description"], "About Engines");
    assert_eq!(article["body"], "# Engines", "the Markdown source, not HTML");
    assert_eq!(article["tagList"], json!([]));
    assert_eq!(article["favorited"], false);
    assert_eq!(article["favoritesCount"], 0);
    assert_eq!(
        article["author"],
        json!({ "username": "ada", "bio": null, "image": null, "following": false })
    );
    let created = article["createdAt"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok(), "{created}");
}

#[tokio::test]
async fn unknown_and_draft_articles_are_404_with_a_realworld_error() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let draft = fixtures::article(&app.db, ada, "Draft", Utc::now(), None).await;
    for slug in ["no-such-article", draft.as_str()] {
        let response = app.get(&format!("/api/articles/{slug}")).await;
        assert_eq!(response.status(), 404, "{slug}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "errors": { "article": ["not found"] } }), "{slug}");
    }
}

#[tokio::test]
async fn profiles_come_back_in_the_realworld_shape() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "Ada").await;
    sqlx::query!(
        "UPDATE users SET bio = 'Engines.', image = 'https://example.com/ada.png' WHERE id = $1",
        ada
    )
    .execute(&app.db)
    .await
    .unwrap();
    let body: Value = app.get("/api/profiles/ada").await.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "profile": { "username": "Ada", "bio": "Engines.", "image": "https://example.com/ada.png", "following": false } })
    );

    let missing = app.get("/api/profiles/nobody").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({ "errors": { "profile": ["not found"] } })
    );
}

#[tokio::test]
async fn unknown_api_paths_answer_json_not_html() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/no/such/thing").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "errors": { "path": ["not found"] } })
    );
}

#[tokio::test]
async fn the_api_answers_503_in_json_when_postgres_is_down() {
    let app = TestApp::builder().postgres_down().spawn().await;
    let response = app.get("/api/articles/anything").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"]["server"].is_array(), "{body}");
}
