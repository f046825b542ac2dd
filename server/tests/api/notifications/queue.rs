//! The queue: jobs committed with the work that needs them, retries,
//! dead jobs and `warta jobs`, and jobs whose worker died.

use std::{collections::HashMap, time::Duration};

use tokio::process::Command;

use super::jobs_left;
use crate::helpers::{TestApp, browser, eventually};

#[tokio::test]
async fn the_jobs_a_publish_needs_commit_or_roll_back_with_it() {
    let app = TestApp::spawn().await; // no worker: jobs stay queued
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Queued with the article", "publish").await;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM jobs ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        kinds,
        ["account_link", "fan_out"],
        "the link registering sends, then one fan-out, committed with the article"
    );

    // A transaction that enqueues and rolls back leaves nothing, and wakes
    // nobody.
    let mut tx = app.db.begin().await.unwrap();
    app::ssr::notifications::on_publish(&mut *tx, 1, chrono::Utc::now())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(jobs_left(&app.db).await, 2);
}

/// `warta <args>` against `vars`' database, as an operator runs it.
async fn warta(vars: &HashMap<String, String>, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_warta"))
        .args(args)
        .env_clear()
        .envs(vars)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .await
        .expect("run warta");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn a_failing_job_backs_off_then_dies_and_warta_jobs_retries_or_discards_it() {
    let app = TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("WARTA_JOB_POLL_MS", "50")
        .spawn()
        .await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, max_attempts) VALUES ('from_the_future', '{}', 2) RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();

    // First failure: back in the queue, a second or more away.
    let (state, attempts, delay, error) = eventually(Duration::from_secs(10), "the job is tried", async || {
        let row: (String, i32, f64, Option<String>) = sqlx::query_as(
            "SELECT state, attempts, extract(epoch FROM run_at - now())::float8, last_error FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        if row.1 >= 1 && row.0 == "queued" {
            Ok(row)
        } else {
            Err(format!("{row:?}"))
        }
    })
    .await;
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert!((0.5..3.5).contains(&delay), "backoff after one attempt: {delay} s");
    assert!(error.unwrap().contains("unknown job kind `from_the_future`"));

    // Skip the wait; the second failure is its last.
    sqlx::query("UPDATE jobs SET run_at = now() WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    eventually(Duration::from_secs(10), "the job dies", async || {
        let state: String = sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if state == "dead" { Ok(()) } else { Err(state) }
    })
    .await;

    let (ok, listing) = warta(&app.vars, &["jobs"]).await;
    assert!(ok, "{listing}");
    assert!(listing.contains("dead 1"), "{listing}");
    assert!(
        listing.contains(&id.to_string()) && listing.contains("from_the_future"),
        "{listing}"
    );

    let (ok, output) = warta(&app.vars, &["jobs", "retry", &id.to_string()]).await;
    assert!(ok && output.contains("1 dead job(s) queued again"), "{output}");
    // It runs at once (woken), and dies again after two more attempts.
    eventually(Duration::from_secs(15), "the retried job dies again", async || {
        let (state, attempts): (String, i32) = sqlx::query_as("SELECT state, attempts FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if state == "queued" && attempts == 1 {
            sqlx::query("UPDATE jobs SET run_at = now() WHERE id = $1")
                .bind(id)
                .execute(&app.db)
                .await
                .unwrap();
        }
        if state == "dead" {
            Ok(())
        } else {
            Err(format!("{state} after {attempts} attempts"))
        }
    })
    .await;

    let (ok, output) = warta(&app.vars, &["jobs", "discard", "--all"]).await;
    assert!(ok && output.contains("1 dead job(s) discarded"), "{output}");
    assert_eq!(jobs_left(&app.db).await, 0);
    let (ok, output) = warta(&app.vars, &["jobs", "retry", "999999"]).await;
    assert!(!ok && output.contains("no dead job with that id"), "{output}");
}

#[tokio::test]
async fn a_job_whose_worker_died_is_run_again_or_dies_on_its_last_attempt() {
    let app = TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("WARTA_JOB_POLL_MS", "50")
        .spawn()
        .await;
    // Two jobs held by a worker that is gone: leases that ran out a minute
    // ago, one with attempts left, one on its last.
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, locked_by, locked_until, lock_token)
         SELECT 'from_the_future', '{}', 'running', attempts, 3, 'a-dead-worker',
                now() - interval '1 minute', gen_random_uuid()
         FROM unnest(ARRAY[1, 3]) AS attempts
         RETURNING id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let (again, last) = (ids[0], ids[1]);

    #[derive(Debug, sqlx::FromRow)]
    struct Job {
        id: i64,
        state: String,
        attempts: i32,
        locked_by: Option<String>,
        last_error: Option<String>,
    }
    eventually(Duration::from_secs(10), "expired jobs are taken back", async || {
        let jobs: Vec<Job> = sqlx::query_as("SELECT id, state, attempts, locked_by, last_error FROM jobs")
            .fetch_all(&app.db)
            .await
            .unwrap();
        let job = |id| jobs.iter().find(|job| job.id == id).unwrap();
        let error = |job: &Job| job.last_error.clone().unwrap_or_default();
        // The first was taken by our worker: its second attempt ran (and
        // failed, as a job of unknown kind does).
        let rerun = job(again).attempts == 2 && error(job(again)).contains("unknown job kind");
        let died = job(last).state == "dead";
        if !(rerun && died) {
            return Err(format!("{jobs:?}"));
        }
        let last = job(last);
        assert_eq!(last.attempts, 3, "no attempt past the last: {last:?}");
        assert!(error(last).contains("on every attempt"), "{last:?}");
        assert_eq!(last.locked_by, None);
        Ok(())
    })
    .await;
}
