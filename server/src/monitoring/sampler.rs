//! The gauges that need Postgres, sampled on a timer: the job queue (one
//! query, [`jobs::counts`]) and how long a connection takes to get from
//! each pool. Sampled here rather than at scrape time, so however often
//! and from however many places `/metrics` is scraped, Postgres sees one
//! query and one checkout per pool per interval.

use std::time::{Duration, Instant};

use app::ssr::{database::Database, jobs};
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;

use super::names::{JOBS, POOL_ACQUIRE};

/// How often the gauges are sampled: about as often as Prometheus scrapes.
pub(super) const SAMPLE_EVERY: Duration = Duration::from_secs(15);

/// Samples every `every` (the first time at once) until dropped, and keeps
/// the recorder's histograms drained between scrapes.
pub(super) async fn run(every: Duration, handle: PrometheusHandle, database: Database) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        handle.run_upkeep();
        sample_queue(&database).await;
        time_checkouts(&database).await;
    }
}

async fn sample_queue(database: &Database) {
    match jobs::counts(database.primary()).await {
        Ok(counts) => {
            for (state, count) in [
                ("queued", counts.queued),
                ("running", counts.running),
                ("dead", counts.dead),
            ] {
                gauge!(JOBS, "state" => state).set(count as f64);
            }
        }
        Err(error) => tracing::warn!(%error, "could not count the jobs for metrics; will try again"),
    }
}

/// Takes a connection from each pool and gives it straight back, timing the
/// wait. sqlx counts neither waiters nor waits, so this stands in for what
/// a request waits at this moment: near 0 while a pool has idle
/// connections, up to `WARTA_DB_ACQUIRE_TIMEOUT_MS` when it is exhausted.
async fn time_checkouts(database: &Database) {
    let checkouts = database.pools().into_iter().map(|(pool, connections)| async move {
        let started = Instant::now();
        let checkout = connections.acquire().await;
        gauge!(POOL_ACQUIRE, "pool" => pool).set(started.elapsed());
        drop(checkout);
    });
    futures::future::join_all(checkouts).await;
}
