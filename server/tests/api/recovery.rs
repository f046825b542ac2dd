//! Getting back into an account and proving an address, end to end: the
//! forms, the job queue, a real SMTP server, the links in the emails, and
//! the time a test clock is moved through rather than waited for.

use std::time::Duration;

use app::{i18n::Locale, ssr::clock::Clock};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, browser, location},
    smtp::{Received, SmtpServer},
};

/// An app whose own worker sends mail through `smtp`, on `clock`.
async fn app_mailing(smtp: &SmtpServer, clock: Clock) -> TestApp {
    TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("SMTP_URL", smtp.url())
        .var("WARTA_JOB_POLL_MS", "100")
        .clock(clock)
        .spawn()
        .await
}

fn a_clock() -> Clock {
    Clock::at(chrono::Utc::now())
}

/// The messages to `address` so far.
fn to(smtp: &SmtpServer, address: &str) -> Vec<Received> {
    smtp.received()
        .into_iter()
        .filter(|message| message.to.iter().any(|to| to.eq_ignore_ascii_case(address)))
        .collect()
}

/// The subject of a reset link's email, and of a verification link's.
const RESET: &str = "Set a new Warta password";
const VERIFY: &str = "Verify your email address";

/// Waits for the `n`th message to `address` whose subject holds `subject`
/// (jobs run side by side, so emails of different kinds may arrive in any
/// order) and returns it.
async fn mail(smtp: &SmtpServer, address: &str, subject: &str, n: usize) -> Received {
    crate::helpers::eventually(Duration::from_secs(20), "the email arrives", async || {
        let mine: Vec<Received> = to(smtp, address)
            .into_iter()
            .filter(|message| message.header("Subject").is_some_and(|line| line.contains(subject)))
            .collect();
        mine.get(n - 1)
            .cloned()
            .ok_or(format!("{} emails to {address} about {subject:?}", mine.len()))
    })
    .await
}

/// The message's text with quoted-printable soft breaks and `=3D` undone.
fn text(message: &Received) -> String {
    message.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The path (after the app's address) of the first link to `page` in
/// `message`: `/reset-password/…` or `/id/verify-email/…`.
fn link(app: &TestApp, message: &Received, page: &str) -> String {
    let body = text(message);
    let start = body
        .find(&format!("{}{page}", app.address))
        .or_else(|| body.find(&format!("{}/id{page}", app.address)))
        .unwrap_or_else(|| panic!("no {page} link in {body}"));
    let url: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '_'))
        .collect();
    url.strip_prefix(&app.address).expect("a link to this app").to_owned()
}

/// The token at the end of a link path.
fn token(path: &str) -> String {
    path.rsplit('/').next().unwrap().to_owned()
}

async fn whoami(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let page = client.get(app.url("/settings")).send().await.unwrap();
    let page = page.text().await.unwrap();
    crate::helpers::text_of(&page, "[data-testid=signed-in-as]")
}

/// Asks for a reset link for `email` from the page `from`, as a browser
/// without JavaScript does.
async fn forgot(app: &TestApp, email: &str, from: &str) -> reqwest::Response {
    app.post_form_with(&browser(), "/fn/forgot-password", from, &[("email", email)])
        .await
}

#[tokio::test]
async fn a_reader_who_forgot_their_password_sets_a_new_one_from_the_emailed_link() {
    let smtp = SmtpServer::start();
    let clock = a_clock();
    let app = app_mailing(&smtp, clock.clone()).await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let token_before: Value = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "ada@example.org", "password": "correct horse" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api_token = token_before["user"]["token"].as_str().unwrap().to_owned();

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
