//! Getting back into an account and proving an address, end to end: the
//! forms, the job queue, a real SMTP server, the links in the emails, and
//! the time a test clock is moved through rather than waited for.
//!
//! `reset` (forgotten passwords), `addresses` (verification and email
//! changes), `passwords` (the ones refused); the helpers they share here.

mod addresses;
mod passwords;
mod reset;

use std::time::Duration;

use app::ssr::clock::Clock;

use crate::{
    helpers::{TestApp, browser},
    smtp::{Received, SmtpServer},
};

pub(super) async fn app_mailing(smtp: &SmtpServer, clock: Clock) -> TestApp {
    TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("SMTP_URL", smtp.url())
        .var("WARTA_JOB_POLL_MS", "100")
        .clock(clock)
        .spawn()
        .await
}

pub(super) fn a_clock() -> Clock {
    Clock::at(chrono::Utc::now())
}

/// The messages to `address` so far.
pub(super) fn to(smtp: &SmtpServer, address: &str) -> Vec<Received> {
    smtp.received()
        .into_iter()
        .filter(|message| message.to.iter().any(|to| to.eq_ignore_ascii_case(address)))
        .collect()
}

/// The subject of a reset link's email, and of a verification link's.
pub(super) const RESET: &str = "Set a new Warta password";
pub(super) const VERIFY: &str = "Verify your email address";

/// Waits for the `n`th message to `address` whose subject holds `subject`
/// (jobs run side by side, so emails of different kinds may arrive in any
/// order) and returns it.
pub(super) async fn mail(smtp: &SmtpServer, address: &str, subject: &str, n: usize) -> Received {
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
pub(super) fn text(message: &Received) -> String {
    message.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The path (after the app's address) of the first link to `page` in
/// `message`: `/reset-password/…` or `/id/verify-email/…`.
pub(super) fn link(app: &TestApp, message: &Received, page: &str) -> String {
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
pub(super) fn token(path: &str) -> String {
    path.rsplit('/').next().unwrap().to_owned()
}

pub(super) async fn whoami(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let page = client.get(app.url("/settings")).send().await.unwrap();
    let page = page.text().await.unwrap();
    crate::helpers::text_of(&page, "[data-testid=signed-in-as]")
}

/// Asks for a reset link for `email` from the page `from`, as a browser
/// without JavaScript does.
pub(super) async fn forgot(app: &TestApp, email: &str, from: &str) -> reqwest::Response {
    app.post_form_with(&browser(), "/fn/forgot-password", from, &[("email", email)])
        .await
}
