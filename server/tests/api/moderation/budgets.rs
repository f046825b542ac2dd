//! Budgets for writing: new articles an hour, favorites and follows a
//! minute, and new accounts from one address an hour; past each, 429 with
//! `Retry-After` (or the form's message), and nothing written.

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{TestApp, browser, location};

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn article(n: usize) -> serde_json::Value {
    json!({ "article": { "title": format!("Story {n}"), "description": "About it", "body": "Words." } })
}

#[tokio::test]
async fn an_account_begins_ten_articles_an_hour() {
    let app = TestApp::spawn().await;
    let token = app.api_token("prolific").await;
    for n in 0..10 {
        let created = app.api(Method::POST, "/api/articles", &token, article(n)).await;
        assert_eq!(created.status(), StatusCode::CREATED, "article {n}");
    }
    let refused = app.api(Method::POST, "/api/articles", &token, article(10)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(count(&app, "articles").await, 10);

    // The editor says so, and keeps what was typed; editing is not counted.
    let writer = browser();
    app.sign_up_with(&writer, "writer").await;
    for n in 0..10 {
        app.write_with(&writer, &format!("Draft {n}"), "draft").await;
    }
    let fields = [
        ("title", "One too many"),
        ("description", "About it"),
        ("body", "Words I would rather not lose."),
        ("tags", ""),
        ("intent", "publish"),
    ];
    let form = app.post_form_with(&writer, "/editor", "/editor", &fields).await;
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = form.text().await.unwrap();
    assert!(page.contains("You have begun many articles this hour"), "{page}");
    assert!(
        page.contains("Words I would rather not lose."),
        "what was typed is kept"
    );
    assert_eq!(count(&app, "articles").await, 20);
    let edit = [
        ("title", "Draft 0, again"),
        ("description", "About it"),
        ("body", "Better words."),
        ("tags", ""),
        ("intent", "publish"),
    ];
    let edited = app
        .post_form_with(&writer, "/editor/draft-0", "/editor/draft-0", &edit)
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER, "an edit is not a new article");
}

#[tokio::test]
async fn favorites_and_follows_have_a_budget_a_minute() {
    let app = TestApp::spawn().await;
    let author = app.api_token("ada").await;
    let slug = app.publish(&author, article(0)["article"].clone()).await;
    let clicker = app.api_token("clicker").await;
    let favorite = format!("/api/articles/{slug}/favorite");
    for n in 0..30 {
        let done = app.api(Method::POST, &favorite, &clicker, json!({})).await;
        assert_eq!(done.status(), StatusCode::OK, "favorite {n}");
        let undone = app.api(Method::DELETE, &favorite, &clicker, json!({})).await;
        assert_eq!(undone.status(), StatusCode::OK, "unfavoriting is free");
    }
    let refused = app.api(Method::POST, &favorite, &clicker, json!({})).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(count(&app, "favorites").await, 0);

    for n in 0..30 {
        let done = app
            .api(Method::POST, "/api/profiles/ada/follow", &clicker, json!({}))
            .await;
        assert_eq!(done.status(), StatusCode::OK, "follow {n}");
        app.api(Method::DELETE, "/api/profiles/ada/follow", &clicker, json!({}))
            .await;
    }
    let refused = app
        .api(Method::POST, "/api/profiles/ada/follow", &clicker, json!({}))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(count(&app, "follows").await, 0);
    // Another account has its own budget.
    let other = app.api_token("other").await;
    let done = app
        .api(Method::POST, "/api/profiles/ada/follow", &other, json!({}))
        .await;
    assert_eq!(done.status(), StatusCode::OK);
}

#[tokio::test]
async fn one_address_makes_twenty_accounts_an_hour() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        app.api_token(&format!("user{n}")).await;
    }
    let refused = app
        .client
        .post(app.url("/api/users"))
        .json(&json!({ "user": { "username": "user20", "email": "user20@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let form = app
        .post_form(
            "/fn/register",
            "/register",
            &[
                ("username", "formuser"),
                ("email", "formuser@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(location(&form).contains("__err"), "the form says so");
    assert_eq!(count(&app, "users").await, 20);
}
