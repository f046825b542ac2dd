//! Readers' reports of articles and comments, and the moderation queue
//! that lists the open ones.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A new report.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub reporter_id: i64,
    /// The item's author.
    pub subject_id: i64,
    pub article_id: i64,
    pub article_created_at: DateTime<Utc>,
    /// `None` reports the article itself.
    pub comment_id: Option<i64>,
    pub reason: &'a str,
    pub note: &'a str,
}

/// Files `report`; `false` when this reader has reported this item before
/// (once per reader per item).
/// Shards: one (reports.article_id).
#[tracing::instrument(skip_all)]
pub async fn add(db: impl PgExecutor<'_>, report: NewReport<'_>) -> sqlx::Result<bool> {
    let added = sqlx::query!(
        "INSERT INTO reports (reporter_id, subject_id, article_id, article_created_at, comment_id, reason, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING",
        report.reporter_id,
        report.subject_id,
        report.article_id,
        report.article_created_at,
        report.comment_id,
        report.reason,
        report.note
    )
    .execute(db)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// Whether `reporter_id` has reported the article `article_id` (its own
/// report, with `comment_id` `None`) or its comment `comment_id`.
/// Shards: one (reports.article_id).
#[tracing::instrument(skip_all)]
pub async fn exists(
    db: impl PgExecutor<'_>,
    reporter_id: i64,
    article_id: i64,
    comment_id: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM reports
               WHERE reporter_id = $1 AND article_id = $2 AND comment_id IS NOT DISTINCT FROM $3
           ) AS "exists!""#,
        reporter_id,
        article_id,
        comment_id
    )
    .fetch_one(db)
    .await
}

/// One reported item in the queue: its open reports together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub article_id: i64,
    pub article_slug: String,
    pub article_title: String,
    /// `draft`, `published` or `withheld`.
    pub article_status: String,
    pub article_hidden: bool,
    /// `None`: the article itself is reported.
    pub comment_id: Option<i64>,
    pub comment_body: Option<String>,
    pub comment_hidden: bool,
    /// The item's author.
    pub author: String,
    pub author_suspended: bool,
    pub reports: i64,
    /// The newest report's time: the queue's order.
    pub latest: DateTime<Utc>,
    /// Each open report's reason, note and reporter, newest first.
    pub reasons: Vec<String>,
    pub notes: Vec<String>,
    pub reporters: Vec<String>,
}

/// The items with open reports, the most recently reported first, at most
/// `limit` (each with at most its newest 20 reports).
/// Shards: all — the moderation queue: open reports from every shard, newest first; staff only.
#[tracing::instrument(skip_all)]
pub async fn queue(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<QueueRow>> {
    sqlx::query_as!(
        QueueRow,
        r#"
        WITH items AS (
            SELECT article_id, comment_id, count(*) AS reports, max(created_at) AS latest
            FROM reports
            WHERE resolved_at IS NULL
            GROUP BY article_id, comment_id
            ORDER BY latest DESC
            LIMIT $1
        )
        SELECT i.article_id AS "article_id!", a.slug AS article_slug, a.title AS article_title,
               a.status AS article_status, a.hidden_at IS NOT NULL AS "article_hidden!",
               i.comment_id, c.body AS "comment_body?", coalesce(c.hidden_at IS NOT NULL, false) AS "comment_hidden!",
               u.username AS author, u.suspended_at IS NOT NULL AS "author_suspended!",
               i.reports AS "reports!", i.latest AS "latest!",
               r.reasons AS "reasons!", r.notes AS "notes!", r.reporters AS "reporters!"
        FROM items i
        JOIN LATERAL (
            SELECT article_created_at FROM reports
            WHERE article_id = i.article_id LIMIT 1
        ) k ON true
        JOIN articles a ON a.id = i.article_id AND a.created_at = k.article_created_at
        LEFT JOIN comments c ON c.id = i.comment_id
        JOIN users u ON u.id = coalesce(c.user_id, a.user_id)
        JOIN LATERAL (
            SELECT array_agg(reason ORDER BY created_at DESC) AS reasons,
                   array_agg(note ORDER BY created_at DESC) AS notes,
                   array_agg(reporter ORDER BY created_at DESC) AS reporters
            FROM (
                SELECT r.reason, r.note, r.created_at, ru.username AS reporter
                FROM reports r JOIN users ru ON ru.id = r.reporter_id
                WHERE r.article_id = i.article_id AND r.comment_id IS NOT DISTINCT FROM i.comment_id
                  AND r.resolved_at IS NULL
                ORDER BY r.created_at DESC
                LIMIT 20
            ) newest
        ) r ON true
        ORDER BY i.latest DESC, i.article_id DESC, i.comment_id DESC NULLS LAST
        "#,
        limit
    )
    .fetch_all(db)
    .await
}

/// How many items have open reports (the queue's length).
/// Shards: all — the queue's length: open reports on every shard; staff only.
#[tracing::instrument(skip_all)]
pub async fn open_items(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (SELECT DISTINCT article_id, comment_id FROM reports WHERE resolved_at IS NULL) open"#
    )
    .fetch_one(db)
    .await
}
