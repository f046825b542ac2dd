//! The job worker: `warta worker`, or a task inside `warta serve`.
//!
//! It claims up to `WARTA_WORKER_CONCURRENCY` jobs at a time (see
//! [`app::ssr::jobs`] for the queue's guarantees), runs each in its own
//! task with a heartbeat that extends its lease, and sleeps until Postgres
//! notifies it of new jobs or the poll interval passes (retries come due,
//! and jobs whose worker died are put back, on that timer).
//!
//! Stopping (SIGTERM, or the web server shutting down): it claims nothing
//! more, tells running jobs to stop at their next safe point (between two
//! emails, between two fan-out batches), waits up to the grace period, and
//! returns whatever is unfinished to the queue.

mod account_mail;
mod context;
mod cover_jobs;
mod notify;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use app::ssr::{
    covers::{DeleteCoverFiles, MakeCoverVariants},
    jobs::{ClaimedJob, Failure, Queue, Task as _},
    notifications::{FanOut, SendNotifications},
    recovery::{SendLink, SendNotice},
};
use sqlx::{
    PgPool,
    postgres::{PgListener, PgPoolOptions},
};
use tokio::{sync::watch, task::JoinSet};

use crate::monitoring::names::{JOB_DURATION, JOBS_FINISHED};
pub use context::Context;
use context::Outcome;

/// Every kind of job this worker runs: the `kind` label of its metrics. A
/// kind it does not know (a newer worker's) is counted as `unknown`, since
/// the column could hold anything.
pub const KINDS: [&str; 6] = [
    FanOut::KIND,
    SendNotifications::KIND,
    MakeCoverVariants::KIND,
    DeleteCoverFiles::KIND,
    SendLink::KIND,
    SendNotice::KIND,
];

fn kind_label(kind: &str) -> &'static str {
    KINDS.into_iter().find(|known| *known == kind).unwrap_or("unknown")
}

/// Runs jobs until `stop` turns true, then stops gracefully.
pub async fn run(context: Arc<Context>, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let id = format!(
        "{}-{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned()),
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    );
    let settings = context.settings.clone();
    // Claims and heartbeats have connections of their own, so jobs busy
    // with the database never hold up a lease until it runs out.
    let control = PgPoolOptions::new()
        .max_connections(3)
        .acquire_timeout(settings.lease / 3)
        .connect_lazy_with((*context.db.connect_options()).clone());
    let queue = Queue::new(control, id.clone(), settings.lease);
    // The jobs this worker is running, by id.
    let held: Arc<Mutex<HashMap<i64, ClaimedJob>>> = Arc::default();
    let mut running = JoinSet::new();
    let mut listener = listen(&context.db).await;
    tracing::info!(worker = %id, concurrency = settings.concurrency, "worker started");

    // When this worker last put back jobs whose holder died.
    let mut requeued_at: Option<Instant> = None;

    while !*stop.borrow() {
        if requeued_at.is_none_or(|at| at.elapsed() >= settings.poll) {
            requeued_at = Some(Instant::now());
            match queue.requeue_expired().await {
                Ok(0) => {}
                Ok(jobs) => tracing::warn!(jobs, "put back jobs whose worker stopped before finishing"),
                Err(error) => tracing::warn!(%error, "could not look for jobs whose worker stopped"),
            }
        }
        let free = settings.concurrency.saturating_sub(running.len());
        let mut claimed_all = false;
        if free > 0 {
            let holding: Vec<i64> = held.lock().expect("not poisoned").keys().copied().collect();
            match queue.claim(free as i64, &holding).await {
                Ok(jobs) => {
                    claimed_all = jobs.len() == free;
                    for job in jobs {
                        held.lock().expect("not poisoned").insert(job.id, job.clone());
                        running.spawn(run_one(context.clone(), queue.clone(), job, stop.clone(), held.clone()));
                    }
                }
                Err(error) => tracing::warn!(%error, "could not claim jobs; will try again"),
            }
        }
        if claimed_all {
            // Every slot filled: more may be waiting once one frees up.
            tokio::select! {
                _ = running.join_next() => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        tokio::select! {
            woken = recv(&mut listener) => if !woken {
                // The LISTEN connection broke: poll until it is back.
                tokio::select! {
                    () = tokio::time::sleep(settings.poll) => listener = listen(&context.db).await,
                    _ = stop.changed() => {}
                }
            },
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = stop.changed() => {}
            () = tokio::time::sleep(settings.poll) => {}
        }
    }

    tracing::info!(worker = %id, jobs = running.len(), "worker stopping; letting running jobs reach a safe point");
    let finished = tokio::time::timeout(settings.grace, async { while running.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        running.abort_all();
        while running.join_next().await.is_some() {}
        let unfinished: Vec<ClaimedJob> = held.lock().expect("not poisoned").drain().map(|(_, job)| job).collect();
        for job in unfinished {
            if let Err(error) = queue.release(&job).await {
                tracing::warn!(job = job.id, %error, "could not return a job; it is taken again when its lease runs out");
            }
        }
    }
    tracing::info!(worker = %id, "worker stopped");
    Ok(())
}

async fn listen(db: &PgPool) -> Option<PgListener> {
    let mut listener = match PgListener::connect_with(db).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "cannot LISTEN for new jobs; polling instead");
            return None;
        }
    };
    match listener.listen(app::ssr::jobs::CHANNEL).await {
        Ok(()) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "cannot LISTEN for new jobs; polling instead");
            None
        }
    }
}

