//! A bad-input sweep over every route: each path segment and each query
//! parameter, and each server function's fields, given NUL, bidirectional
//! overrides, ten kilobytes, invalid UTF-8 and huge numbers, signed out and
//! signed in. Whatever the answer, it is never a 5xx.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::{TestApp, browser};

/// Values no route should choke on, as they appear in a URL (already
/// percent-encoded) and as text for bodies.
fn bad_values() -> Vec<(&'static str, String, String)> {
    let long = "a".repeat(10 * 1024);
    vec![
        ("NUL", "%00".to_owned(), "\u{0}".to_owned()),
        ("NUL inside", "ab%00cd".to_owned(), "ab\u{0}cd".to_owned()),
        ("bidi override", "%E2%80%AEevil".to_owned(), "\u{202E}evil".to_owned()),
        ("control", "%1B%5B31m%7F".to_owned(), "\u{1b}[31m\u{7f}".to_owned()),
        ("10 KB", long.clone(), long),
        (
            "many long segments",
            vec!["b".repeat(250); 20].join("/"),
            vec!["b".repeat(250); 20].join("/"),
        ),
        ("invalid UTF-8", "%FF%FE%C0".to_owned(), "\u{FFFD}".to_owned()),
        (
            "huge number",
            "99999999999999999999999999".to_owned(),
            "99999999999999999999999999".to_owned(),
        ),
        (
            "i64 min",
            "-9223372036854775808".to_owned(),
            "-9223372036854775808".to_owned(),
        ),
        ("negative", "-1".to_owned(), "-1".to_owned()),
        ("markup", "%3Cscript%3E".to_owned(), "<script>".to_owned()),
    ]
}

/// Every GET route, with `{}` where a path segment goes.
const PATHS: &[&str] = &[
    "/articles/{}",
    "/articles/{}/view.gif",
    "/@{}",
    "/@{}/favorites",
    "/@{}/feed.xml",
    "/tags/{}",
    "/tags/{}/feed.xml",
    "/sitemaps/{}",
    "/editor/{}",
    "/editor/{}/delete",
    "/unsubscribe/{}",
    "/media/{}",
    "/media/covers/{}/original",
    "/pkg/{}",
    "/{}",
    "/api/articles/{}",
    "/api/articles/{}/comments",
    "/api/articles/{}/favorite",
    "/api/profiles/{}",
    "/api/{}",
];

/// Every GET route with its query parameters.
const QUERIES: &[(&str, &[&str])] = &[
    ("/", &["page"]),
    ("/popular", &["period"]),
    ("/login", &["next", "__err"]),
    ("/register", &["__err"]),
    ("/settings", &["saved", "signed_out", "__err"]),
    ("/editor", &["saved", "cover", "__err"]),
    ("/following", &["page"]),
    ("/@ada", &["page", "deleted"]),
    ("/@ada/favorites", &["page"]),
    ("/tags/rust", &["page"]),
    ("/search", &["q", "page"]),
    ("/articles/first", &["x", "after"]),
    (
        "/api/articles",
        &["limit", "offset", "page", "tag", "author", "favorited", "q"],
    ),
    ("/api/articles/popular", &["period"]),
    ("/api/articles/feed", &["limit", "offset", "page"]),
    ("/api/articles/first/comments", &["limit", "after"]),
    ("/report", &["article", "comment", "sent"]),
    ("/moderation", &["name"]),
    ("/moderation/account", &["name"]),
    ("/settings/blocked", &[]),
];

/// Every server function with the fields it reads.
const SERVER_FUNCTIONS: &[(&str, &[&str])] = &[
    ("/fn/latest", &["page"]),
    ("/fn/popular", &["period"]),
    ("/fn/article", &["slug"]),
    ("/fn/author", &["username", "page"]),
    ("/fn/follow-state", &["username"]),
    ("/fn/follow", &["username", "follow"]),
    ("/fn/tagged", &["tag", "page"]),
    ("/fn/tags", &[]),
    ("/fn/search", &["q", "page"]),
    ("/fn/favorite-state", &["slug"]),
    ("/fn/favorite", &["slug", "favorite"]),
    ("/fn/favorites", &["username", "page"]),
    ("/fn/comments", &["slug", "after"]),
    ("/fn/comment", &["slug", "body"]),
    ("/fn/delete-comment", &["slug", "id"]),
    ("/fn/following", &["page"]),
    ("/fn/subscription", &["token"]),
    ("/fn/editor", &["slug"]),
    ("/fn/drafts", &["username"]),
    ("/fn/delete-article", &["slug"]),
    (
        "/fn/save-article",
        &["slug", "title", "description", "body", "tags", "intent"],
    ),
    (
        "/fn/save-settings",
        &["username", "email", "bio", "image", "password", "current_password"],
    ),
    ("/fn/login", &["email", "password", "next"]),
    ("/fn/register", &["username", "email", "password"]),
    ("/fn/report-subject", &["article", "comment"]),
    ("/fn/report", &["article", "comment", "reason", "note"]),
    ("/fn/moderation-queue", &[]),
    ("/fn/moderation-account", &["name"]),
    ("/fn/moderate", &["article", "comment", "author", "action", "reason"]),
    ("/fn/restore-writing", &["account", "article", "comment", "reason"]),
    ("/fn/suspend", &["account", "suspend", "reason"]),
    ("/fn/set-moderator", &["account", "grant", "reason"]),
    ("/fn/hide-comment", &["slug", "id", "hide"]),
    ("/fn/block", &["username", "block"]),
    ("/fn/block-state", &["username"]),
    ("/fn/blocked", &[]),
];

