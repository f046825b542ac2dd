//! Cover images as the database records them (`article_covers`, at most one
//! per article); the files themselves are [`crate::ssr::covers`]' concern.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

/// A cover, as the database records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverRecord {
    pub key: String,
    pub width: i32,
    pub height: i32,
    /// Widths of the WebP copies made so far.
    pub variants: Vec<i32>,
}

/// An article's cover key, and the article's current slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentCover {
    pub key: String,
    pub slug: String,
}

/// The key of `article_id`'s cover.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn key(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT key FROM article_covers WHERE article_id = $1", article_id)
        .fetch_optional(db)
        .await
}

/// The key of `article_id`'s cover, locking its row (if any) until the
/// transaction ends: a replacement running at the same time waits, then
/// sees this one's key.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn lock_key(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT key FROM article_covers WHERE article_id = $1 FOR UPDATE",
        article_id
    )
    .fetch_optional(db)
    .await
}

/// Records the cover at `key` as article `(article_id, created_at)`'s,
/// replacing any, with no copies yet.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn upsert(
    db: impl PgExecutor<'_>,
    article_id: i64,
    created_at: DateTime<Utc>,
    key: &str,
    content_type: &str,
    width: i32,
    height: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO article_covers (article_id, article_created_at, key, content_type, width, height)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (article_id) DO UPDATE
         SET key = EXCLUDED.key, content_type = EXCLUDED.content_type, width = EXCLUDED.width,
             height = EXCLUDED.height, variants = '{}', created_at = now()",
        article_id,
        created_at,
        key,
        content_type,
        width,
        height,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets `article_id`'s cover; the key it had, if any.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "DELETE FROM article_covers WHERE article_id = $1 RETURNING key",
        article_id
    )
    .fetch_optional(db)
    .await
}

/// Article `(article_id, created_at)`'s cover.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn of_article(
    db: impl PgExecutor<'_>,
    article_id: i64,
    created_at: DateTime<Utc>,
) -> sqlx::Result<Option<CoverRecord>> {
    sqlx::query_as!(
        CoverRecord,
        "SELECT key, width, height, variants FROM article_covers
         WHERE article_id = $1 AND article_created_at = $2",
        article_id,
        created_at
    )
    .fetch_optional(db)
    .await
}

/// `article_id`'s cover key and the article's slug.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn current(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Option<CurrentCover>> {
    let row = sqlx::query!(
        "SELECT c.key, a.slug FROM article_covers c
         JOIN articles a ON a.id = c.article_id AND a.created_at = c.article_created_at
         WHERE c.article_id = $1",
        article_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| CurrentCover {
        key: row.key,
        slug: row.slug,
    }))
}

/// Records the widths of the copies made of `article_id`'s cover, if it
/// is still the one at `key`.
/// Shards: one (article_covers.article_id).
#[tracing::instrument(skip_all)]
pub async fn set_variants(db: impl PgExecutor<'_>, article_id: i64, key: &str, widths: &[i32]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE article_covers SET variants = $3 WHERE article_id = $1 AND key = $2",
        article_id,
        key,
        widths
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether any article's cover is the one at `key`.
/// Shards: all — by media key alone; the job that deletes an unused cover's files, in the background.
#[tracing::instrument(skip_all)]
pub async fn in_use(db: impl PgExecutor<'_>, key: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM article_covers WHERE key = $1) AS "in_use!""#,
        key
    )
    .fetch_one(db)
    .await
}