/// Waits for a notification; `false` when there is no working listener.
async fn recv(listener: &mut Option<PgListener>) -> bool {
    match listener {
        Some(connection) => match connection.recv().await {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(%error, "lost the LISTEN connection");
                *listener = None;
                false
            }
        },
        None => false,
    }
}

/// Runs one job with a heartbeat, then records how it ended.
async fn run_one(
    context: Arc<Context>,
    queue: Queue,
    job: ClaimedJob,
    mut stop: watch::Receiver<bool>,
    held: Arc<Mutex<HashMap<i64, ClaimedJob>>>,
) {
    let started = std::time::Instant::now();
    // Tells the job to stop at its next safe point: when the worker stops,
    // or when its lease is lost. The job is never dropped mid-step: an
    // email the server accepted is always recorded before it ends.
    let (halt, halted) = watch::channel(*stop.borrow());
    let work = handle(&context, &queue, &job, halted);
    // The lease is extended beside the work, never instead of it: a
    // heartbeat can wait on a row the job's open transaction holds, and
    // that transaction commits only while the job is polled.
    let keep_lease = async {
        let mut beat = tokio::time::interval(queue.lease() / 3);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        beat.tick().await;
        let mut extended = Instant::now();
        loop {
            beat.tick().await;
            match queue.heartbeat(&job).await {
                Ok(true) => extended = Instant::now(),
                Ok(false) => return,
                // Past the lease, another worker may hold the job: stop.
                Err(_) if extended.elapsed() >= queue.lease() => return,
                Err(error) => tracing::warn!(job = job.id, %error, "heartbeat failed; the lease may run out"),
            }
        }
    };
    let worker_stops = stop.wait_for(|stopping| *stopping);
    tokio::pin!(work, keep_lease, worker_stops);
    let (mut lost, mut stopping) = (false, false);
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            () = &mut keep_lease, if !lost => {
                lost = true;
                let _ = halt.send(true);
            }
            _ = &mut worker_stops, if !stopping => {
                stopping = true;
                let _ = halt.send(true);
            }
        }
    };
    let result = if lost { Ok(Outcome::Lost) } else { result };
    let elapsed = started.elapsed();
    // Failing to record a failure leaves the job to be taken again once
    // its lease runs out: a retry, as far as metrics tell.
    let (recorded, outcome) = match result {
        Ok(Outcome::Done) => {
            tracing::debug!(job = job.id, kind = %job.kind, elapsed_ms = elapsed.as_millis() as u64, "job done");
            (queue.complete(&job).await, "done")
        }
        Ok(Outcome::Interrupted) => (queue.release(&job).await, "interrupted"),
        Ok(Outcome::Lost) => {
            tracing::warn!(job = job.id, kind = %job.kind, "lost the lease on a job; another worker has it now");
            (Ok(()), "lost")
        }
        Err(error) => {
            let message = format!("{error:#}");
            match queue.fail(&job, &message).await {
                Ok(Failure::Retrying(delay)) => {
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, retry_in_s = delay.as_secs_f64(), error = %message, "job failed; will retry");
                    (Ok(()), "retry")
                }
                Ok(Failure::Dead) => {
                    tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %message, "job failed for the last time; dead (see `warta jobs`)");
                    (Ok(()), "dead")
                }
                Err(error) => (Err(error), "retry"),
            }
        }
    };
    let kind = kind_label(&job.kind);
    metrics::histogram!(JOB_DURATION, "kind" => kind).record(elapsed);
    metrics::counter!(JOBS_FINISHED, "kind" => kind, "outcome" => outcome).increment(1);
    if let Err(error) = recorded {
        tracing::warn!(job = job.id, %error, "could not record a job's end; it is taken again when its lease runs out");
    }
    held.lock().expect("not poisoned").remove(&job.id);
}

async fn handle(
    context: &Context,
    queue: &Queue,
    job: &ClaimedJob,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    match job.kind.as_str() {
        FanOut::KIND => notify::fan_out(context, queue, job, stop).await,
        SendNotifications::KIND => notify::send(context, job, stop).await,
        MakeCoverVariants::KIND => cover_jobs::make_variants(context, job).await,
        DeleteCoverFiles::KIND => cover_jobs::delete_files(context, job).await,
        SendLink::KIND => account_mail::send_link(context, job).await,
        SendNotice::KIND => account_mail::send_notice(context, job).await,
        other => anyhow::bail!("unknown job kind `{other}` (a newer worker's job?)"),
    }
}

/// Starts a worker in the background, for `warta serve`.
pub fn spawn(context: Arc<Context>, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(error) = run(context, stop).await {
            tracing::error!(error = %format!("{error:#}"), "the worker stopped with an error");
        }
    })
}
