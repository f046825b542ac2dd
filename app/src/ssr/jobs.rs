//! The durable job queue, in Postgres.
//!
//! A job is a row in `jobs`. Whoever needs work done inserts one inside the
//! transaction that makes the work necessary ([`enqueue`]), so a publish that
//! commits always has its notifications queued and a publish that rolls back
//! has none. Workers ([`Queue::claim`]) take ready jobs with
//! `FOR UPDATE SKIP LOCKED`, so any number of them, on any number of
//! machines, never take the same job, and hold a *lease* they extend while
//! they work ([`Queue::heartbeat`]). A worker that dies stops extending it;
//! once it runs out, any worker's poll puts the job back
//! ([`Queue::requeue_expired`]) and it is claimed again. Inserting a job
//! wakes idle workers through `NOTIFY warta_jobs` (a trigger), delivered at
//! commit.
//!
//! A failed job waits an exponentially growing, jittered delay and is tried
//! again; after `max_attempts` it is *dead*, kept for `warta jobs` to list,
//! retry or discard. Finished jobs are deleted.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{PgExecutor, PgPool};

/// The channel workers `LISTEN` on.
pub const CHANNEL: &str = "warta_jobs";

/// Something a worker can do: its `kind` names it in the `jobs` table.
pub trait Task: Serialize + DeserializeOwned {
    /// The `kind` column.
    const KIND: &'static str;
}

/// Queues `task` to run as soon as a worker is free. Pass the transaction
/// that makes the task necessary: the job exists exactly when it commits.
pub async fn enqueue<T: Task>(db: impl PgExecutor<'_>, task: &T) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_value(task).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload) VALUES ($1, $2) RETURNING id",
        T::KIND,
        payload
    )
    .fetch_one(db)
    .await
}

/// Queues `task` to run after `delay` (for work that must wait, such as
/// deleting files pages may still point at).
pub async fn enqueue_after<T: Task>(db: impl PgExecutor<'_>, task: &T, delay: Duration) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_value(task).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id",
        T::KIND,
        payload,
        delay.as_secs_f64()
    )
    .fetch_one(db)
    .await
}

/// A job a worker holds.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    /// This claim's fencing token: every later update names it.
    pub token: uuid::Uuid,
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

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Waiting to run, now or after a retry delay.
    pub queued: i64,
    /// Held by a worker.
    pub running: i64,
    /// Out of attempts.
    pub dead: i64,
}

/// What happened to a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// It runs again after this delay.
    Retrying(Duration),
    /// It ran out of attempts.
    Dead,
}

/// The queue, as one worker sees it.
#[derive(Debug, Clone)]
pub struct Queue {
    db: PgPool,
    /// Names this worker in `locked_by`.
    worker: String,
    /// How long a claim lasts without a heartbeat.
    lease: Duration,
}

impl Queue {
    pub fn new(db: PgPool, worker: impl Into<String>, lease: Duration) -> Self {
        Self {
            db,
            worker: worker.into(),
            lease,
        }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Takes up to `limit` due jobs, oldest first; each counts as an
    /// attempt. `held` are the jobs this worker is running: never claimed
    /// again by it, even when another worker's [`Queue::requeue_expired`]
    /// has put one back (its heartbeat stalled). Walks the ready index only:
    /// jobs whose holder died come back through `requeue_expired`.
    pub async fn claim(&self, limit: i64, held: &[i64]) -> Result<Vec<ClaimedJob>, sqlx::Error> {
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
            self.worker,
            lease_seconds(self.lease),
            held,
        )
        .fetch_all(&self.db)
        .await
    }

