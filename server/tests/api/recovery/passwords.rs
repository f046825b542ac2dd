//! The most common passwords, refused.

use app::i18n::Locale;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, browser, location};

#[tokio::test]
async fn the_most_common_passwords_are_refused_by_the_forms_and_by_a_strict_api() {
    let app = TestApp::spawn().await;
    for (locale, message) in [
        (Locale::En, "Password is too easy to guess"),
        (Locale::Id, "Kata sandi terlalu mudah ditebak"),
    ] {
        let registering = browser();
        let refused = app
            .post_form_with(
                &registering,
                "/fn/register",
                &locale.href("/register"),
                &[
                    ("username", "ada"),
                    ("email", "ada@example.org"),
                    ("password", "password"),
                ],
            )
            .await;
        assert!(location(&refused).contains("__err="));
        assert!(
            app.follow_with(&registering, &refused).await.contains(message),
            "{locale:?}"
        );
    }
    let own_name = app
        .post_form(
            "/fn/register",
            "/register",
            &[
                ("username", "adalovelace"),
                ("email", "ada@example.org"),
                ("password", "adalovelace1"),
            ],
        )
        .await;
    assert!(app.follow(&own_name).await.contains("Password is too easy to guess"));

    // Settings refuse a common new password, say which field, keep what
    // was typed elsewhere and leave the old password working.
    let reader = browser();
    app.sign_up_with(&reader, "grace").await;
    let refused = app
        .post_form_with(
            &reader,
            "/fn/save-settings",
            "/settings",
            &[
                ("username", "grace"),
                ("email", "grace@example.org"),
                ("bio", "Found the first bug."),
                ("image", ""),
                ("password", "qwerty123"),
                ("current_password", "correct horse"),
            ],
        )
        .await;
    assert!(location(&refused).contains("__err="), "{:?}", location(&refused));
    let page = app.follow_with(&reader, &refused).await;
    assert!(page.contains("Password is too easy to guess"), "{page}");
    assert!(page.contains("Found the first bug."), "the bio typed is not lost");
    let again = browser();
    let signed_in = app
        .post_form_with(
            &again,
            "/fn/login",
            "/login",
            &[("email", "grace@example.org"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(location(&signed_in), "/", "the old password still works");

    // The RealWorld API follows its specification by default...
    assert!(!app.api_token("spec").await.is_empty(), "password123 is accepted");
    // ...and the forms' rules when told to.
    let strict = TestApp::builder().var("WARTA_API_STRICT", "true").spawn().await;
    let refused = strict
        .client
        .post(strict.url("/api/users"))
        .json(&json!({ "user": { "username": "ada", "email": "ada@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"]["password"][0], "is too easy to guess");
    // A strict API asks for the current password even from a fresh token.
    let fresh = strict
        .client
        .post(strict.url("/api/users"))
        .json(&json!({ "user": { "username": "ada", "email": "ada@example.org", "password": "a kettle on the hob" } }))
        .send()
        .await
        .unwrap();
    let fresh: Value = fresh.json().await.unwrap();
    let token = fresh["user"]["token"].as_str().unwrap();
    let change = strict
        .api(
            reqwest::Method::PUT,
            "/api/user",
            token,
            json!({ "user": { "password": "another kettle boils" } }),
        )
        .await;
    assert_eq!(change.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
