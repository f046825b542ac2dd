//! Signing in and sessions: redirects that stay on the site, the
//! account's budget, credential changes, session lifetime and password
//! hashing under load (cases 2, 3, 6 and 7).

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, browser, eventually, location, text_of};

/// Case 2: `next` leads only to a path on this site, and a value a header
/// cannot carry does not break the answer.
#[tokio::test]
async fn signing_in_never_leaves_the_site_or_drops_the_connection() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/\u{7f}",
        "/\u{0}",
        "/é",
    ] {
        let client = browser();
        let response = app
            .post_form_with(
                &client,
                "/fn/login",
                "/login",
                &[
                    ("email", "ada@example.org"),
                    ("password", "correct horse"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FOUND, "{next:?}");
        assert_eq!(location(&response), "/", "{next:?}");
    }
    // The sign-in form does not offer such a `next` either.
    let page = app.page("/login?next=%2F%09%2Fevil.example").await;
    assert!(!page.contains("evil.example"), "{page}");
}

/// Case 3: the per-account budget counts the email an attempt uses,
/// whatever the body's media type says.
#[tokio::test]
async fn the_account_budget_holds_whatever_the_media_type() {
    let app = TestApp::spawn().await;
    app.api_token("ada").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let response = app
            .client
            .post(app.url("/fn/login"))
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::ACCEPT, "application/json")
            .body("email=ada%40example.org&password=wrong+guess")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(!statuses[..10].contains(&429), "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");

    let mut api = Vec::new();
    for _ in 0..11 {
        let response = app
            .client
            .post(app.url("/api/users/login"))
            .header(header::CONTENT_TYPE, "application/vnd.api+json")
            .body(json!({ "user": { "email": "ADA@example.org", "password": "wrong" } }).to_string())
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        api.push((response.status().as_u16(), retry_after.is_some()));
    }
    // The account's budget was spent above: the API counts the same one.
    assert!(api.iter().all(|(status, _)| *status == 429), "{api:?}");
    assert!(api.iter().all(|(_, retry_after)| *retry_after), "{api:?}");
}