    /// Puts back the jobs whose holder's lease ran out (its worker crashed,
    /// was killed or lost the database): ready at once, the lost attempt
    /// counted. One whose lease ran out on its last attempt (its worker
    /// keeps dying on it) is dead instead. The old holder's token no longer
    /// matches, so it can no longer touch the job. Workers call this on
    /// their poll timer; it walks the lease index, so it is cheap, and safe
    /// for many workers at once. Returns how many jobs were put back.
    pub async fn requeue_expired(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query!(
            "UPDATE jobs
             SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                 last_error = CASE WHEN attempts >= max_attempts
                     THEN 'its worker stopped (crashed or was killed) on every attempt'
                     ELSE 'its worker stopped (crashed or was killed) before finishing' END,
                 locked_by = NULL, locked_until = NULL, lock_token = NULL, updated_at = now()
             WHERE state = 'running' AND locked_until < now()",
        )
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected())
    }

    /// Extends the lease on `job`. `false` when this claim is no longer the
    /// job's (the lease ran out and it was claimed again, or it was
    /// discarded): stop working on it.
    pub async fn heartbeat(&self, job: &ClaimedJob) -> Result<bool, sqlx::Error> {
        let lease = lease_seconds(self.lease);
        let updated = sqlx::query!(
            "UPDATE jobs SET locked_until = now() + make_interval(secs => $3), updated_at = now()
             WHERE id = $1 AND state = 'running' AND lock_token = $2",
            job.id,
            job.token,
            lease,
        )
        .execute(&self.db)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Saves a long job's progress (for example a fan-out's cursor), so a
    /// retry resumes where this attempt got to. `false` if the job is no
    /// longer this worker's.
    pub async fn save_progress(
        &self,
        db: impl PgExecutor<'_>,
        job: &ClaimedJob,
        payload: &serde_json::Value,
    ) -> Result<bool, sqlx::Error> {
        let updated = sqlx::query!(
            "UPDATE jobs SET payload = $3, updated_at = now()
             WHERE id = $1 AND state = 'running' AND lock_token = $2",
            job.id,
            job.token,
            payload,
        )
        .execute(db)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// `job` is done: it is deleted.
    pub async fn complete(&self, job: &ClaimedJob) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM jobs WHERE id = $1 AND lock_token = $2", job.id, job.token)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// `job` failed with `error`: it runs again after a backoff, or is dead
    /// when this was its last attempt.
    pub async fn fail(&self, job: &ClaimedJob, error: &str) -> Result<Failure, sqlx::Error> {
        let error: String = error.chars().take(2_000).collect();
        if job.attempts >= job.max_attempts {
            sqlx::query!(
                "UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                        last_error = $3, updated_at = now()
                 WHERE id = $1 AND lock_token = $2",
                job.id,
                job.token,
                error,
            )
            .execute(&self.db)
            .await?;
            return Ok(Failure::Dead);
        }
        let delay = backoff(job.attempts, rand::random::<f64>());
        sqlx::query!(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                    run_at = now() + make_interval(secs => $3), last_error = $4, updated_at = now()
             WHERE id = $1 AND lock_token = $2",
            job.id,
            job.token,
            delay.as_secs_f64(),
            error,
        )
        .execute(&self.db)
        .await?;
        Ok(Failure::Retrying(delay))
    }

    /// Gives `job` back unfinished (the worker is shutting down): it is
    /// ready again at once and this attempt does not count.
    pub async fn release(&self, job: &ClaimedJob) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, lock_token = NULL,
                    attempts = greatest(attempts - 1, 0), run_at = now(), updated_at = now()
             WHERE id = $1 AND lock_token = $2",
            job.id,
            job.token,
        )
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

/// How many jobs are in each state.
pub async fn counts(db: &PgPool) -> Result<Counts, sqlx::Error> {
    let rows = sqlx::query!(r#"SELECT state, count(*) AS "count!" FROM jobs GROUP BY state"#)
        .fetch_all(db)
        .await?;
    let mut counts = Counts::default();
    for row in rows {
        match row.state.as_str() {
            "queued" => counts.queued = row.count,
            "running" => counts.running = row.count,
            _ => counts.dead = row.count,
        }
    }
    Ok(counts)
}

/// Jobs in `state` (`queued`, `running` or `dead`), oldest first.
pub async fn list(db: &PgPool, state: &str, limit: i64) -> Result<Vec<JobRow>, sqlx::Error> {
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

/// Makes dead jobs ready again with fresh attempts: the one with `id`, or
/// every dead job when `id` is `None`. Returns how many.
pub async fn retry_dead(db: &PgPool, id: Option<i64>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), last_error = NULL, updated_at = now()
         WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1)",
        id,
    )
    .execute(db)
    .await?;
    if done.rows_affected() > 0 {
        // The trigger fires on insert only; wake workers for these too.
        sqlx::query!("SELECT pg_notify($1, '')", CHANNEL).execute(db).await?;
    }
    Ok(done.rows_affected())
}

/// Deletes dead jobs: the one with `id`, or all when `None`.
pub async fn discard_dead(db: &PgPool, id: Option<i64>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM jobs WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1)",
        id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The delay before attempt `attempts + 1`: 2^attempts seconds (capped at
/// an hour), scaled by a factor in [0.5, 1.5) drawn from `unit` in [0, 1),
/// so jobs that failed together do not all come back together ("full
/// jitter" would allow near-zero delays; this keeps the exponential floor).
pub fn backoff(attempts: i32, unit: f64) -> Duration {
    let base = 2_f64.powi(attempts.clamp(0, 12)).min(3_600.0);
    Duration::from_secs_f64(base * (0.5 + unit.clamp(0.0, 1.0)))
}

fn lease_seconds(lease: Duration) -> f64 {
    lease.as_secs_f64().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff(1, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(3, 0.5), Duration::from_secs(8));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(4));
        assert!(backoff(3, 0.999) < Duration::from_secs(12));
        assert_eq!(backoff(40, 0.5), Duration::from_secs(3_600));
        assert_eq!(backoff(-1, 0.5), Duration::from_secs(1));
    }
}
