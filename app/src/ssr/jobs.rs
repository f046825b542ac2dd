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

use serde::{Serialize, de::DeserializeOwned};
use sqlx::{PgExecutor, PgPool};

use crate::ssr::queries;
pub use crate::ssr::queries::jobs::{ClaimedJob, JobRow};

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
    queries::jobs::insert(db, T::KIND, &payload).await
}

/// Queues `task` to run after `delay` (for work that must wait, such as
/// deleting files pages may still point at).
pub async fn enqueue_after<T: Task>(db: impl PgExecutor<'_>, task: &T, delay: Duration) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_value(task).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    queries::jobs::insert_after(db, T::KIND, &payload, delay.as_secs_f64()).await
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
        queries::jobs::claim(&self.db, limit, &self.worker, lease_seconds(self.lease), held).await
    }

    /// Puts back the jobs whose holder's lease ran out (its worker crashed,
    /// was killed or lost the database): ready at once, the lost attempt
    /// counted. One whose lease ran out on its last attempt (its worker
    /// keeps dying on it) is dead instead. The old holder's token no longer
    /// matches, so it can no longer touch the job. Workers call this on
    /// their poll timer; it walks the lease index, so it is cheap, and safe
    /// for many workers at once. Returns how many jobs were put back.
    pub async fn requeue_expired(&self) -> Result<u64, sqlx::Error> {
        queries::jobs::requeue_expired(&self.db).await
    }

    /// Extends the lease on `job`. `false` when this claim is no longer the
    /// job's (the lease ran out and it was claimed again, or it was
    /// discarded): stop working on it.
    pub async fn heartbeat(&self, job: &ClaimedJob) -> Result<bool, sqlx::Error> {
        queries::jobs::extend_lease(&self.db, job.id, job.token, lease_seconds(self.lease)).await
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
        queries::jobs::save_payload(db, job.id, job.token, payload).await
    }

    /// `job` is done: it is deleted.
    pub async fn complete(&self, job: &ClaimedJob) -> Result<(), sqlx::Error> {
        queries::jobs::delete(&self.db, job.id, job.token).await
    }

    /// `job` failed with `error`: it runs again after a backoff, or is dead
    /// when this was its last attempt.
    pub async fn fail(&self, job: &ClaimedJob, error: &str) -> Result<Failure, sqlx::Error> {
        let error: String = error.chars().take(2_000).collect();
        if job.attempts >= job.max_attempts {
            queries::jobs::mark_dead(&self.db, job.id, job.token, &error).await?;
            return Ok(Failure::Dead);
        }
        let delay = backoff(job.attempts, rand::random::<f64>());
        queries::jobs::retry_after(&self.db, job.id, job.token, delay.as_secs_f64(), &error).await?;
        Ok(Failure::Retrying(delay))
    }

    /// Gives `job` back unfinished (the worker is shutting down): it is
    /// ready again at once and this attempt does not count.
    pub async fn release(&self, job: &ClaimedJob) -> Result<(), sqlx::Error> {
        queries::jobs::release(&self.db, job.id, job.token).await
    }
}

/// How many jobs are in each state.
pub async fn counts(db: &PgPool) -> Result<Counts, sqlx::Error> {
    let mut counts = Counts::default();
    for (state, count) in queries::jobs::count_by_state(db).await? {
        match state.as_str() {
            "queued" => counts.queued = count,
            "running" => counts.running = count,
            _ => counts.dead = count,
        }
    }
    Ok(counts)
}

/// Jobs in `state` (`queued`, `running` or `dead`), oldest first.
pub async fn list(db: &PgPool, state: &str, limit: i64) -> Result<Vec<JobRow>, sqlx::Error> {
    queries::jobs::in_state(db, state, limit).await
}

/// Makes dead jobs ready again with fresh attempts: the one with `id`, or
/// every dead job when `id` is `None`. Returns how many.
pub async fn retry_dead(db: &PgPool, id: Option<i64>) -> Result<u64, sqlx::Error> {
    let count = queries::jobs::requeue_dead(db, id).await?;
    if count > 0 {
        // The trigger fires on insert only; wake workers for these too.
        queries::jobs::notify(db, CHANNEL).await?;
    }
    Ok(count)
}

/// Deletes dead jobs: the one with `id`, or all when `None`.
pub async fn discard_dead(db: &PgPool, id: Option<i64>) -> Result<u64, sqlx::Error> {
    queries::jobs::delete_dead(db, id).await
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
