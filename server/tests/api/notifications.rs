//! Background jobs end to end: publishing emails followers through a real
//! SMTP server, one-click unsubscribe, retries and dead jobs, and workers
//! stopped or killed in the middle of a 10,000-follower fan-out.

use std::{collections::HashMap, process::Stdio, time::Duration};

use reqwest::{StatusCode, header};
use sqlx::PgPool;
use tokio::process::{Child, Command};

use crate::{
    helpers::{TestApp, browser, eventually},
    smtp::SmtpServer,
};

/// Saves the article `slug` as "Engines <of> thought" and publishes it (or
/// keeps it published).
async fn save_and_publish(app: &TestApp, client: &reqwest::Client, slug: &str, description: &str, body: &str) {
    let path = format!("/editor/{slug}");
    let fields = [
        ("title", "Engines <of> thought"),
        ("description", description),
        ("body", body),
        ("tags", ""),
        ("intent", "publish"),
    ];
    let response = app.post_form_with(client, &path, &path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn follow(app: &TestApp, client: &reqwest::Client, author: &str) {
    let response = app
        .post_form_with(
            client,
            "/fn/follow",
            &format!("/@{author}"),
            &[("username", author), ("follow", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

async fn jobs_left(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM jobs")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits until the queue is empty (every job done).
async fn drained(db: &PgPool, timeout: Duration) {
    eventually(timeout, "the queue empties", async || match jobs_left(db).await {
        0 => Ok(()),
        left => Err(format!("{left} jobs")),
    })
    .await;
}

#[tokio::test]
async fn a_follower_is_emailed_once_per_publication_and_unsubscribes_in_one_click() {
    let smtp = SmtpServer::start();
    let app = TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("SMTP_URL", smtp.url())
        .var("WARTA_JOB_POLL_MS", "100")
        .spawn()
        .await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let (bob, carl) = (browser(), browser());
    app.sign_up_with(&bob, "bob").await;
    app.sign_up_with(&carl, "carl").await;
    follow(&app, &bob, "ada").await;
    follow(&app, &carl, "ada").await;

    // A draft tells nobody; publishing it does, once per follower.
    app.write_with(&ada, "Engines <of> thought", "draft").await;
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 0, "a draft sends nothing");
    let slug: String = sqlx::query_scalar("SELECT slug FROM articles")
        .fetch_one(&app.db)
        .await
        .unwrap();
    save_and_publish(&app, &ada, &slug, "What it is about", "Some words.").await;
    assert_eq!(smtp.wait_for(2, Duration::from_secs(20)).await, 2);

    let mail = smtp.received();
    let to_bob = mail
        .iter()
        .find(|message| message.to.iter().any(|to| to.contains("bob@example.org")))
        .expect("bob got an email");
    // Both parts are quoted-printable: undo the soft line breaks and `=3D`.
    let body = to_bob.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let subject = to_bob.header("Subject").unwrap();
    assert!(subject.contains("ada") && subject.contains("Engines"), "{subject}");
    assert!(to_bob.raw.contains("text/plain") && to_bob.raw.contains("text/html"));
    assert!(
        body.contains(&format!("Read it: {}/articles/{slug}", app.address)),
        "links to the article: {body}"
    );
    assert!(
        body.contains(&format!(
            r#"<a href="{}/articles/{slug}">Read the story</a>"#,
            app.address
        )),
        "{body}"
    );
    assert!(
        body.contains("Engines &lt;of&gt; thought"),
        "the HTML part escapes the title"
    );
    assert_eq!(
        to_bob.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = to_bob.header("List-Unsubscribe").unwrap();
    let unsubscribe = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    assert!(
        unsubscribe.starts_with(&format!("{}/unsubscribe/", app.address)),
        "{unsubscribe}"
    );
    assert!(
        body.contains(&format!(r#"<a href="{unsubscribe}">Unsubscribe</a>"#)),
        "a visible link too: {body}"
    );

    // Editing the published article sends nothing more.
    save_and_publish(&app, &ada, &slug, "Now longer", "More words.").await;
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 2);

    // The link opens a page with one button; a forged token is a 404.
    let page = browser().get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Stop the emails Warta sends you when ada publishes?")
    );
    let forged = format!("{unsubscribe}x");
    assert_eq!(
        browser().get(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser().post(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // RFC 8058: the mail program POSTs, with no cookie and no Origin.
    let response = browser()
        .post(&unsubscribe)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = browser().get(&unsubscribe).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("You will no longer get an email when ada publishes."),
        "{page}"
    );

    // Bob still follows ada, but only carl hears of the next article.
    app.write_with(&ada, "A second story", "publish").await;
    assert_eq!(smtp.wait_for(3, Duration::from_secs(20)).await, 3);
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 3, "one email, to carl alone");
    let last = smtp.received().pop().unwrap();
    assert_eq!(last.to.len(), 1);
    assert!(last.to[0].contains("carl@example.org"), "{:?}", last.to);
    let bob_follows: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows f JOIN users u ON u.id = f.follower_id WHERE u.username = 'bob')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(bob_follows, "unsubscribing keeps the follow");
}

#[tokio::test]
async fn the_jobs_a_publish_needs_commit_or_roll_back_with_it() {
    let app = TestApp::spawn().await; // no worker: jobs stay queued
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Queued with the article", "publish").await;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM jobs")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(kinds, ["fan_out"], "one fan-out, committed with the article");

    // A transaction that enqueues and rolls back leaves nothing, and wakes
    // nobody.
    let mut tx = app.db.begin().await.unwrap();
    app::ssr::notifications::on_publish(&mut *tx, 1, chrono::Utc::now())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(jobs_left(&app.db).await, 1);
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

/// Makes `count` users who follow `author`.
async fn followers(db: &PgPool, author: i64, count: i64) {
    sqlx::query(
        "WITH readers AS (
            INSERT INTO users (username, email, password_hash)
            SELECT 'reader' || n, 'reader' || n || '@example.org', 'x' FROM generate_series(1, $2) AS n
            RETURNING id
         )
         INSERT INTO follows (follower_id, author_id) SELECT id, $1 FROM readers",
    )
    .bind(author)
    .bind(count)
    .execute(db)
    .await
    .unwrap();
}

/// A `warta worker` process.
fn worker(vars: &HashMap<String, String>, smtp: &SmtpServer) -> Child {
    worker_with(vars, smtp, &[])
}

/// A `warta worker` process with `settings` over the tests' own (a short
/// lease and poll, so a killed worker's jobs come back quickly).
fn worker_with(vars: &HashMap<String, String>, smtp: &SmtpServer, settings: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_warta"))
        .arg("worker")
        .env_clear()
        .envs(vars)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SMTP_URL", smtp.url())
        .env("WARTA_JOB_LEASE_SECS", "4")
        .env("WARTA_JOB_POLL_MS", "100")
        .env("WARTA_WORKER_CONCURRENCY", "4")
        .env("WARTA_MAIL_CONCURRENCY", "8")
        .env("WARTA_FANOUT_BATCH", "500")
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start warta worker")
}

#[tokio::test]
async fn workers_stopped_or_killed_mid_fan_out_deliver_every_email_exactly_once() {
    const FOLLOWERS: i64 = 10_000;
    let smtp = SmtpServer::start();
    let app = TestApp::spawn().await; // the web app runs no jobs here
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let author: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'ada'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    followers(&app.db, author, FOLLOWERS).await;
    let started = std::time::Instant::now();
    app.write_with(&ada, "To ten thousand readers", "publish").await;

    // A first worker is asked to stop (SIGTERM) mid-way: it finishes the
    // emails in flight, returns its jobs and exits.
    let mut first = worker(&app.vars, &smtp);
    assert!(smtp.wait_for(2_000, Duration::from_secs(60)).await >= 2_000);
    let pid = first.id().expect("running") as i32;
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(20), first.wait())
        .await
        .expect("a worker stops within its grace period")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let running: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE state = 'running'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(running, 0, "a stopped worker gives its jobs back");
    let after_stop = smtp.count();

    // A second worker is killed outright while emails are in flight: the
    // server holds every message at the end of DATA, unanswered, as a slow
    // relay would, and the worker dies waiting for the replies.
    let mut second = worker(&app.vars, &smtp);
    assert!(smtp.wait_for(after_stop + 2_000, Duration::from_secs(60)).await >= after_stop + 2_000);
    smtp.hold();
    // Every email the server did accept is recorded as sent before the
    // kill: the one moment a kill could still repeat an email (after the
    // server's reply, before the worker's update; RFC 1047) is not what
    // this test is about.
    eventually(
        Duration::from_secs(30),
        "every accepted email is marked sent",
        async || {
            let marked: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE sent_at IS NOT NULL")
                .fetch_one(&app.db)
                .await
                .unwrap();
            let accepted = smtp.count();
            if marked as usize == accepted {
                Ok(())
            } else {
                Err(format!("{marked} marked, {accepted} accepted"))
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(smtp.held() > 0, "emails were in flight");
    second.kill().await.unwrap();
    smtp.release_dropping(); // never answered, so never delivered

    // A third worker takes the killed worker's jobs once their leases run
    // out, and finishes.
    let _third = worker(&app.vars, &smtp);
    assert_eq!(
        smtp.wait_for(FOLLOWERS as usize, Duration::from_secs(120)).await,
        FOLLOWERS as usize
    );
    drained(&app.db, Duration::from_secs(30)).await;
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mail = smtp.received();
    let mut recipients: Vec<String> = mail.iter().flat_map(|message| message.to.clone()).collect();
    assert_eq!(
        recipients.len(),
        FOLLOWERS as usize,
        "one email per follower, none twice"
    );
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), FOLLOWERS as usize, "every follower, once");
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE sent_at IS NULL")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(unsent, 0);
    eprintln!(
        "fan-out to {FOLLOWERS} followers with one stop and one kill: {:.1} s (including two lease timeouts)",
        elapsed.as_secs_f64()
    );
}

/// `make bench-jobs`: how long a 10,000-follower fan-out takes, the
/// queue's throughput in jobs per second when every job sends one email,
/// and its throughput on its own (jobs that find nothing to do). Prints
/// figures; asserts only that everything arrived.
#[tokio::test]
#[ignore = "a benchmark: run with `make bench-jobs`"]
async fn bench_fan_out_and_queue_throughput() {
    const FOLLOWERS: i64 = 10_000;
    let cases = [
        ("1", "16", "one email a job, 16 jobs at once"),
        ("500", "4", "fan-out, 500 recipients a job, 4 jobs at once"),
        ("1", "4", "one email a job, 4 jobs at once"),
    ];
    for (batch, concurrency, label) in cases {
        let smtp = SmtpServer::start();
        let app = TestApp::spawn().await;
        let ada = browser();
        app.sign_up_with(&ada, "ada").await;
        let author: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'ada'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        followers(&app.db, author, FOLLOWERS).await;
        // The defaults a deployment runs with, but for the batch size and
        // the number of jobs at once.
        let _worker = worker_with(&app.vars, &smtp, &bench_settings(batch, concurrency));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = std::time::Instant::now();
        app.write_with(&ada, "To ten thousand readers", "publish").await;
        assert_eq!(
            smtp.wait_for(FOLLOWERS as usize, Duration::from_secs(300)).await,
            FOLLOWERS as usize
        );
        // Every job done (deleted), not only every email accepted.
        drained(&app.db, Duration::from_secs(60)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let jobs = 1 + FOLLOWERS / batch.parse::<i64>().unwrap();
        eprintln!(
            "bench-jobs: {label}: {FOLLOWERS} emails in {elapsed:.2} s ({:.0} emails/s; {jobs} jobs, {:.0} jobs/s)",
            FOLLOWERS as f64 / elapsed,
            jobs as f64 / elapsed
        );
    }

    // The queue alone: 10,000 fan-outs of an article nobody follows, each
    // a claim, two reads and a delete.
    const JOBS: i64 = 10_000;
    let smtp = SmtpServer::start();
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    // Its own fan-out job waits for the worker too: 10,001 jobs in all.
    app.write_with(&ada, "Read by nobody", "publish").await;
    let _worker = worker_with(&app.vars, &smtp, &bench_settings("500", "4"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    sqlx::query(
        "INSERT INTO jobs (kind, payload)
         SELECT 'fan_out', jsonb_build_object('article_id', a.id, 'created_at', a.created_at)
         FROM articles a, generate_series(1, $1)",
    )
    .bind(JOBS - 1)
    .execute(&app.db)
    .await
    .unwrap();
    drained(&app.db, Duration::from_secs(300)).await;
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "bench-jobs: the queue alone, 4 jobs at once: {JOBS} jobs in {elapsed:.2} s ({:.0} jobs/s)",
        JOBS as f64 / elapsed
    );
}

/// A deployment's defaults, but for the fan-out batch and the jobs a
/// worker runs at once.
fn bench_settings<'a>(batch: &'a str, concurrency: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("WARTA_FANOUT_BATCH", batch),
        ("WARTA_WORKER_CONCURRENCY", concurrency),
        ("WARTA_JOB_LEASE_SECS", "30"),
        ("WARTA_JOB_POLL_MS", "1000"),
        ("WARTA_MAIL_CONCURRENCY", "4"),
    ]
}

#[tokio::test]
async fn two_sending_jobs_over_the_same_readers_email_each_reader_once() {
    const FOLLOWERS: i64 = 300;
    let smtp = SmtpServer::start();
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let author: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'ada'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    followers(&app.db, author, FOLLOWERS).await;
    app.write_with(&ada, "Told twice over", "publish").await;
    // As if two fan-outs of one article had run (two publishes racing):
    // every reader owed once, two jobs each covering all of them.
    sqlx::query("DELETE FROM jobs").execute(&app.db).await.unwrap();
    sqlx::query(
        "WITH a AS (SELECT id, created_at FROM articles)
         , owed AS (INSERT INTO notifications (article_id, recipient_id)
                    SELECT a.id, f.follower_id FROM a, follows f RETURNING recipient_id)
         INSERT INTO jobs (kind, payload)
         SELECT 'send_notifications', jsonb_build_object(
                    'article_id', a.id, 'created_at', a.created_at, 'after', 0,
                    'through', (SELECT max(recipient_id) FROM owed))
         FROM a, generate_series(1, 2)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let _worker = worker(&app.vars, &smtp);
    assert_eq!(
        smtp.wait_for(FOLLOWERS as usize, Duration::from_secs(60)).await,
        FOLLOWERS as usize
    );
    drained(&app.db, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtp.count(),
        FOLLOWERS as usize,
        "each reader once, though two jobs covered them"
    );
}
