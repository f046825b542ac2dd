//! Blocking: an account a reader blocked cannot follow them or comment
//! under their articles, and its comments are hidden for them.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::PgExecutor;

/// `blocker_id` blocks `blocked_id`, whose follow of them ends; `false`
/// for oneself.
/// Shards: one (blocks.blocker_id).
#[tracing::instrument(skip_all)]
pub async fn block(db: &mut PgConnection, blocker_id: i64, blocked_id: i64) -> sqlx::Result<bool> {
    if blocker_id == blocked_id {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        blocker_id,
        blocked_id
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "DELETE FROM follows WHERE follower_id = $2 AND author_id = $1",
        blocker_id,
        blocked_id
    )
    .execute(db)
    .await?;
    Ok(true)
}

/// `blocker_id` no longer blocks `blocked_id`.
/// Shards: one (blocks.blocker_id).
#[tracing::instrument(skip_all)]
pub async fn unblock(db: impl PgExecutor<'_>, blocker_id: i64, blocked_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2",
        blocker_id,
        blocked_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `blocker_id` blocks `blocked_id`.
/// Shards: one (blocks.blocker_id).
#[tracing::instrument(skip_all)]
pub async fn blocks(db: impl PgExecutor<'_>, blocker_id: i64, blocked_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2) AS "blocks!""#,
        blocker_id,
        blocked_id
    )
    .fetch_one(db)
    .await
}

/// The ids of the accounts `blocker_id` blocks (at most `limit`).
/// Shards: one (blocks.blocker_id).
#[tracing::instrument(skip_all)]
pub async fn blocked_ids(db: impl PgExecutor<'_>, blocker_id: i64, limit: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "SELECT blocked_id FROM blocks WHERE blocker_id = $1 ORDER BY created_at DESC LIMIT $2",
        blocker_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// A blocked account, as the settings list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Blocked {
    pub username: String,
    pub image: Option<String>,
    pub since: DateTime<Utc>,
}

/// The accounts `blocker_id` blocks, most recently blocked first (at most
/// `limit`).
/// Shards: all — names each blocked account, each on its own shard; the blocker's settings page, at most 200.
#[tracing::instrument(skip_all)]
pub async fn blocked_by(db: impl PgExecutor<'_>, blocker_id: i64, limit: i64) -> sqlx::Result<Vec<Blocked>> {
    sqlx::query_as!(
        Blocked,
        r#"SELECT u.username, u.image, b.created_at AS since
           FROM blocks b JOIN users u ON u.id = b.blocked_id
           WHERE b.blocker_id = $1
           ORDER BY b.created_at DESC
           LIMIT $2"#,
        blocker_id,
        limit
    )
    .fetch_all(db)
    .await
}
