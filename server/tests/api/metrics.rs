//! `/metrics`: every family Prometheus is promised, with labels that stay
//! bounded, served on the metrics listener alone and behind its token.
//!
//! The recorder is one per process, shared by every app the tests start,
//! so these tests look for families and labels and for counts that grow,
//! never for exact counts.

use std::{collections::BTreeMap, time::Duration};

use reqwest::{StatusCode, header};
use serde_json::json;
use warta::monitoring;

use crate::helpers::{TestApp, browser, eventually, fresh_database};

const TOKEN: &str = "a-metrics-token-of-more-than-32-characters";

/// One sample line of the text format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a scrape, comments left out.
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| parse(line).unwrap_or_else(|| panic!("not a sample line: {line}")))
        .collect()
}

/// `name{key="value",…} value`, where a value may hold `{`, `}` or an
/// escaped quote.
fn parse(line: &str) -> Option<Sample> {
    let (head, value) = line.rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let Some((name, mut rest)) = head.split_once('{') else {
        return Some(Sample {
            name: head.to_owned(),
            labels: BTreeMap::new(),
            value,
        });
    };
    let mut labels = BTreeMap::new();
    while !rest.starts_with('}') {
        let (key, after) = rest.split_once("=\"")?;
        let mut text = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => match chars.next()?.1 {
                    'n' => text.push('\n'),
                    other => text.push(other),
                },
                (at, '"') => break at,
                (_, other) => text.push(other),
            }
        };
        labels.insert(key.to_owned(), text);
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The samples named `name` whose labels include every one of `labels`.
fn matching<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(*value))
        })
        .collect()
}

/// The sum of the samples [`matching`] `name` and `labels`.
fn total(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    matching(samples, name, labels).iter().map(|sample| sample.value).sum()
}

