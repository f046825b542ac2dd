//! The emails owed to followers when an author publishes: one
//! `notifications` row per article and recipient, and what sending them
//! reads (see [`crate::ssr::notifications`] for how the jobs divide the
//! work).
//!
//! A row is settled once sent (`sent_at`) or refused for good (`refused`).
//! While one is being sent, `claimed_by` holds the sending job's claim
//! token, so no other job covering the same reader sends it meanwhile.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::i18n::Locale;

/// The article as an email shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author_id: i64,
    pub author: String,
}

/// A reader still owed an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub recipient_id: i64,
    pub username: String,
    pub email: String,
    /// The language they read Warta in.
    pub locale: Locale,
}

/// The author of the article `(article_id, created_at)`; `None` unless it
/// is published.
/// Shards: one (articles.id).
#[tracing::instrument(skip_all)]
pub async fn published_author(
    db: impl PgExecutor<'_>,
    article_id: i64,
    created_at: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT user_id FROM articles WHERE id = $1 AND created_at = $2 AND status = 'published'",
        article_id,
        created_at
    )
    .fetch_optional(db)
    .await
}

/// The article `(article_id, created_at)` as its email shows it; `None`
/// unless it is published.
/// Shards: one (articles.id, users.id).
#[tracing::instrument(skip_all)]
pub async fn story(db: impl PgExecutor<'_>, article_id: i64, created_at: DateTime<Utc>) -> sqlx::Result<Option<Story>> {
    sqlx::query_as!(
        Story,
        "SELECT a.slug, a.title, a.description, a.user_id AS author_id, u.username AS author
         FROM articles a JOIN users u ON u.id = a.user_id
         WHERE a.id = $1 AND a.created_at = $2 AND a.status = 'published'",
        article_id,
        created_at
    )
    .fetch_optional(db)
    .await
}

/// Records that `recipients` are owed an email about `article_id` (those
/// already recorded stay as they are).
/// Shards: one (notifications.article_id).
#[tracing::instrument(skip_all, fields(recipients = recipients.len()))]
pub async fn record(db: impl PgExecutor<'_>, article_id: i64, recipients: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (article_id, recipient_id)
             SELECT $1, recipient FROM unnest($2::bigint[]) AS recipient
             ON CONFLICT (article_id, recipient_id) DO NOTHING",
        article_id,
        recipients
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The readers with ids in `(after, through]` still owed an email about
/// `article_id` who still follow `author_id` and want its emails, by id.
/// Shards: all — each recipient's address is on their own shard; a background batch of a fan-out.
#[tracing::instrument(skip_all)]
pub async fn owed(
    db: impl PgExecutor<'_>,
    article_id: i64,
    after: i64,
    through: i64,
    author_id: i64,
) -> sqlx::Result<Vec<Recipient>> {
    let rows = sqlx::query!(
        "SELECT n.recipient_id, u.username, u.email, u.locale
         FROM notifications n
         JOIN users u ON u.id = n.recipient_id AND u.email_verified
         JOIN follows f ON f.follower_id = n.recipient_id AND f.author_id = $4 AND f.notify
         WHERE n.article_id = $1 AND n.recipient_id > $2 AND n.recipient_id <= $3
           AND n.sent_at IS NULL AND n.refused IS NULL
         ORDER BY n.recipient_id",
        article_id,
        after,
        through,
        author_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Recipient {
            recipient_id: row.recipient_id,
            username: row.username,
            email: row.email,
            locale: Locale::from_code(&row.locale),
        })
        .collect())
}

/// Claims the unsettled email to `recipient_id` about `article_id` for the
/// claim `claim` of job `job`: when it is unclaimed, already this claim's,
/// or claimed by a job whose lease has run out, and only while at least
/// `lease_left_secs` of this job's own lease is left. `false` when it was
/// not claimed.
/// Shards: all — checks claims in jobs by id and token, not by bucket; one email, in the background.
#[tracing::instrument(skip_all)]
pub async fn claim(
    db: impl PgExecutor<'_>,
    article_id: i64,
    recipient_id: i64,
    claim: Uuid,
    job: i64,
    lease_left_secs: f64,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query!(
        "UPDATE notifications n SET claimed_by = $3
         WHERE n.article_id = $1 AND n.recipient_id = $2 AND n.sent_at IS NULL AND n.refused IS NULL
           AND (n.claimed_by IS NULL OR n.claimed_by = $3 OR NOT EXISTS (
                SELECT 1 FROM jobs j
                WHERE j.lock_token = n.claimed_by AND j.state = 'running' AND j.locked_until > now()))
           AND EXISTS (
                SELECT 1 FROM jobs j
                WHERE j.id = $4 AND j.lock_token = $3 AND j.state = 'running'
                  AND j.locked_until > now() + make_interval(secs => $5))",
        article_id,
        recipient_id,
        claim,
        job,
        lease_left_secs
    )
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() != 0)
}

/// Whether the email to `recipient_id` about `article_id` is settled (sent
/// or refused); `None` when none is recorded.
/// Shards: one (notifications.article_id).
#[tracing::instrument(skip_all)]
pub async fn settled(db: impl PgExecutor<'_>, article_id: i64, recipient_id: i64) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        r#"SELECT (sent_at IS NOT NULL OR refused IS NOT NULL) AS "settled!"
               FROM notifications WHERE article_id = $1 AND recipient_id = $2"#,
        article_id,
        recipient_id
    )
    .fetch_optional(db)
    .await
}

/// The email to `recipient_id` about `article_id` was sent.
/// Shards: one (notifications.article_id).
#[tracing::instrument(skip_all)]
pub async fn mark_sent(db: impl PgExecutor<'_>, article_id: i64, recipient_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET sent_at = now(), claimed_by = NULL
                     WHERE article_id = $1 AND recipient_id = $2",
        article_id,
        recipient_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Frees the email to `recipient_id` about `article_id` for another try.
/// Shards: one (notifications.article_id).
#[tracing::instrument(skip_all)]
pub async fn unclaim(db: impl PgExecutor<'_>, article_id: i64, recipient_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET claimed_by = NULL WHERE article_id = $1 AND recipient_id = $2",
        article_id,
        recipient_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The mail server refused the email to `recipient_id` about `article_id`
/// for good, for `reason`.
/// Shards: one (notifications.article_id).
#[tracing::instrument(skip_all)]
pub async fn refuse(db: impl PgExecutor<'_>, article_id: i64, recipient_id: i64, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET refused = $3, claimed_by = NULL WHERE article_id = $1 AND recipient_id = $2",
        article_id,
        recipient_id,
        reason
    )
    .execute(db)
    .await?;
    Ok(())
}
