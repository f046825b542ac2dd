//! Partition pruning of the reading queries, from Postgres' own plans.
//!
//! `auto_explain` (loaded on one connection, plans sent back as notices)
//! records the plan the real query functions ran, with each node's loop
//! count; a partition of `articles` whose scan never ran was pruned. The
//! test's few hundred articles would be read by sequential scans and hash
//! joins, which a full-size table never gets, so those are switched off on
//! that connection.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use app::ssr::{pagination::LatestIndex, queries::articles};
use chrono::{DateTime, Datelike as _, Duration, Utc};
use sqlx::{Executor as _, PgPool, postgres::PgPoolOptions};
use tracing_subscriber::layer::SubscriberExt as _;

use crate::helpers::{fixtures, fresh_database};

/// Months of articles, one partition each.
const MONTHS: i64 = 24;

/// The notices of the current thread, kept (the test's runtime runs
/// everything on this thread).
#[derive(Clone, Default)]
struct Notices(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Notices {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message<'a>(&'a mut String);
        impl tracing::field::Visit for Message<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    *self.0 = format!("{value:?}");
                }
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "message" {
                    *self.0 = value.to_owned();
                }
            }
        }
        if event.metadata().target() == "sqlx::postgres::notice" {
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            self.0.lock().unwrap().push(message);
        }
    }
}

/// Each statement in `notices` (its text) and the `articles` partitions its
/// plan scanned (loops > 0).
fn partitions(notices: &[String]) -> Vec<(String, BTreeSet<String>)> {
    fn walk(node: &serde_json::Value, ran: &mut BTreeSet<String>) {
        if let Some(name) = node["Relation Name"].as_str()
            && name.starts_with("articles_")
            && node["Actual Loops"].as_u64().unwrap_or(0) > 0
        {
            ran.insert(name.to_owned());
        }
        for child in node["Plans"].as_array().into_iter().flatten() {
            walk(child, ran);
        }
    }
    notices
        .iter()
        .filter_map(|notice| {
            let start = notice.find('{')?;
            let plan: serde_json::Value = serde_json::from_str(&notice[start..]).expect("a JSON plan");
            let mut ran = BTreeSet::new();
            walk(&plan["Plan"], &mut ran);
            Some((plan["Query Text"].as_str().unwrap_or_default().to_owned(), ran))
        })
        .collect()
}

/// What the statements `query` ran scanned: every partition, and those of
/// the statement that reads the articles themselves (its text names
/// `article_tag_list`).
struct Scanned {
    all: BTreeSet<String>,
    listing: BTreeSet<String>,
}

/// Runs `query` and returns its output and the partitions it scanned.
async fn scanned<F: std::future::Future>(query: F) -> (F::Output, Scanned) {
    let notices = Notices::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(notices.clone()));
    let output = query.await;
    let statements = partitions(&notices.0.lock().unwrap());
    let mut scanned = Scanned {
        all: BTreeSet::new(),
        listing: BTreeSet::new(),
    };
    for (text, ran) in statements {
        if text.contains("article_tag_list") {
            scanned.listing.extend(ran.iter().cloned());
        }
        scanned.all.extend(ran);
    }
    (output, scanned)
}

async fn explained(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "LOAD 'auto_explain';
                     SET auto_explain.log_min_duration = 0;
                     SET auto_explain.log_analyze = on;
                     SET auto_explain.log_timing = off;
                     SET auto_explain.log_format = 'json';
                     SET auto_explain.log_level = 'notice';
                     SET jit = off;
                     -- The plans of a full-size table (index scans, nested
                     -- loops), not the ones a few hundred rows get.
                     SET enable_seqscan = off;
                     SET enable_hashjoin = off;
                     SET enable_mergejoin = off",
                )
                .await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .expect("connect with auto_explain")
}

/// The month a partition holds (`articles_y2026m03`), or `None` for the
/// default partition.
fn month_of(partition: &str) -> Option<(i32, u32)> {
    let rest = partition.strip_prefix("articles_y")?;
    let (year, month) = rest.split_once('m')?;
    Some((year.parse().ok()?, month.parse().ok()?))
}

