//! What Postgres says of its write-ahead log: how far the primary has
//! written and how far a replica has replayed (see [`crate::ssr::database`]
//! for what the app does with the answers). Positions are `pg_lsn` as text.

use sqlx::PgExecutor;

/// How far a server has replayed, as a health check reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The replay position (`16/B374D848`).
    pub lsn: String,
    /// How long ago the primary committed the last transaction replayed,
    /// in seconds; 0 when there is no lag to speak of.
    pub lag_seconds: Option<f64>,
}

/// The primary's WAL insert position now.
/// Shards: reference.
#[tracing::instrument(skip_all)]
pub async fn write_position(db: impl PgExecutor<'_>) -> sqlx::Result<String> {
    // The insert position, not `pg_current_wal_lsn()` (what has been
    // written out): with `synchronous_commit = off` a commit's record can be
    // inserted and not yet written, and the position must be past it.
    sqlx::query_scalar!(r#"SELECT pg_current_wal_insert_lsn()::text AS "lsn!""#)
        .fetch_one(db)
        .await
}

/// How far the server behind `db` has replayed, and its replay lag.
/// Shards: reference.
#[tracing::instrument(skip_all)]
pub async fn replay(db: impl PgExecutor<'_>) -> sqlx::Result<Replay> {
    let row = sqlx::query!(
        // On a server that is not (or no longer) a replica, the replay
        // position is null: its own WAL position stands in, and it has
        // no lag. A replica that has replayed all it has received has
        // none either: the time since the last replayed commit would
        // only measure how long the primary has been idle.
        r#"SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text AS "lsn!",
                      CASE WHEN NOT pg_is_in_recovery() THEN 0
                           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                           ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
                      END AS "lag_seconds""#
    )
    .fetch_one(db)
    .await?;
    Ok(Replay {
        lsn: row.lsn,
        lag_seconds: row.lag_seconds,
    })
}
