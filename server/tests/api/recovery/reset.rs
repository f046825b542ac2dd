//! Forgotten passwords: the link, its page, its lifetime and its budgets.

use std::time::Duration;

use reqwest::{StatusCode, header};
use serde_json::Value;

use super::{RESET, a_clock, app_mailing, forgot, link, mail, text, to, token, whoami};
use crate::{
    helpers::{browser, location},
    smtp::SmtpServer,
};

#[tokio::test]
async fn a_reader_who_forgot_their_password_sets_a_new_one_from_the_emailed_link() {
    let smtp = SmtpServer::start();
    let clock = a_clock();
    let app = app_mailing(&smtp, clock.clone()).await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let api_token = app.api_sign_in("ada@example.org", "correct horse").await;

    // The sign-in page offers it; the answer is the same for an address
    // nobody has, which is sent nothing.
    assert!(app.page("/login").await.contains(r#"href="/forgot-password""#));
    for email in ["Ada@Example.org", "nobody@example.org"] {
        let asked = forgot(&app, email, "/forgot-password").await;
        assert_eq!(asked.status(), StatusCode::FOUND, "{email}");
        assert_eq!(location(&asked), "/forgot-password?sent=1", "{email}");
    }
    let sent = app.page("/forgot-password?sent=1").await;
    assert!(sent.contains("If an account has that address"), "{sent}");
    let email = mail(&smtp, "ada@example.org", RESET, 1).await;
    let path = link(&app, &email, "/reset-password/");
    assert_eq!(token(&path).len(), 43, "256 random bits, URL-safe: {path}");
    crate::helpers::drained_jobs(&app.db, Duration::from_secs(20)).await;
    assert!(to(&smtp, "nobody@example.org").is_empty(), "no account, no email");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM account_links WHERE purpose = 'reset'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32, "only a SHA-256 is stored");
    assert!(!String::from_utf8_lossy(&stored).contains(&token(&path)));

    // The page: kept by no cache, passing the token to no other site.
    let page = browser().get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    assert!(page.text().await.unwrap().contains("Set a new password"));

    // A password anyone would guess is refused, beside the field.
    let resetting = browser();
    let weak = app
        .post_form_with(
            &resetting,
            "/fn/reset-password",
            &path,
            &[("token", &token(&path)), ("password", "password123")],
        )
        .await;
    assert!(location(&weak).contains("__err="));
    assert!(
        app.follow_with(&resetting, &weak)
            .await
            .contains("Password is too easy to guess")
    );

    let set = app
        .post_form_with(
            &browser(),
            "/fn/reset-password",
            &path,
            &[("token", &token(&path)), ("password", "a kettle on the hob")],
        )
        .await;
    assert_eq!(location(&set), "/login?reset=1");
    assert!(
        app.page("/login?reset=1")
            .await
            .contains("Your password has been changed")
    );

    // Every session and token of the account has ended; the new password
    // signs in, the old one does not, and the link works once.
    assert_eq!(whoami(&app, &ada).await, None, "the old session has ended");
    let with_token = app
        .api(reqwest::Method::GET, "/api/user", &api_token, Value::Null)
        .await;
    assert_eq!(with_token.status(), StatusCode::UNAUTHORIZED, "the old token has ended");
    let sign_in = |password: &'static str| {
        let app = &app;
        async move {
            app.post_form_with(
                &browser(),
                "/fn/login",
                "/login",
                &[("email", "ada@example.org"), ("password", password)],
            )
            .await
        }
    };
    assert_eq!(location(&sign_in("a kettle on the hob").await), "/");
    assert!(location(&sign_in("correct horse").await).contains("__err="));
    let again = app
        .post_form_with(
            &resetting,
            "/fn/reset-password",
            &path,
            &[("token", &token(&path)), ("password", "another kettle boils")],
        )
        .await;
    assert!(
        app.follow_with(&resetting, &again)
            .await
            .contains("This link no longer works")
    );
    let dead = browser().get(app.url(&path)).send().await.unwrap();
    assert_eq!(dead.status(), StatusCode::NOT_FOUND);

    // The owner is told (receiving the link proved the address, so it is
    // verified now and may be sent the notice).
    let notice = crate::helpers::eventually(Duration::from_secs(20), "the notice arrives", async || {
        to(&smtp, "ada@example.org")
            .into_iter()
            .find(|message| {
                message
                    .header("Subject")
                    .is_some_and(|subject| subject.contains("password was changed"))
            })
            .ok_or_else(|| "no notice yet".to_owned())
    })
    .await;
    assert!(text(&notice).contains(&format!("{}/forgot-password", app.address)));
}