/// Asserts that every partition in `ran` holds months from `from` to
/// `until`, and returns how many there were.
fn within(what: &str, ran: &BTreeSet<String>, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> usize {
    let month = |at: DateTime<Utc>| (at.year(), at.month());
    for partition in ran {
        let Some(held) = month_of(partition) else {
            continue; // the default partition is always read
        };
        assert!(held >= month(from), "{what}: read {partition}, before {from}: {ran:?}");
        if let Some(until) = until {
            assert!(held <= month(until), "{what}: read {partition}, after {until}: {ran:?}");
        }
    }
    ran.len()
}

/// The slugs of the published articles at positions `offset..offset + limit`,
/// the plain way.
async fn expected(db: &PgPool, offset: i64, limit: i64) -> Vec<String> {
    sqlx::query_scalar!(
        "SELECT slug FROM articles WHERE status = 'published' ORDER BY published_at DESC, id DESC OFFSET $1 LIMIT $2",
        offset,
        limit
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn published_at(db: &PgPool, position: i64) -> DateTime<Utc> {
    sqlx::query_scalar!(
        r#"SELECT published_at AS "at!" FROM articles WHERE status = 'published'
           ORDER BY published_at DESC, id DESC OFFSET $1 LIMIT 1"#,
        position
    )
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn reading_queries_scan_only_the_partitions_they_need() {
    let (url, db) = fresh_database().await;
    let now = Utc::now();
    let first = (now - Duration::days(31 * MONTHS)).date_naive();
    sqlx::query!("SELECT ensure_article_partitions($1, 3)", first)
        .fetch_one(&db)
        .await
        .unwrap();
    let ada = fixtures::user(&db, "ada").await;
    // Ten articles a month, every three days, each published an hour after
    // it was begun.
    let mut slugs = Vec::new();
    for month in 0..MONTHS {
        for n in 0..10 {
            let at = now - Duration::days(30 * month + 3 * n) - Duration::hours(2);
            let title = format!("Month {month} story {n}");
            slugs.push(fixtures::article(&db, ada, &title, at, Some(at + Duration::hours(1))).await);
        }
    }
    sqlx::query("ANALYZE articles").execute(&db).await.unwrap();
    let all: i64 =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM pg_inherits WHERE inhparent = 'articles'::regclass"#)
            .fetch_one(&db)
            .await
            .unwrap();
    let explained = explained(&url).await;
    let delay = Duration::hours(1);

    // One article: the slug registry names its partition.
    let (found, ran) = scanned(articles::published_by_slug(&explained, &slugs[40])).await;
    assert!(found.unwrap().is_some());
    eprintln!("one article: {} of {all} partitions", ran.all.len());
    assert_eq!(ran.all.len(), 1, "{:?}", ran.all);

    // The latest listing, with an anchor every 10 articles (read first:
    // building them reads every partition, once per ten minutes).
    let index = Arc::new(LatestIndex::new(10));
    index.rebuild(&db).await.unwrap();
    let (page, ran) = scanned(index.page(&explained, 0, 20)).await;
    let page = page.unwrap();
    assert_eq!(
        page.articles.iter().map(|a| a.slug.clone()).collect::<Vec<_>>(),
        expected(&db, 0, 20).await
    );
    let floor = published_at(&db, 40).await;
    let read = within("page 1", &ran.all, floor - delay, None);
    eprintln!("latest, page 1: {read} of {all} partitions");
    assert!(read <= 9, "{:?}", ran.all);

    let (page, ran) = scanned(index.page(&explained, 150, 20)).await;
    assert_eq!(
        page.unwrap()
            .articles
            .iter()
            .map(|a| a.slug.clone())
            .collect::<Vec<_>>(),
        expected(&db, 150, 20).await
    );
    let (top, floor) = (published_at(&db, 150).await, published_at(&db, 190).await);
    let read = within("page 8", &ran.listing, floor - delay, Some(top));
    eprintln!(
        "latest, page 8 (from an anchor): {read} of {all} partitions, and {} to count what is newer than the anchors",
        ran.all.difference(&ran.listing).count()
    );
    assert!(read <= 5, "{:?}", ran.listing);

    // A popular tab reads the window's months, then one partition a row.
    let since = now - Duration::days(30);
    let (popular, ran) = scanned(articles::most_viewed(&explained, Some(since), 10)).await;
    assert_eq!(popular.unwrap().len(), 10);
    let read = within("popular this month", &ran.all, since - delay, None);
    eprintln!("popular this month: {read} of {all} partitions");
    assert!(read <= 6, "{:?}", ran.all);

    // An author's page: no bound on when their articles were begun, so
    // every partition's index is entered (to be pruned: see the README).
    let (by_author, ran) = scanned(articles::published_by_author(&explained, ada, 20, 0)).await;
    assert_eq!(by_author.unwrap().len(), 20);
    eprintln!("author, page 1: {} of {all} partitions", ran.all.len());
}
