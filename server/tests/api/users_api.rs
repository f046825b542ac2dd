//! The RealWorld users endpoints: tokens, errors, and privacy of answers.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn register(app: &TestApp, name: &str) -> String {
    app.api_token(name).await
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/user"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_caller_sees_their_own_account_and_it_is_never_cached() {
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "60000").spawn().await;
    let ada = register(&app, "ada").await;
    let grace = register(&app, "grace").await;

    let first = me(&app, &ada).await;
    assert_eq!(first.headers()[header::CACHE_CONTROL], "private, no-store");
    assert!(first.headers().get("x-cache").is_none());
    assert_eq!(first.json::<Value>().await.unwrap()["user"]["username"], "ada");
    let second: Value = me(&app, &grace).await.json().await.unwrap();
    assert_eq!(second["user"]["username"], "grace", "not ada's cached answer");

    let updated = app
        .client
        .put(app.url("/api/user"))
        .header(header::AUTHORIZATION, format!("Token {ada}"))
        .json(&json!({ "user": { "bio": "Mathematician" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let again: Value = me(&app, &ada).await.json().await.unwrap();
    assert_eq!(again["user"]["bio"], "Mathematician", "the change shows at once");
}

#[tokio::test]
async fn tokens_are_required_valid_and_revocable() {
    let app = TestApp::spawn().await;
    let missing = app.get("/api/user").await;
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["errors"]["token"][0],
        "is missing"
    );
    assert_eq!(me(&app, "not-a-token").await.status(), 401);

    let token = register(&app, "ada").await;
    assert_eq!(me(&app, &token).await.status(), 200);
    sqlx::query!("DELETE FROM api_tokens").execute(&app.db).await.unwrap();
    assert_eq!(me(&app, &token).await.status(), 401, "a deleted token is revoked");

    let stored =
        sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users WHERE password_hash LIKE '$argon2id$%'"#)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn duplicate_and_blank_registrations_get_409_and_422() {
    let app = TestApp::spawn().await;
    register(&app, "ada").await;
    let duplicate = app
        .client
        .post(app.url("/api/users"))
        .json(&json!({ "user": { "username": "ADA", "email": "new@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    assert_eq!(
        duplicate.json::<Value>().await.unwrap()["errors"]["username"][0],
        "has already been taken"
    );

    let blank = app
        .client
        .post(app.url("/api/users"))
        .json(&json!({ "user": { "username": "", "email": "x@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(blank.status(), 422);
    assert_eq!(
        blank.json::<Value>().await.unwrap()["errors"]["username"][0],
        "can't be blank"
    );

    let not_json = app
        .client
        .post(app.url("/api/users"))
        .body("{")
        .header(header::CONTENT_TYPE, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 422);

    let wrong = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "ada@example.org", "password": "wrong-password" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["errors"]["credentials"][0],
        "invalid"
    );
}