/// Case 6: changing the password or email takes the current one, and ends
/// every other session and API token.
#[tokio::test]
async fn credential_changes_take_the_current_password_and_end_other_sessions() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    // The same account in a second browser, and an API token.
    let other = browser();
    let signed_in = app
        .post_form_with(
            &other,
            "/fn/login",
            "/login",
            &[("email", "ada@example.org"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(location(&signed_in), "/");
    let token = app.api_sign_in("ada@example.org", "correct horse").await;

    let change = |current: &'static str| {
        [
            ("username", "ada"),
            ("email", "ada@example.org"),
            ("bio", ""),
            ("image", ""),
            ("password", "a brand new password"),
            ("current_password", current),
        ]
    };
    for (current, message) in [
        ("", "Current password is needed"),
        ("wrong guess", "Current password is not right"),
    ] {
        let refused = app.post_form("/fn/save-settings", "/settings", &change(current)).await;
        let page = app.follow(&refused).await;
        assert!(page.contains(message), "{message}");
    }
    assert_eq!(
        whoami(&app, &other).await.as_deref(),
        Some("ada"),
        "nothing changed yet"
    );

    let saved = app
        .post_form("/fn/save-settings", "/settings", &change("correct horse"))
        .await;
    assert_eq!(location(&saved), "/settings?saved=1");
    assert_eq!(
        whoami(&app, &app.client).await.as_deref(),
        Some("ada"),
        "this session stays"
    );
    assert_eq!(whoami(&app, &other).await, None, "the other session has ended");
    let with_token = app
        .client
        .get(app.url("/api/user"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::UNAUTHORIZED, "the old token has ended");

    // "Sign out everywhere" ends the others too, and keeps this one.
    let third = browser();
    app.post_form_with(
        &third,
        "/fn/login",
        "/login",
        &[("email", "ada@example.org"), ("password", "a brand new password")],
    )
    .await;
    assert_eq!(whoami(&app, &third).await.as_deref(), Some("ada"));
    let refused = app
        .post_form("/fn/sign-out-everywhere", "/settings", &[("your_password", "a guess")])
        .await;
    assert!(location(&refused).contains("__err="), "it takes the password");
    assert_eq!(whoami(&app, &third).await.as_deref(), Some("ada"));
    let everywhere = app
        .post_form(
            "/fn/sign-out-everywhere",
            "/settings",
            &[("your_password", "a brand new password")],
        )
        .await;
    assert_eq!(location(&everywhere), "/settings?signed_out=1");
    assert_eq!(whoami(&app, &third).await, None);
    assert_eq!(whoami(&app, &app.client).await.as_deref(), Some("ada"));

    // Through the API, an old token needs the current password; the token
    // making the change survives it, and the other tokens do not.
    let old_token = app.api_sign_in("ada@example.org", "a brand new password").await;
    sqlx::query("UPDATE api_tokens SET created_at = now() - interval '1 hour'")
        .execute(&app.db)
        .await
        .unwrap();
    let second_token = app.api_token("someone_else").await;
    let refused = app
        .api(
            reqwest::Method::PUT,
            "/api/user",
            &old_token,
            json!({ "user": { "email": "thief@example.org" } }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert!(body["errors"]["currentPassword"].is_array(), "{body}");
    let changed = app
        .api(
            reqwest::Method::PUT,
            "/api/user",
            &old_token,
            json!({ "user": { "email": "ada2@example.org", "currentPassword": "a brand new password" } }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        app.api(reqwest::Method::GET, "/api/user", &old_token, Value::Null)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(whoami(&app, &app.client).await, None, "the browser session has ended");
    assert_eq!(
        app.api(reqwest::Method::GET, "/api/user", &second_token, Value::Null)
            .await
            .status(),
        StatusCode::OK,
        "another account's token is untouched"
    );
}

/// A session ends its set time after sign-in, however busy it is (ASVS
/// 3.3.2: periodic re-authentication), so a stolen cookie does not last
/// forever by being used.
#[tokio::test]
async fn a_session_ends_its_lifetime_after_sign_in_however_much_it_is_used() {
    let app = TestApp::builder().var("WARTA_SESSION_MAX_AGE_SECS", "2").spawn().await;
    app.sign_up("ada").await;
    assert_eq!(whoami(&app, &app.client).await.as_deref(), Some("ada"));
    eventually(
        std::time::Duration::from_secs(15),
        "the session ends",
        async || match whoami(&app, &app.client).await {
            None => Ok(()),
            Some(name) => Err(format!("still signed in as {name}")),
        },
    )
    .await;
}

/// Who `client` is signed in as, as the page header says.
async fn whoami(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let page = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    text_of(&page, r#"[data-testid="signed-in-as"]"#)
}

/// Case 7: password hashing is admitted a few at a time; past the wait a
/// sign-in is a 503 with `Retry-After`, not another 19 MiB.
#[tokio::test]
async fn password_hashing_beyond_its_threads_is_refused_with_retry_after() {
    let app = TestApp::builder()
        .var("WARTA_PASSWORD_HASHERS", "1")
        .var("WARTA_PASSWORD_WAIT_MS", "1")
        .spawn()
        .await;
    let attempts = (0..12).map(|n| {
        let client = browser();
        let url = app.url("/api/users/login");
        async move {
            let response = client
                .post(url)
                .json(&json!({ "user": { "email": format!("nobody{n}@example.org"), "password": "password123" } }))
                .send()
                .await
                .unwrap();
            (response.status(), response.headers().get(header::RETRY_AFTER).cloned())
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(busy.iter().all(|(_, retry_after)| retry_after.is_some()), "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, _)| matches!(*status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE)),
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|(status, _)| *status == StatusCode::UNAUTHORIZED),
        "the hasher still works: {answers:?}"
    );
}