#[tokio::test]
async fn a_reset_link_dies_when_it_expires_when_a_newer_one_is_sent_and_when_the_password_changes() {
    let smtp = SmtpServer::start();
    let clock = a_clock();
    let app = app_mailing(&smtp, clock.clone()).await;
    app.sign_up("ada").await;
    let works = |path: String| {
        let app = &app;
        async move { browser().get(app.url(&path)).send().await.unwrap().status() == StatusCode::OK }
    };

    forgot(&app, "ada@example.org", "/forgot-password").await;
    let first = link(
        &app,
        &mail(&smtp, "ada@example.org", RESET, 1).await,
        "/reset-password/",
    );
    assert!(works(first.clone()).await);
    // Twenty-nine minutes on it still works; thirty-one, and it is gone.
    clock.advance(chrono::Duration::minutes(29));
    assert!(works(first.clone()).await);
    clock.advance(chrono::Duration::minutes(2));
    assert!(!works(first.clone()).await, "expired");

    forgot(&app, "ada@example.org", "/forgot-password").await;
    let second = link(
        &app,
        &mail(&smtp, "ada@example.org", RESET, 2).await,
        "/reset-password/",
    );
    forgot(&app, "ada@example.org", "/forgot-password").await;
    let third = link(
        &app,
        &mail(&smtp, "ada@example.org", RESET, 3).await,
        "/reset-password/",
    );
    assert!(!works(second).await, "a newer link replaces it");
    assert!(works(third.clone()).await);

    // Expired links and tokens are deleted, not only refused.
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, expires_at) SELECT 'old'::bytea, id, $1 FROM users")
        .bind(clock.now() - chrono::Duration::minutes(1))
        .execute(&app.db)
        .await
        .unwrap();
    clock.advance(chrono::Duration::minutes(31));
    assert!(!works(third).await, "expired");
    let (links, tokens) = app::ssr::recovery::delete_expired(&app.db, &clock).await.unwrap();
    assert_eq!(
        (links, tokens),
        (2, 1),
        "the reset link, the unused verification link, the token"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // A password changed in the settings ends a live link too.
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    forgot(&app, "bob@example.org", "/forgot-password").await;
    let bobs = link(
        &app,
        &mail(&smtp, "bob@example.org", RESET, 1).await,
        "/reset-password/",
    );
    assert!(works(bobs.clone()).await);
    let changed = app
        .post_form_with(
            &bob,
            "/fn/save-settings",
            "/settings",
            &[
                ("username", "bob"),
                ("email", "bob@example.org"),
                ("bio", ""),
                ("image", ""),
                ("password", "a kettle on the hob"),
                ("current_password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/settings?saved=1");
    assert!(!works(bobs).await, "a password change ends the reset link");
}

#[tokio::test]
async fn asking_for_links_has_a_budget_per_address_and_per_account() {
    let smtp = SmtpServer::start();
    let app = app_mailing(&smtp, a_clock()).await;
    app.sign_up("ada").await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let asked = app
            .client
            .post(app.url("/fn/forgot-password"))
            .header(header::ACCEPT, "application/json")
            .form(&[("email", "ada@example.org")])
            .send()
            .await
            .unwrap();
        statuses.push((
            asked.status().as_u16(),
            asked.headers().contains_key(header::RETRY_AFTER),
        ));
    }
    assert!(statuses[..3].iter().all(|(status, _)| *status != 429), "{statuses:?}");
    assert_eq!(statuses[3], (429, true), "{statuses:?}");
    // The address's own budget: strangers' addresses, asked from here.
    for n in 0..6 {
        forgot(&app, &format!("stranger{n}@example.org"), "/forgot-password").await;
    }
    let asker = browser();
    let refused = app
        .post_form_with(
            &asker,
            "/fn/forgot-password",
            "/forgot-password",
            &[("email", "one-more@example.org")],
        )
        .await;
    assert!(app.follow_with(&asker, &refused).await.contains("Too many attempts"));
}

#[tokio::test]
async fn an_indonesian_reader_gets_the_link_and_the_page_in_indonesian() {
    let smtp = SmtpServer::start();
    let app = app_mailing(&smtp, a_clock()).await;
    app.sign_up("siti").await;
    let asked = forgot(&app, "siti@example.org", "/id/forgot-password").await;
    assert_eq!(location(&asked), "/id/forgot-password?sent=1");
    let email = mail(&smtp, "siti@example.org", "Buat kata sandi Warta baru", 1).await;
    let path = link(&app, &email, "/reset-password/");
    assert!(path.starts_with("/id/reset-password/"), "{path}");
    let page = app.page(&path).await;
    assert!(page.contains("Buat kata sandi baru") && page.contains(r#"lang="id""#));
}
