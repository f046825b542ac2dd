//! The `jobs` table: the rows behind the durable job queue (see
//! [`crate::ssr::jobs`] for what they guarantee together).
//!
//! Every update of a claimed job names its claim's `lock_token`, so a
//! worker whose claim was lost (its lease ran out and the job was claimed
//! again, or it was discarded) changes nothing.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A job a worker holds.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    /// This claim's fencing token: every later update names it.
    pub token: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A dead (or any) job, as `warta jobs` lists it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub payload: serde_json::Value,
}

/// Inserts a job of `kind`, ready at once; returns its id.
/// Shards: all — jobs has no bucket column yet, so nothing routes the row; with it, the shard of its subject.
#[tracing::instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, kind: &str, payload: &serde_json::Value) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload) VALUES ($1, $2) RETURNING id",
        kind,
        payload
    )
    .fetch_one(db)
    .await
}

/// Inserts a job of `kind`, ready after `delay_secs`; returns its id.
/// Shards: all — jobs has no bucket column yet, so nothing routes the row; with it, the shard of its subject.
#[tracing::instrument(skip_all)]
pub async fn insert_after(
    db: impl PgExecutor<'_>,
    kind: &str,
    payload: &serde_json::Value,
    delay_secs: f64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id",
        kind,
        payload,
        delay_secs
    )
    .fetch_one(db)
    .await
}

/// Claims up to `limit` due jobs, oldest first, for `worker` with a lease of
/// `lease_secs`, skipping `held` and any row another worker has locked.
/// Each claim counts as an attempt.
/// Shards: all — claims from every shard; Citus takes SKIP LOCKED only in single-shard queries: claim per bucket.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    worker: &str,
    lease_secs: f64,
    held: &[i64],
) -> sqlx::Result<Vec<ClaimedJob>> {
    sqlx::query_as!(
        ClaimedJob,
        r#"
            WITH ready AS (
                SELECT id FROM jobs
                WHERE state = 'queued' AND run_at <= now() AND id <> ALL($4)
                ORDER BY run_at, id
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE jobs j
            SET state = 'running',
                attempts = j.attempts + 1,
                locked_by = $2,
                locked_until = now() + make_interval(secs => $3),
                lock_token = gen_random_uuid(),
                updated_at = now()
            FROM ready
            WHERE j.id = ready.id
            RETURNING j.id, j.lock_token AS "token!", j.kind, j.payload, j.attempts, j.max_attempts
            "#,
        limit,
        worker,
        lease_secs,
        held,
    )
    .fetch_all(db)
    .await
}

/// Puts back every running job whose lease ran out: queued again, or dead
/// when that was its last attempt. Returns how many.
/// Shards: all — the lease sweep finds expired leases on every shard; one statement every few seconds.
#[tracing::instrument(skip_all)]
pub async fn requeue_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE jobs
             SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                 last_error = CASE WHEN attempts >= max_attempts
                     THEN 'its worker stopped (crashed or was killed) on every attempt'
                     ELSE 'its worker stopped (crashed or was killed) before finishing' END,
                 locked_by = NULL, locked_until = NULL, lock_token = NULL, updated_at = now()
             WHERE state = 'running' AND locked_until < now()",
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Extends the lease of job `id` under claim `token` to `lease_secs` from
/// now; `false` when the claim is no longer the job's.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn extend_lease(db: impl PgExecutor<'_>, id: i64, token: Uuid, lease_secs: f64) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE jobs SET locked_until = now() + make_interval(secs => $3), updated_at = now()
             WHERE id = $1 AND state = 'running' AND lock_token = $2",
        id,
        token,
        lease_secs,
    )
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Replaces the payload of job `id` under claim `token`; `false` when the
/// claim is no longer the job's.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn save_payload(
    db: impl PgExecutor<'_>,
    id: i64,
    token: Uuid,
    payload: &serde_json::Value,
) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE jobs SET payload = $3, updated_at = now()
             WHERE id = $1 AND state = 'running' AND lock_token = $2",
        id,
        token,
        payload,
    )
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Deletes job `id` if `token` is still its claim.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, id: i64, token: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM jobs WHERE id = $1 AND lock_token = $2", id, token)
        .execute(db)
        .await?;
    Ok(())
}

/// Job `id` under claim `token` is dead, having failed with `error`.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn mark_dead(db: impl PgExecutor<'_>, id: i64, token: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                        last_error = $3, updated_at = now()
                 WHERE id = $1 AND lock_token = $2",
        id,
        token,
        error,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Job `id` under claim `token` failed with `error`: queued again, ready
/// after `delay_secs`.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn retry_after(
    db: impl PgExecutor<'_>,
    id: i64,
    token: Uuid,
    delay_secs: f64,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                    run_at = now() + make_interval(secs => $3), last_error = $4, updated_at = now()
             WHERE id = $1 AND lock_token = $2",
        id,
        token,
        delay_secs,
        error,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Job `id` under claim `token` goes back unfinished: ready at once, the
/// attempt not counted.
/// Shards: all — by job id and claim token; with a bucket column the claim carries its bucket and this is one.
#[tracing::instrument(skip_all)]
pub async fn release(db: impl PgExecutor<'_>, id: i64, token: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                    attempts = greatest(attempts - 1, 0), run_at = now(), updated_at = now()
             WHERE id = $1 AND lock_token = $2",
        id,
        token,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// How many jobs are in each state, as `(state, count)`.
/// Shards: all — counts every shard's jobs; `warta jobs` and the metrics, seconds apart.
#[tracing::instrument(skip_all)]
pub async fn count_by_state(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(r#"SELECT state, count(*) AS "count!" FROM jobs GROUP BY state"#)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.state, row.count)).collect())
}

/// Up to `limit` jobs in `state`, oldest first.
/// Shards: all — lists jobs by state from every shard; `warta jobs`, an operator's command.
#[tracing::instrument(skip_all, fields(state, limit))]
pub async fn in_state(db: impl PgExecutor<'_>, state: &str, limit: i64) -> sqlx::Result<Vec<JobRow>> {
    sqlx::query_as!(
        JobRow,
        "SELECT id, kind, state, attempts, max_attempts, run_at, last_error, payload
         FROM jobs WHERE state = $1 ORDER BY id LIMIT $2",
        state,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Makes dead jobs ready with fresh attempts: the one with `id`, or every
/// dead job when `None`. Returns how many.
/// Shards: all — dead jobs by state (or id alone) on every shard; `warta jobs retry`, an operator's command.
#[tracing::instrument(skip_all)]
pub async fn requeue_dead(db: impl PgExecutor<'_>, id: Option<i64>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), last_error = NULL, updated_at = now()
         WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1)",
        id,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes dead jobs: the one with `id`, or all when `None`. Returns how
/// many.
/// Shards: all — dead jobs by state (or id alone) on every shard; `warta jobs discard`, an operator's command.
#[tracing::instrument(skip_all)]
pub async fn delete_dead(db: impl PgExecutor<'_>, id: Option<i64>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM jobs WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1)",
        id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Wakes whoever `LISTEN`s on `channel`, at commit.
/// Shards: reference.
#[tracing::instrument(skip_all)]
pub async fn notify(db: impl PgExecutor<'_>, channel: &str) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_notify($1, '')", channel).execute(db).await?;
    Ok(())
}
