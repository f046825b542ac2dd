//! Suspending an account: its writing leaves every listing, feed, sitemap,
//! search and comment thread, its sessions and tokens stop working, its
//! followers hear nothing, and restoring puts it all back.

use std::{process::Stdio, time::Duration};

use app::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{api_comment, assert_done, history, page_for, staff, suspend};
use crate::{
    helpers::{TestApp, browser, drained_jobs, location},
    smtp::SmtpServer,
};

/// Every public place the spammer's writing shows up, as an anonymous
/// reader gets it: each place, and how often it says "zqxv".
async fn everywhere(app: &TestApp) -> Vec<(&'static str, usize)> {
    let mut seen = Vec::new();
    for path in [
        "/",
        "/tags/deals",
        // Not the word counted: the page repeats what was searched for.
        "/search?q=watches",
        "/feed.xml",
        "/tags/deals/feed.xml",
        "/sitemaps/articles-0.xml",
        "/api/articles",
        "/api/articles?tag=deals",
        "/articles/engines-of-thought",
        "/api/articles/engines-of-thought/comments",
    ] {
        let page = browser().get(app.url(path)).send().await.unwrap();
        // A tag no visible article carries is not found, like any unknown tag.
        if path.starts_with("/tags/") && page.status() == StatusCode::NOT_FOUND {
            seen.push((path, 0));
            continue;
        }
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        seen.push((path, page.text().await.unwrap().matches("zqxv").count()));
    }
    seen
}

#[tokio::test]
async fn a_suspended_author_vanishes_everywhere_until_restored() {
    let app = TestApp::spawn().await;
    let token = app.api_token("spammer").await;
    let slug = app
        .publish(
            &token,
            json!({ "title": "Cheap watches zqxv", "description": "Deals", "body": "Buy zqxv now.", "tagList": ["deals"] }),
        )
        .await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    api_comment(&app, &token, "engines-of-thought", "Visit the zqxv shop").await;
    let spammer = browser();
    let signed_in = app
        .post_form_with(
            &spammer,
            "/fn/login",
            "/login",
            &[("email", "spammer@example.org"), ("password", "password123")],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    let moderator = staff(&app, "mod", Role::Moderator).await;

    let before = everywhere(&app).await;
    assert!(
        before.iter().all(|(_, count)| *count > 0),
        "every place shows the article or the comment first: {before:?}"
    );
    let (_, settings) = page_for(&app, &spammer, "/settings").await;
    assert!(settings.contains("spammer@example.org"), "signed in first");

    let done = suspend(&app, &moderator, "spammer", true, "Selling watches in every thread").await;
    assert_done(&done, "/moderation/account?name=spammer");

    let after = everywhere(&app).await;
    assert!(after.iter().all(|(_, count)| *count == 0), "{after:?}");
    assert!(
        app.page("/").await.contains("Engines of thought"),
        "others' writing stays"
    );
    for path in [
        format!("/articles/{slug}"),
        format!("/api/articles/{slug}"),
        "/@spammer".to_owned(),
        "/api/profiles/spammer".to_owned(),
    ] {
        let response = browser().get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // Its session ended and its token is refused, saying why.
    let (_, settings) = page_for(&app, &spammer, "/settings").await;
    assert!(!settings.contains("spammer@example.org"), "signed out: {settings}");
    let refused = app.api(Method::GET, "/api/user", &token, json!({})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(
        body["errors"]["account"][0].as_str().unwrap().contains("suspended"),
        "{body}"
    );
    let published = app
        .api(
            Method::POST,
            "/api/articles",
            &token,
            json!({ "article": { "title": "More", "description": "", "body": "x" } }),
        )
        .await;
    assert_eq!(published.status(), StatusCode::FORBIDDEN, "nothing more is written");

    // Signing in is refused with a message saying so, to whoever knows the
    // password only.
    let again = browser();
    let form = app
        .post_form_with(
            &again,
            "/fn/login",
            "/login",
            &[("email", "spammer@example.org"), ("password", "password123")],
        )
        .await;
    assert_eq!(form.status(), StatusCode::FOUND);
    assert!(location(&form).contains("__err"), "back to the form");
    let back_in_its_browser = app.follow_with(&again, &form).await;
    assert!(
        back_in_its_browser.contains("This account is suspended by the moderators"),
        "{back_in_its_browser}"
    );
    let api = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "spammer@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "spammer@example.org", "password": "wrong password" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "a stranger learns nothing");

    // Restored: everything is back, under its first dates; the old token
    // stays ended.
    let done = suspend(&app, &moderator, "spammer", false, "Appeal accepted").await;
    assert_done(&done, "/moderation/account?name=spammer");
    let restored = everywhere(&app).await;
    assert_eq!(restored, before);
    let old_token = app.api(Method::GET, "/api/user", &token, json!({})).await;
    assert_eq!(old_token.status(), StatusCode::UNAUTHORIZED);
    app.api_sign_in("spammer@example.org", "password123").await;

    let recorded = history(&app, &moderator, "spammer").await;
    assert!(recorded.contains("suspended the account"), "{recorded}");
    assert!(recorded.contains("Selling watches in every thread"), "{recorded}");
    assert!(recorded.contains("restored the account"), "{recorded}");
    assert!(recorded.contains("Appeal accepted"), "{recorded}");
    assert!(recorded.contains("mod"), "who did it: {recorded}");
}

#[tokio::test]
async fn followers_hear_nothing_from_a_suspended_author() {
    let smtp = SmtpServer::for_followers();
    let app = TestApp::spawn().await;
    let spammer = browser();
    app.sign_up_with(&spammer, "spammer").await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    for author in ["spammer", "ada"] {
        crate::notifications::follow(&app, &bob, author, app::i18n::Locale::En).await;
    }
    let moderator = staff(&app, "mod", Role::Moderator).await;
    // Both publish; the emails wait in the queue (no worker runs yet).
    app.write_with(&spammer, "Cheap watches", "publish").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let done = suspend(&app, &moderator, "spammer", true, "Spam").await;
    assert_done(&done, "/moderation/account?name=spammer");

    let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_warta"))
        .arg("worker")
        .env_clear()
        .envs(&app.vars)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SMTP_URL", smtp.url())
        .env("WARTA_JOB_POLL_MS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start warta worker");
    drained_jobs(&app.db, Duration::from_secs(30)).await;
    worker.kill().await.unwrap();
    let sent = smtp.received();
    let subjects: Vec<String> = sent.iter().filter_map(|mail| mail.header("Subject")).collect();
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert!(subjects[0].contains("Engines"), "ada's alone: {subjects:?}");
}
