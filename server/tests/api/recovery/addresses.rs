//! Verified addresses: nothing but links until verified, and email
//! changes that wait for theirs.

use std::time::Duration;

use reqwest::{StatusCode, header};
use serde_json::json;

use super::{RESET, VERIFY, a_clock, app_mailing, forgot, link, mail, text, to, token};
use crate::{
    helpers::{browser, location},
    smtp::SmtpServer,
};

#[tokio::test]
async fn an_address_is_sent_nothing_but_its_links_until_it_is_verified() {
    let smtp = SmtpServer::start();
    let app = app_mailing(&smtp, a_clock()).await;
    let (ada, bob) = (browser(), browser());
    app.sign_up_with(&ada, "ada").await;
    app.sign_up_with(&bob, "bob").await;
    let settings = bob
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(settings.contains("bob@example.org is not verified yet"), "{settings}");

    // Bob follows Ada before verifying: her story reaches nobody.
    let follow = app
        .post_form_with(&bob, "/fn/follow", "/@ada", &[("username", "ada"), ("follow", "true")])
        .await;
    assert_eq!(follow.status(), StatusCode::FOUND);
    app.write_with(&ada, "Before verifying", "publish").await;
    crate::helpers::drained_jobs(&app.db, Duration::from_secs(20)).await;
    let to_bob = to(&smtp, "bob@example.org");
    assert_eq!(to_bob.len(), 1, "the verification link alone");
    assert!(
        to_bob[0]
            .header("Subject")
            .unwrap()
            .contains("Verify your email address")
    );

    // The link opens a page with one button (a mail scanner opening links
    // uses nothing up); pressing it verifies the address.
    let path = link(&app, &to_bob[0], "/verify-email/");
    let page = bob.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert!(page.text().await.unwrap().contains("Is bob@example.org your address?"));
    let verified = app
        .post_form_with(&bob, "/fn/verify-email", &path, &[("token", &token(&path))])
        .await;
    assert_eq!(location(&verified), "/settings?verified=1");
    let settings = bob
        .get(app.url("/settings?verified=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(settings.contains("bob@example.org is verified"), "{settings}");
    let used = app
        .post_form_with(&bob, "/fn/verify-email", &path, &[("token", &token(&path))])
        .await;
    assert!(app.follow_with(&bob, &used).await.contains("This link no longer works"));

    app.write_with(&ada, "After verifying", "publish").await;
    mail(&smtp, "bob@example.org", "After verifying", 1).await;
}

#[tokio::test]
async fn a_new_address_takes_effect_once_verified_and_the_old_one_is_told() {
    let smtp = SmtpServer::start();
    let app = app_mailing(&smtp, a_clock()).await;
    app.sign_up("ada").await;
    let first = mail(&smtp, "ada@example.org", VERIFY, 1).await;
    let path = link(&app, &first, "/verify-email/");
    app.post_form("/fn/verify-email", &path, &[("token", &token(&path))])
        .await;

    let change = app
        .post_form(
            "/fn/save-settings",
            "/settings",
            &[
                ("username", "ada"),
                ("email", "ada@new.example"),
                ("bio", ""),
                ("image", ""),
                ("password", ""),
                ("current_password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(location(&change), "/settings?saved=1");
    let settings = app.get("/settings").await.text().await.unwrap();
    assert!(
        settings.contains("You asked to change your address to ada@new.example"),
        "{settings}"
    );
    // Until then the old address signs in, and the new one does not.
    let sign_in = |email: &'static str| {
        let app = &app;
        async move {
            location(
                &app.post_form_with(
                    &browser(),
                    "/fn/login",
                    "/login",
                    &[("email", email), ("password", "correct horse")],
                )
                .await,
            )
        }
    };
    assert_eq!(sign_in("ada@example.org").await, "/");
    assert!(sign_in("ada@new.example").await.contains("__err="));

    // "Send again" sends a newer link, which replaces the first.
    let resent = app.post_form("/fn/resend-verification", "/settings", &[]).await;
    assert_eq!(location(&resent), "/settings?link_sent=1");
    let stale = link(&app, &mail(&smtp, "ada@new.example", VERIFY, 1).await, "/verify-email/");
    let fresh = link(&app, &mail(&smtp, "ada@new.example", VERIFY, 2).await, "/verify-email/");
    let refused = app
        .post_form("/fn/verify-email", &stale, &[("token", &token(&stale))])
        .await;
    assert!(app.follow(&refused).await.contains("This link no longer works"));
    let done = app
        .post_form("/fn/verify-email", &fresh, &[("token", &token(&fresh))])
        .await;
    assert_eq!(location(&done), "/settings?verified=1");
    assert_eq!(sign_in("ada@new.example").await, "/");
    assert!(sign_in("ada@example.org").await.contains("__err="));

    let told = crate::helpers::eventually(Duration::from_secs(20), "the old address is told", async || {
        to(&smtp, "ada@example.org")
            .into_iter()
            .find(|message| {
                message
                    .header("Subject")
                    .is_some_and(|subject| subject.contains("address was changed"))
            })
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    assert!(text(&told).contains("ada@new.example"));
}

#[tokio::test]
async fn a_mistyped_new_address_can_be_withdrawn_and_a_reset_link_dies_with_its_address() {
    let smtp = SmtpServer::start();
    let app = app_mailing(&smtp, a_clock()).await;
    app.sign_up("ada").await;
    let settings = |email: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/fn/save-settings",
                "/settings",
                &[
                    ("username", "ada"),
                    ("email", email),
                    ("bio", ""),
                    ("image", ""),
                    ("password", ""),
                    ("current_password", "correct horse"),
                ],
            )
            .await
        }
    };
    // A typo sends the link to a stranger; saving the own address again
    // withdraws the change, and the stranger's link opens nothing.
    assert_eq!(location(&settings("ada@typo.example").await), "/settings?saved=1");
    let stranger = link(
        &app,
        &mail(&smtp, "ada@typo.example", VERIFY, 1).await,
        "/verify-email/",
    );
    assert_eq!(location(&settings("ada@example.org").await), "/settings?saved=1");
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(!page.contains("ada@typo.example"), "no change waits any more");
    let refused = app
        .post_form_with(
            &browser(),
            "/fn/verify-email",
            &stranger,
            &[("token", &token(&stranger))],
        )
        .await;
    assert!(
        location(&refused).contains("__err="),
        "the withdrawn address's link is dead"
    );
    let email: String = sqlx::query_scalar("SELECT email FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(email, "ada@example.org");

    // A reset link sent to an address the account has since left (here
    // through the API, which changes the address at once) opens nothing.
    forgot(&app, "ada@example.org", "/forgot-password").await;
    let reset = link(
        &app,
        &mail(&smtp, "ada@example.org", RESET, 1).await,
        "/reset-password/",
    );
    let api_token = app.api_sign_in("ada@example.org", "correct horse").await;
    let moved = app
        .api(
            reqwest::Method::PUT,
            "/api/user",
            &api_token,
            json!({ "user": { "email": "ada@elsewhere.example" } }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let dead = browser().get(app.url(&reset)).send().await.unwrap();
    assert_eq!(dead.status(), StatusCode::NOT_FOUND, "the link died with the address");

    // Every new address is sent a link: within the account's budget.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let changed = app
            .api(
                reqwest::Method::PUT,
                "/api/user",
                &api_token,
                json!({ "user": { "email": format!("ada{n}@elsewhere.example") } }),
            )
            .await;
        statuses.push(changed.status().as_u16());
    }
    assert_eq!(
        statuses,
        [200, 429, 429, 429],
        "3 links an hour from one address: the typo, the move above, and this one"
    );
}
