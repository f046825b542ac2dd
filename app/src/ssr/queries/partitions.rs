//! The monthly partitions of `articles`, made ahead of need by the
//! `ensure_article_partitions` function (see the migrations).

use sqlx::PgExecutor;

/// Creates any missing monthly partitions from the month of `from` to
/// `months_ahead` months after it; returns how many it created. Safe to
/// call concurrently.
/// Shards: all — creates monthly partitions of articles, which Citus makes on every shard; an upkeep task.
#[tracing::instrument(skip_all, fields(%from, months_ahead))]
pub async fn ensure(db: impl PgExecutor<'_>, from: chrono::NaiveDate, months_ahead: i32) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        r#"SELECT ensure_article_partitions($1, $2) AS "created!""#,
        from,
        months_ahead
    )
    .fetch_one(db)
    .await
}