fn assert_not_5xx(what: &str, status: StatusCode) {
    assert!(!status.is_server_error(), "{what}: {status}");
}

#[tokio::test]
async fn no_bad_input_on_any_route_is_a_server_error() {
    // Rate limits would answer 429 long before the sweep ends; they have
    // tests of their own.
    let app = TestApp::builder()
        .var("WARTA_TRUSTED_PROXIES", "127.0.0.1")
        .spawn()
        .await;
    let token = app.api_token("ada").await;
    let signed_in = browser();
    app.sign_up_with(&signed_in, "bob").await;
    let created = app
        .client
        .post(app.url("/api/articles"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .json(&json!({ "article": { "title": "First", "description": "d", "body": "b" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);

    let anonymous = browser();
    let mut requests = 0;
    // Each request from its own (made-up) address, so no budget runs out.
    let mut n = 0_u32;
    let mut address = || {
        n += 1;
        format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)
    };
    for (name, encoded, _) in bad_values() {
        let mut urls: Vec<String> = PATHS.iter().map(|path| path.replace("{}", &encoded)).collect();
        for (path, params) in QUERIES {
            for param in *params {
                urls.push(format!("{path}?{param}={encoded}"));
            }
        }
        for url in urls {
            for (who, client) in [("anonymous", &anonymous), ("signed in", &signed_in)] {
                let response = client
                    .get(app.url(&url))
                    .header("x-forwarded-for", address())
                    .send()
                    .await
                    .unwrap();
                assert_not_5xx(&format!("GET {url} ({name}, {who})"), response.status());
                requests += 1;
            }
            let with_token = anonymous
                .get(app.url(&url))
                .header(header::AUTHORIZATION, format!("Token {token}"))
                .header("x-forwarded-for", address())
                .send()
                .await
                .unwrap();
            assert_not_5xx(&format!("GET {url} ({name}, API token)"), with_token.status());
            requests += 1;
        }
    }

    for (name, encoded, text) in bad_values() {
        for (path, fields) in SERVER_FUNCTIONS {
            for field in *fields {
                // The other fields plausible, this one bad: as a form (the
                // way browsers send it) and raw (as anything may).
                let mut form: Vec<(&str, String)> = fields
                    .iter()
                    .map(|other| (*other, if other == field { text.clone() } else { "1".to_owned() }))
                    .collect();
                form.retain(|(key, _)| !key.is_empty());
                let raw = fields
                    .iter()
                    .map(|other| format!("{other}={}", if other == field { encoded.as_str() } else { "1" }))
                    .collect::<Vec<_>>()
                    .join("&");
                for (who, client) in [("anonymous", &anonymous), ("signed in", &signed_in)] {
                    for accept in ["text/html", "application/json"] {
                        let response = client
                            .post(app.url(path))
                            .header(header::ACCEPT, accept)
                            .header(header::REFERER, app.url("/"))
                            .header("x-forwarded-for", address())
                            .form(&form)
                            .send()
                            .await
                            .unwrap();
                        assert_not_5xx(
                            &format!("POST {path} {field}={name} ({who}, {accept})"),
                            response.status(),
                        );
                        let raw_response = client
                            .post(app.url(path))
                            .header(header::ACCEPT, accept)
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .header("x-forwarded-for", address())
                            .body(raw.clone())
                            .send()
                            .await
                            .unwrap();
                        assert_not_5xx(
                            &format!("POST {path} raw {field}={name} ({who}, {accept})"),
                            raw_response.status(),
                        );
                        requests += 2;
                    }
                }
            }
        }
        // The JSON API's writes, each text field bad in turn.
        for (method, path, body) in [
            (
                "POST",
                "/api/users",
                json!({ "user": { "username": text, "email": text, "password": text } }),
            ),
            (
                "POST",
                "/api/users/login",
                json!({ "user": { "email": text, "password": text } }),
            ),
            ("PUT", "/api/user", json!({ "user": { "bio": text, "image": text } })),
            (
                "PUT",
                "/api/user",
                json!({ "user": { "username": text, "email": text, "currentPassword": text } }),
            ),
            (
                "POST",
                "/api/articles",
                json!({ "article": { "title": text, "description": text, "body": text, "tagList": [text] } }),
            ),
            (
                "PUT",
                "/api/articles/first",
                json!({ "article": { "title": text, "body": text, "tagList": [text] } }),
            ),
            (
                "POST",
                "/api/articles/first/comments",
                json!({ "comment": { "body": text } }),
            ),
            ("POST", &format!("/api/profiles/{encoded}/follow"), json!({})),
            ("DELETE", &format!("/api/articles/first/comments/{encoded}"), json!({})),
        ] {
            let response = anonymous
                .request(method.parse().unwrap(), app.url(path))
                .header(header::AUTHORIZATION, format!("Token {token}"))
                .header("x-forwarded-for", address())
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_not_5xx(&format!("{method} {path} ({name})"), response.status());
            requests += 1;
        }
    }
    // A page still renders after all that.
    assert_eq!(
        anonymous.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert!(requests > 2_000, "{requests} requests");
}
