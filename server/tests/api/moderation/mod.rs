//! Moderation end to end, with JavaScript off: reports and the queue,
//! hiding and restoring, suspension, blocking, roles and the history.

mod blocking;
mod budgets;
mod hiding;
mod reports;
mod roles;
mod suspension;

use app::domain::{ModerationReason, Role};
use reqwest::StatusCode;

use crate::helpers::{TestApp, browser, location};

/// Gives `username` the `role`, as `warta admin grant` does (the command
/// itself has a test of its own in `roles`).
pub(crate) async fn grant(app: &TestApp, username: &str, role: Role) {
    let reason = ModerationReason::parse("a test needs one").unwrap();
    app::ssr::moderation::set_role(&app.db, app.clock.now(), None, username, role, &reason)
        .await
        .expect("granting a role");
}

/// A browser signed in as the new account `username`, given `role`.
pub(crate) async fn staff(app: &TestApp, username: &str, role: Role) -> reqwest::Client {
    let client = browser();
    app.sign_up_with(&client, username).await;
    grant(app, username, role).await;
    client
}

/// `client` suspends (`suspend`) or restores `account` from its moderation
/// page; the answer.
pub(crate) async fn suspend(
    app: &TestApp,
    client: &reqwest::Client,
    account: &str,
    suspend: bool,
    reason: &str,
) -> reqwest::Response {
    app.post_form_with(
        client,
        "/fn/suspend",
        &format!("/moderation/account?name={account}"),
        &[
            ("account", account),
            ("suspend", if suspend { "true" } else { "false" }),
            ("reason", reason),
        ],
    )
    .await
}

/// `client` applies `action` (`hide`, `dismiss`, `suspend`) to an item in
/// the queue: the article `article`, or its comment `comment`, by `author`.
pub(crate) async fn moderate(
    app: &TestApp,
    client: &reqwest::Client,
    article: &str,
    comment: Option<i64>,
    author: &str,
    action: &str,
    reason: &str,
) -> reqwest::Response {
    let comment = comment.map(|id| id.to_string());
    let mut fields = vec![
        ("article", article),
        ("author", author),
        ("action", action),
        ("reason", reason),
    ];
    if let Some(comment) = &comment {
        fields.push(("comment", comment.as_str()));
    }
    app.post_form_with(client, "/fn/moderate", "/moderation", &fields).await
}

/// What `client` is shown at `path`.
pub(crate) async fn page_for(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.expect("request");
    (response.status(), response.text().await.expect("a page"))
}

/// Asserts a plain form post was done: a redirect to `to`.
pub(crate) fn assert_done(response: &reqwest::Response, to: &str) {
    assert_eq!(response.status(), StatusCode::FOUND, "{to}");
    assert!(location(response).ends_with(to), "{} is not {to}", location(response));
}

/// A comment by the holder of `token` on the article `slug`; its id.
pub(crate) async fn api_comment(app: &TestApp, token: &str, slug: &str, body: &str) -> i64 {
    let response = app
        .api(
            reqwest::Method::POST,
            &format!("/api/articles/{slug}/comments"),
            token,
            serde_json::json!({ "comment": { "body": body } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "commenting on {slug}");
    let body: serde_json::Value = response.json().await.unwrap();
    body["comment"]["id"].as_i64().expect("an id")
}

/// The history of `account` as its moderation page lists it, in text.
pub(crate) async fn history(app: &TestApp, moderator: &reqwest::Client, account: &str) -> String {
    let (status, page) = page_for(app, moderator, &format!("/moderation/account?name={account}")).await;
    assert_eq!(status, StatusCode::OK);
    crate::helpers::text_of(&page, "[data-testid=history]").unwrap_or_default()
}
