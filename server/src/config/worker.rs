//! Background job settings: whether `warta serve` runs jobs, how many at
//! once, and how they are claimed, polled and let go.

use std::time::Duration;

use super::source::{ConfigError, Source, parse_or};

/// Background jobs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// `WARTA_INLINE_WORKER`: whether `warta serve` also runs jobs (true by
    /// default, so one process is a whole site; set false when separate
    /// `warta worker` processes run them).
    pub inline: bool,
    /// `WARTA_WORKER_CONCURRENCY`: jobs one worker runs at once.
    pub concurrency: usize,
    /// `WARTA_JOB_LEASE_SECS`: how long a job stays claimed without a
    /// heartbeat; a dead worker's jobs are taken again after this.
    pub lease: Duration,
    /// `WARTA_JOB_POLL_MS`: how often an idle worker looks for due jobs
    /// (retries, expired leases) besides being woken by new ones.
    pub poll: Duration,
    /// `WARTA_MAIL_CONCURRENCY`: emails one batch sends at once.
    pub mail_concurrency: usize,
    /// `WARTA_FANOUT_BATCH`: recipients per batch job.
    pub batch: i64,
    /// `WARTA_WORKER_GRACE_SECS`: how long a stopping worker lets its jobs
    /// run on before it returns them to the queue.
    pub grace: Duration,
}

impl WorkerSettings {
    pub(super) fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        Ok(Self {
            inline: parse_or(source, "WARTA_INLINE_WORKER", true, |_| true)?,
            concurrency: parse_or(source, "WARTA_WORKER_CONCURRENCY", 4_usize, |n| (1..=256).contains(n))?,
            lease: Duration::from_secs(parse_or(source, "WARTA_JOB_LEASE_SECS", 30_u64, |n| {
                (1..=3_600).contains(n)
            })?),
            poll: Duration::from_millis(parse_or(source, "WARTA_JOB_POLL_MS", 1_000_u64, |n| {
                (10..=60_000).contains(n)
            })?),
            mail_concurrency: parse_or(source, "WARTA_MAIL_CONCURRENCY", 4_usize, |n| (1..=256).contains(n))?,
            batch: parse_or(source, "WARTA_FANOUT_BATCH", 500_i64, |n| (1..=10_000).contains(n))?,
            grace: Duration::from_secs(parse_or(source, "WARTA_WORKER_GRACE_SECS", 10_u64, |n| *n <= 600)?),
        })
    }
}
