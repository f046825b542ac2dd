//! Background jobs end to end: publishing emails followers through a real
//! SMTP server, one-click unsubscribe, retries and dead jobs, and workers
//! stopped or killed in the middle of a 10,000-follower fan-out.

mod emails;
mod fan_out;
mod queue;

use std::time::Duration;

use app::i18n::Locale;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::{helpers::TestApp, smtp::SmtpServer};

/// An app whose own worker sends mail through `smtp`, polling the queue
/// often.
pub(crate) async fn mailing_app(smtp: &SmtpServer) -> TestApp {
    TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("SMTP_URL", smtp.url())
        .var("WARTA_JOB_POLL_MS", "100")
        .spawn()
        .await
}

/// `client` follows `author` with the button on their page in `locale`.
/// Only a verified address is emailed, so `author`'s followers are then
/// marked verified, as opening the link sent at registration does (that
/// flow is the `recovery` tests').
pub(crate) async fn follow(app: &TestApp, client: &reqwest::Client, author: &str, locale: Locale) {
    let response = app
        .post_form_with(
            client,
            "/fn/follow",
            &locale.href(&format!("/@{author}")),
            &[("username", author), ("follow", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    sqlx::query(
        "UPDATE users SET email_verified = true WHERE id IN (
             SELECT f.follower_id FROM follows f JOIN users a ON a.id = f.author_id WHERE a.username = $1
         )",
    )
    .bind(author)
    .execute(&app.db)
    .await
    .expect("verify the followers");
}

async fn jobs_left(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM jobs")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits until the queue is empty (every job done).
async fn drained(db: &PgPool, timeout: Duration) {
    crate::helpers::drained_jobs(db, timeout).await;
}
