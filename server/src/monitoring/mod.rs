//! Metrics for Prometheus: `GET /metrics` in its text format.
//!
//! What is counted where it happens (requests, cache lookups, jobs, emails)
//! goes through the `metrics` crate's macros to the one recorder a process
//! has. `/metrics` is served by a listener of its own
//! (`WARTA_METRICS_ADDR`), never on the public port, optionally behind a
//! bearer token ([`endpoint`]). Gauges come from two places, so that a
//! scrape never waits on Postgres: what is already in memory (pool sizes,
//! replica lag from the health checks, the Redis breaker) is read at scrape
//! time, and what needs a query (the job queue) is sampled by a background
//! task ([`sampler`]).
//!
//! Labels are bounded: a route is its pattern (`/articles/{slug}`) or
//! `unmatched`, a cache group its kind (`comments`, not `comments:{slug}`),
//! a pool its role (`primary`, `replica-0`), never a URL or a name a reader
//! chose.
//!
//! With metrics off (no `WARTA_METRICS_ADDR`) no recorder is installed and
//! every macro call is a no-op.

mod endpoint;
pub mod names;
mod requests;
mod sampler;

use std::{future::IntoFuture as _, net::SocketAddr, sync::OnceLock};

use anyhow::Context as _;
use app::ssr::{database::Database, redis::Redis};
use metrics::Unit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

pub use names::*;
pub use requests::{CountRequests, UNMATCHED};

use crate::config::MetricsSettings;

/// Request latency buckets: pages from the page cache take a millisecond,
/// a cold page a few tens, 30 s is nginx's limit.
const REQUEST_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Job run buckets: a cleanup takes milliseconds, a batch of 500 emails or
/// a large cover may take minutes.
const JOB_BUCKETS: [f64; 12] = [0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0];

/// The process's recorder, installed on first use. The `metrics` crate has
/// one recorder per process, and the integration tests build many apps in
/// one process: every app shares it (labels do not say which app counted),
/// and each keeps a handle to render it.
fn recorder() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &REQUEST_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(Matcher::Full(JOB_DURATION.to_owned()), &JOB_BUCKETS)
                })
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|error| error.to_string())?;
            describe();
            Ok(handle)
        })
        .clone()
        .map_err(|error| anyhow::anyhow!("cannot install the metrics recorder: {error}"))
}

/// Gives every family its help text, and starts the rare events' counters
/// at 0: a counter that first appears at 1 hides that first increase from
/// `rate()` and from alerts on it.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};

    describe_counter!(
        HTTP_REQUESTS,
        Unit::Count,
        "Requests answered, by method, route pattern and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer a request (headers ready), by method, route pattern and status."
    );
    describe_counter!(
        app::ssr::cache::LOOKUPS,
        Unit::Count,
        "Read-through cache lookups, by group kind and result: hit (fresh), stale (served while refreshed), miss (computed), bypass (Redis could not say; computed on the primary)."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        Unit::Count,
        "Postgres connections of each pool, in use or idle."
    );
    describe_gauge!(POOL_MAX, Unit::Count, "The most connections each Postgres pool opens.");
    describe_gauge!(
        POOL_ACQUIRE,
        Unit::Seconds,
        "How long the sampler last waited for a connection from each pool: what a request waits now (sqlx does not count waiters)."
    );
    describe_gauge!(
        REPLICA_LAG,
        Unit::Seconds,
        "Replica replay lag at its last health check: time since the primary committed the last replayed transaction, 0 when all received WAL is replayed; NaN when unknown."
    );
    describe_gauge!(
        REPLICA_HEALTHY,
        "1 while a replica passes its health checks and may serve reads, else 0."
    );
    describe_gauge!(
        REDIS_BREAKER_OPEN,
        "1 while the Redis circuit breaker is open (calls skip Redis), else 0."
    );
    describe_gauge!(JOBS, Unit::Count, "Jobs in the queue by state, sampled periodically.");
    describe_histogram!(JOB_DURATION, Unit::Seconds, "Time one run of a job took, by kind.");
    describe_counter!(
        JOBS_FINISHED,
        Unit::Count,
        "Runs of jobs by kind and outcome: done, retry (failed, tried again later), dead (failed for the last time), interrupted (worker stopping), lost (lease lost)."
    );
    describe_counter!(
        EMAILS,
        Unit::Count,
        "Emails handed to the mail server by outcome: sent, refused (the mailbox, for good), failed (to be retried)."
    );

    for outcome in EMAIL_OUTCOMES {
        metrics::counter!(EMAILS, "outcome" => outcome).increment(0);
    }
    for kind in crate::worker::KINDS {
        for outcome in JOB_OUTCOMES {
            metrics::counter!(JOBS_FINISHED, "kind" => kind, "outcome" => outcome).increment(0);
        }
    }
}

/// The metrics listener, bound but not yet serving.
pub struct Exporter {
    listener: TcpListener,
    scrape: endpoint::Scrape,
}

impl Exporter {
    /// Installs the recorder (once per process) and binds
    /// `WARTA_METRICS_ADDR`; `None` when metrics are off. `database` and
    /// `redis` are what the gauges describe.
    pub async fn bind(settings: &MetricsSettings, database: Database, redis: Redis) -> anyhow::Result<Option<Self>> {
        let Some(address) = settings.address else {
            return Ok(None);
        };
        let handle = recorder()?;
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address} (is WARTA_METRICS_ADDR in use?)"))?;
        Ok(Some(Self {
            listener,
            scrape: endpoint::Scrape::new(handle, settings.token.clone(), database, redis),
        }))
    }

    /// The address the metrics listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves scrapes and samples the queue until the task is aborted.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        let sampling = sampler::run(
            sampler::SAMPLE_EVERY,
            self.scrape.handle().clone(),
            self.scrape.database().clone(),
        );
        let serving = axum::serve(self.listener, endpoint::router(self.scrape));
        tokio::spawn(async move {
            tokio::select! {
                served = serving.into_future() => {
                    if let Err(error) = served {
                        tracing::error!(%error, "the metrics listener stopped");
                    }
                }
                () = sampling => {}
            }
        })
    }
}
