//! Limits on what users write, and names that cannot name anything
//! (cases 4 and 5).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{HOSTILE, publish};
use crate::helpers::{TestApp, assert_harmless, browser};

/// Case 4: profile fields have limits everywhere they can be set, and a
/// listing carries no bio however long bios are.
#[tokio::test]
async fn profile_fields_are_bounded_and_listings_carry_no_bio() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let put = |user: Value| app.api(reqwest::Method::PUT, "/api/user", &ada, json!({ "user": user }));
    let huge = put(json!({ "bio": "b".repeat(360 * 1024) })).await;
    assert_eq!(huge.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = huge.json().await.unwrap();
    assert!(
        body["errors"]["bio"][0].as_str().unwrap().contains("too long"),
        "{body}"
    );
    for image in [
        format!("https://example.com/{}", "i".repeat(3000)),
        "javascript:alert(1)".to_owned(),
        "https://example.com/\"onerror=\"alert(1)".to_owned(),
    ] {
        let refused = put(json!({ "image": image })).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{image}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["errors"]["image"].is_array(), "{body}");
    }

    let bio = format!("{HOSTILE} {}", "long bio ".repeat(100));
    assert_eq!(put(json!({ "bio": bio })).await.status(), StatusCode::OK);
    for n in 0..6 {
        publish(
            &app,
            &ada,
            json!({ "title": format!("Story {n}"), "description": "d", "body": "b" }),
        )
        .await;
    }
    let listing: Value = browser()
        .get(app.url("/api/articles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listing["articlesCount"], 6);
    for article in listing["articles"].as_array().unwrap() {
        assert_eq!(article["author"]["username"], "ada");
        assert_eq!(article["author"]["bio"], Value::Null, "no bio in a listing");
    }
    let home = app.page("/").await;
    assert!(!home.contains("long bio"), "the home page carries no bio");
    assert!(home.len() < 64 * 1024, "the home page is {} bytes", home.len());
    let profile = app.page("/@ada").await;
    assert!(profile.contains("long bio"), "the author's own page shows it");
    assert_harmless("/@ada", &profile);

    // Comments carry their writer's name and picture, not the bio.
    let slug = publish(&app, &ada, json!({ "title": "Talk", "description": "d", "body": "b" })).await;
    let path = format!("/api/articles/{slug}/comments");
    let added = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": "Hi" } }),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["comment"]["author"]["bio"], Value::Null);
    let long = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": "c".repeat(5001) } }),
        )
        .await;
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Case 4, the form: the settings form has the same limits as the API.
#[tokio::test]
async fn the_settings_form_refuses_what_the_api_refuses() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let bio = "b".repeat(1001);
    for (field, value, message) in [
        ("bio", bio.as_str(), "Bio is too long"),
        ("image", "javascript:alert(1)", "Image must be an http(s) URL"),
        ("bio", "right\u{202E}left", "Bio may not contain control characters"),
    ] {
        let mut fields = vec![
            ("username", "ada"),
            ("email", "ada@example.org"),
            ("bio", ""),
            ("image", ""),
            ("password", ""),
        ];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        let refused = app.post_form("/fn/save-settings", "/settings", &fields).await;
        let page = app.follow(&refused).await;
        assert!(page.contains(message), "{field}: {message}");
    }
}

/// Case 5: bytes that cannot name anything are 404 or 422, never a 5xx.
#[tokio::test]
async fn nul_and_overlong_names_are_not_found_or_refused() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let long = "a".repeat(80);
    let paths = [
        "/articles/%00".to_owned(),
        "/@%00".to_owned(),
        "/api/articles/%00".to_owned(),
        "/api/articles/%00/comments".to_owned(),
        "/api/profiles/%00".to_owned(),
        "/api/articles?tag=%00".to_owned(),
        "/api/articles?author=%00".to_owned(),
        "/api/articles?favorited=%00".to_owned(),
        format!("/{long}"),
        format!("/pkg/{long}"),
        format!("/articles/{}", "a".repeat(10_000)),
        format!("/@{}", "a".repeat(10_000)),
    ];
    let signed_in = browser();
    app.sign_up_with(&signed_in, "bob").await;
    for path in &paths {
        let response = browser().get(app.url(path)).send().await.unwrap();
        let status = response.status();
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY),
            "{path}: {status}"
        );
    }
    // The editor, for a writer, on what names no article.
    for path in ["/editor/%00", "/editor/%00/delete"] {
        let response = signed_in.get(app.url(path)).send().await.unwrap();
        let status = response.status();
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY),
            "{path}: {status}"
        );
    }
    let nul_title = app
        .api(
            reqwest::Method::POST,
            "/api/articles",
            &ada,
            json!({ "article": { "title": "a\u{0}b", "description": "d", "body": "b" } }),
        )
        .await;
    assert_eq!(nul_title.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = nul_title.json().await.unwrap();
    assert!(
        body["errors"]["title"][0]
            .as_str()
            .unwrap()
            .contains("control characters"),
        "{body}"
    );
    let nul_login = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "a\u{0}@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(nul_login.status(), StatusCode::UNAUTHORIZED);
}