/// `GET /metrics` on the app's metrics listener, with the token.
async fn scrape(app: &TestApp) -> String {
    let address = app.metrics.as_deref().expect("metrics are on");
    let response = browser()
        .get(format!("{address}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("the metrics text")
}

/// An app with metrics on a port of their own, behind [`TOKEN`].
fn with_metrics() -> crate::helpers::TestAppBuilder {
    TestApp::builder()
        .var("WARTA_METRICS_ADDR", "127.0.0.1:0")
        .var("WARTA_METRICS_TOKEN", TOKEN)
}

/// Every family the exporter promises, as its samples are named (a
/// histogram by its `_count`).
const FAMILIES: [&str; 12] = [
    monitoring::HTTP_REQUESTS,
    "warta_http_request_duration_seconds_count",
    app::ssr::cache::LOOKUPS,
    monitoring::POOL_CONNECTIONS,
    monitoring::POOL_MAX,
    monitoring::POOL_ACQUIRE,
    monitoring::REPLICA_LAG,
    monitoring::REPLICA_HEALTHY,
    monitoring::REDIS_BREAKER_OPEN,
    monitoring::JOBS,
    "warta_job_duration_seconds_count",
    monitoring::JOBS_FINISHED,
];

#[tokio::test]
async fn a_scrape_shows_every_family_with_bounded_labels_and_counts_that_grow() {
    let (url, db) = fresh_database().await;
    let app = with_metrics()
        .var("DATABASE_URL", url.clone())
        // The primary's own database stands in for a replica: reads there
        // see every write, and it reports no lag.
        .var("DATABASE_REPLICA_URLS", url)
        // Every read reaches the read-through cache, none stops at the
        // page cache.
        .var("WARTA_PAGE_CACHE_MS", "0")
        .var("WARTA_INLINE_WORKER", "true")
        .var("WARTA_JOB_POLL_MS", "100")
        .spawn()
        .await;

    // A page, a 404, API calls, and a publication that emails a follower
    // through two jobs.
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    let follow = app
        .api(reqwest::Method::POST, "/api/profiles/ada/follow", &bob, json!({}))
        .await;
    assert_eq!(follow.status(), StatusCode::OK);
    // Only a verified address is emailed (as opening the link sent at
    // registration makes it): without this, the email this test waits for
    // is one another test happened to send, in this process's counters.
    sqlx::query("UPDATE users SET email_verified = true WHERE username = 'bob'")
        .execute(&db)
        .await
        .unwrap();
    let slug = app
        .publish(
            &ada,
            json!({ "title": "Zebra quokka census", "description": "Counted", "body": "Both.", "tagList": [] }),
        )
        .await;
    // The first read of a listing misses the cache, the second hits it.
    for _ in 0..2 {
        assert_eq!(app.get("/api/tags").await.status(), StatusCode::OK);
    }
    let comments = app.get(&format!("/api/articles/{slug}/comments")).await;
    assert_eq!(comments.status(), StatusCode::OK);

    let text = eventually(
        Duration::from_secs(20),
        "every family is scraped, the email sent and the replica checked",
        async || {
            let text = scrape(&app).await;
            let scraped = samples(&text);
            let missing: Vec<&str> = FAMILIES
                .into_iter()
                .filter(|family| matching(&scraped, family, &[]).is_empty())
                .collect();
            let sent = total(&scraped, monitoring::EMAILS, &[("outcome", "sent")]);
            let healthy = total(&scraped, monitoring::REPLICA_HEALTHY, &[("pool", "replica-0")]);
            // The email is sent inside the job, and the job's run is
            // counted after it: wait for both (another test's email may
            // already have counted as sent).
            let jobs_done = ["fan_out", "send_notifications"].into_iter().all(|kind| {
                total(
                    &scraped,
                    monitoring::JOBS_FINISHED,
                    &[("kind", kind), ("outcome", "done")],
                ) >= 1.0
            });
            if missing.is_empty() && sent >= 1.0 && healthy == 1.0 && jobs_done {
                Ok(text)
            } else {
                Err(format!(
                    "missing {missing:?}, {sent} emails sent, replica healthy {healthy}, jobs done {jobs_done}"
                ))
            }
        },
    )
    .await;
    eprintln!("SCRAPE-BEGIN\n{text}\nSCRAPE-END");
    let scraped = samples(&text);
    let has = |name: &str, labels: &[(&str, &str)]| !matching(&scraped, name, labels).is_empty();

    // Requests, by route pattern; a path nothing matched is `unmatched`.
    assert!(has(
        monitoring::HTTP_REQUESTS,
        &[("method", "GET"), ("route", "/"), ("status", "200")]
    ));
    assert!(has(
        monitoring::HTTP_REQUESTS,
        &[("route", "/api/articles"), ("method", "POST"), ("status", "201")]
    ));
    assert!(has(
        monitoring::HTTP_REQUESTS,
        &[("route", "/api/profiles/{username}/follow")]
    ));
    assert!(has(
        monitoring::HTTP_REQUESTS,
        &[("route", "/api/articles/{slug}/comments")]
    ));
    assert!(has(
        monitoring::HTTP_REQUESTS,
        &[("route", monitoring::UNMATCHED), ("status", "404")]
    ));
    assert!(has(
        "warta_http_request_duration_seconds_bucket",
        &[("route", "/"), ("le", "+Inf")]
    ));
    for (path, seen) in [("/no/such/page", "a made-up path"), (slug.as_str(), "a slug")] {
        assert!(!text.contains(path), "{seen} became a label");
    }

    // Cache lookups by group kind: `comments`, never `comments:{slug}`.
    for result in ["miss", "hit"] {
        let lookups = total(
            &scraped,
            app::ssr::cache::LOOKUPS,
            &[("group", "latest"), ("result", result)],
        );
        assert!(lookups >= 1.0, "latest {result}: {lookups}");
    }
    assert!(has(app::ssr::cache::LOOKUPS, &[("group", "comments")]));
    for lookup in matching(&scraped, app::ssr::cache::LOOKUPS, &[]) {
        let group = &lookup.labels["group"];
        assert!(
            ["latest", "sitemaps", "article", "author", "comments", "other"].contains(&group.as_str()),
            "group label {group}"
        );
    }

    // Pools by role, never by URL; the replica's lag and health.
    for pool in ["primary", "replica-0"] {
        for state in ["in_use", "idle"] {
            assert!(
                has(monitoring::POOL_CONNECTIONS, &[("pool", pool), ("state", state)]),
                "{pool} {state}"
            );
        }
        assert!(total(&scraped, monitoring::POOL_MAX, &[("pool", pool)]) > 0.0, "{pool}");
        let waited = total(&scraped, monitoring::POOL_ACQUIRE, &[("pool", pool)]);
        assert!(waited.is_finite() && waited >= 0.0, "{pool} acquire wait {waited}");
    }
    let lag = total(&scraped, monitoring::REPLICA_LAG, &[("pool", "replica-0")]);
    assert_eq!(lag, 0.0, "a server that is not in recovery has no lag");
    assert!(!text.contains("postgres://"), "a database URL became a label");
    assert!(!text.contains(TOKEN));

    // The Redis breaker, the queue, the jobs that ran and the email.
    let breaker = total(&scraped, monitoring::REDIS_BREAKER_OPEN, &[]);
    assert!(breaker == 0.0 || breaker == 1.0, "{breaker}");
    for state in ["queued", "running", "dead"] {
        assert!(has(monitoring::JOBS, &[("state", state)]), "{state}");
    }
    for kind in ["fan_out", "send_notifications"] {
        assert!(has("warta_job_duration_seconds_count", &[("kind", kind)]), "{kind}");
        assert!(
            total(
                &scraped,
                monitoring::JOBS_FINISHED,
                &[("kind", kind), ("outcome", "done")]
            ) >= 1.0,
            "{kind}"
        );
    }
    assert!(has(monitoring::EMAILS, &[("outcome", "failed")]), "counted from 0");

    // Counters only grow.
    let tags = [("route", "/api/tags"), ("status", "200")];
    let before = total(&scraped, monitoring::HTTP_REQUESTS, &tags);
    assert_eq!(app.get("/api/tags").await.status(), StatusCode::OK);
    let after = total(&samples(&scrape(&app).await), monitoring::HTTP_REQUESTS, &tags);
    assert!(after >= before + 1.0, "{before} then {after}");
}

#[tokio::test]
async fn a_scrape_without_the_token_is_refused_and_the_public_port_has_no_metrics() {
    let app = with_metrics().spawn().await;
    let metrics = app.metrics.clone().expect("metrics are on");
    assert_ne!(metrics, app.address, "a listener of its own");

    let anonymous = browser().get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()[header::WWW_AUTHENTICATE], "Bearer");
    let guessed = browser()
        .get(format!("{metrics}/metrics"))
        .bearer_auth("a-metrics-token-of-more-than-32-characterz")
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::UNAUTHORIZED);

    let allowed = browser()
        .get(format!("{metrics}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(
        allowed.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );

    let public = app.get("/metrics").await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    assert!(!public.text().await.unwrap().contains(monitoring::HTTP_REQUESTS));
    let elsewhere = browser()
        .get(format!("{metrics}/"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status(),
        StatusCode::NOT_FOUND,
        "the metrics listener serves /metrics alone"
    );
}

#[tokio::test]
async fn without_a_metrics_address_nothing_serves_metrics() {
    let app = TestApp::spawn().await;
    assert_eq!(app.metrics, None);
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}
