//! Partition pruning of the reading queries, from Postgres' own plans
//! ([`crate::plans`]): a partition of `articles` whose scan never ran was
//! pruned. The test's few hundred articles would be read by sequential scans
//! and hash joins, which a full-size table never gets, so those are switched
//! off on that connection.

use std::{collections::BTreeSet, sync::Arc};

use app::ssr::{
    pagination::LatestIndex,
    queries::{articles, follows},
};
use chrono::{DateTime, Datelike as _, Duration, Utc};
use sqlx::PgPool;

use crate::{
    helpers::{fixtures, fresh_database},
    plans::{explaining, nodes, ran},
};

/// Months of articles, one partition each.
const MONTHS: i64 = 24;

/// Each statement in `plans` (its text) and the `articles` partitions its
/// plan scanned (loops > 0).
fn partitions(plans: &[serde_json::Value]) -> Vec<(String, BTreeSet<String>)> {
    plans
        .iter()
        .map(|plan| {
            let ran = nodes(&plan["Plan"])
                .into_iter()
                .filter(|node| node["Actual Loops"].as_u64().unwrap_or(0) > 0)
                .filter_map(|node| node["Relation Name"].as_str())
                .filter(|name| name.starts_with("articles_"))
                .map(str::to_owned)
                .collect();
            (plan["Query Text"].as_str().unwrap_or_default().to_owned(), ran)
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
    let (output, plans) = ran(query).await;
    let mut scanned = Scanned {
        all: BTreeSet::new(),
        listing: BTreeSet::new(),
    };
    for (text, ran) in partitions(&plans) {
        if text.contains("article_tag_list") {
            scanned.listing.extend(ran.iter().cloned());
        }
        scanned.all.extend(ran);
    }
    (output, scanned)
}

/// A connection reporting its plans, with those of a full-size table (index
/// scans, nested loops), not the ones a few hundred rows get.
async fn explained(url: &str) -> PgPool {
    explaining(
        url,
        "SET enable_seqscan = off;
         SET enable_hashjoin = off;
         SET enable_mergejoin = off;
         SET enable_material = off",
    )
    .await
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
    for month in 0..MONTHS {
        for n in 0..10 {
            let at = now - Duration::days(30 * month + 3 * n) - Duration::hours(2);
            let title = format!("Month {month} story {n}");
            fixtures::article(&db, ada, &title, at, Some(at + Duration::hours(1))).await;
        }
    }
    sqlx::query("ANALYZE articles").execute(&db).await.unwrap();
    // An anchor every 10 articles; page 8.
    let read = check_pruning(&url, &db, 10, 150).await;
    assert!(read.first_page <= 9, "{read:?}");
    assert!(read.deep_page <= 5, "{read:?}");
    assert!(read.popular <= 6, "{read:?}");

    // The follow feed merges the followed authors' rows the same way: one
    // partition per row on the page, and no other.
    let (bo, reader) = (fixtures::user(&db, "bo").await, fixtures::user(&db, "reader").await);
    for n in 0..3 {
        let at = now - Duration::days(40 * n + 1);
        fixtures::article(&db, bo, &format!("Bo story {n}"), at, Some(at)).await;
    }
    for author in [ada, bo] {
        sqlx::query!(
            "INSERT INTO follows (follower_id, author_id) VALUES ($1, $2)",
            reader,
            author
        )
        .execute(&db)
        .await
        .unwrap();
    }
    let wanted = sqlx::query!(
        r#"SELECT slug, tableoid::regclass::text AS "partition!" FROM articles
           WHERE user_id IN ($1, $2) AND status = 'published'
           ORDER BY published_at DESC, id DESC OFFSET 10 LIMIT 20"#,
        ada,
        bo
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let explained = explained(&url).await;
    let (feed, ran) = scanned(follows::feed(&explained, reader, 20, 10)).await;
    let (feed, total) = feed.unwrap();
    assert_eq!(total, MONTHS * 10 + 3);
    assert_eq!(
        feed.into_iter().map(|a| a.slug).collect::<Vec<_>>(),
        wanted.iter().map(|row| row.slug.clone()).collect::<Vec<_>>()
    );
    let holding: BTreeSet<String> = wanted.into_iter().map(|row| row.partition).collect();
    assert!(holding.len() >= 2, "the page spans months: {holding:?}");
    assert_eq!(ran.all, holding, "the feed read other partitions");
}

/// The same checks on the 1M-user, 5M-article dataset (`make seed`), with
/// the production stride: `make explain-large`.
#[tokio::test]
#[ignore = "needs the large dataset: make explain-large"]
async fn reading_queries_scan_only_the_partitions_they_need_on_the_large_dataset() {
    let url = std::env::var("LARGE_DATABASE_URL").expect("LARGE_DATABASE_URL (make explain-large sets it)");
    let db = PgPool::connect(&url).await.expect("connect to the large dataset");
    let read = check_pruning(
        &url,
        &db,
        app::ssr::pagination::STRIDE,
        100 * app::ssr::pagination::STRIDE + 150,
    )
    .await;
    assert!(read.first_page <= 6, "{read:?}");
    assert!(read.deep_page <= 3, "{read:?}");
    assert!(read.popular <= 6, "{read:?}");
}

/// How many partitions each read scanned.
#[derive(Debug)]
#[allow(dead_code)] // printed
struct Read {
    partitions: i64,
    first_page: usize,
    deep_page: usize,
    popular: usize,
    author_pages: Vec<usize>,
}

/// Runs the reading queries on `url`'s articles with auto_explain, checks
/// that each read only the partitions that can hold its rows (and the same
/// rows as the plain query), and prints and returns how many it read. The
/// latest listing has an anchor every `stride` articles; its deep page
/// starts at `deep`.
async fn check_pruning(url: &str, db: &PgPool, stride: i64, deep: i64) -> Read {
    let all: i64 =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM pg_inherits WHERE inhparent = 'articles'::regclass"#)
            .fetch_one(db)
            .await
            .unwrap();
    let longest = sqlx::query_scalar!(
        r#"SELECT (extract(epoch FROM longest) * 1000)::bigint AS "ms!" FROM article_publication_delay"#
    )
    .fetch_one(db)
    .await
    .unwrap();
    let delay = Duration::milliseconds(longest);
    let (slug, author) = sqlx::query_as::<_, (String, i64)>(
        "SELECT slug, user_id FROM articles WHERE status = 'published'
         ORDER BY published_at DESC, id DESC OFFSET 40 LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let explained = explained(url).await;
    eprintln!("{all} partitions; the longest delay from begun to published: {delay}");

    // One article: the slug registry names its partition.
    let (found, ran) = scanned(articles::published_by_slug(&explained, &slug)).await;
    assert!(found.unwrap().is_some());
    eprintln!("one article: {} of {all} partitions", ran.all.len());
    assert_eq!(ran.all.len(), 1, "{:?}", ran.all);

    // The latest listing (its anchors read first: building them reads
    // every partition, once per ten minutes).
    let index = Arc::new(LatestIndex::new(stride));
    index.rebuild(db).await.unwrap();
    let floor_of = |at: i64| ((at + 20) / stride + 2) * stride;
    let (page, ran) = scanned(index.page(&explained, 0, 20)).await;
    let slugs = |page: app::ssr::pagination::Page| page.articles.into_iter().map(|a| a.slug).collect::<Vec<_>>();
    assert_eq!(slugs(page.unwrap()), expected(db, 0, 20).await);
    let floor = published_at(db, floor_of(0)).await;
    let first_page = within("page 1", &ran.all, floor - delay, None);
    eprintln!("latest, page 1: {first_page} of {all} partitions");

    let (page, ran) = scanned(index.page(&explained, deep, 20)).await;
    assert_eq!(slugs(page.unwrap()), expected(db, deep, 20).await);
    let (top, floor) = (
        published_at(db, deep / stride * stride).await,
        published_at(db, floor_of(deep)).await,
    );
    let deep_page = within("a deep page", &ran.listing, floor - delay, Some(top));
    eprintln!(
        "latest, page {} (from an anchor): {deep_page} of {all} partitions, and {} to count what is newer than the anchors",
        deep / 20 + 1,
        ran.all.difference(&ran.listing).count()
    );

    // A popular tab reads the window's months, then one partition a row.
    let since = Utc::now() - Duration::days(30);
    let (top, ran) = scanned(articles::most_viewed(&explained, Some(since), 10)).await;
    assert_eq!(top.unwrap().len(), 10);
    let popular = within("popular this month", &ran.all, since - delay, None);
    eprintln!("popular this month: {popular} of {all} partitions");

    // An author's page: its rows come from author_publications, then each
    // from the one partition that holds it, and from no other.
    // Both the author of a recent article and the most prolific one.
    let prolific = sqlx::query_scalar!(
        r#"SELECT user_id AS "id!" FROM author_publications GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1"#
    )
    .fetch_one(db)
    .await
    .unwrap();
    let mut author_pages = Vec::new();
    let mut pages = vec![(author, 0), (prolific, 0), (prolific, 150)];
    pages.dedup();
    for (author, offset) in pages {
        let (wanted, holding) = by_author(db, author, offset, 20).await;
        if wanted.is_empty() {
            continue;
        }
        let (page, ran) = scanned(articles::published_by_author(&explained, author, 20, offset)).await;
        let page: Vec<String> = page.unwrap().into_iter().map(|a| a.slug).collect();
        assert_eq!(page, wanted, "an author's page at {offset}");
        assert_eq!(ran.all, holding, "an author's page at {offset} read other partitions");
        eprintln!(
            "author {author}'s page at offset {offset} ({} articles): {} of {all} partitions",
            page.len(),
            ran.all.len()
        );
        author_pages.push(ran.all.len());
    }
    assert!(!author_pages.is_empty(), "the author has published articles");

    Read {
        partitions: all,
        first_page,
        deep_page,
        popular,
        author_pages,
    }
}

/// The slugs of `author`'s published articles at `offset..offset + limit`,
/// the plain way, and the partitions holding them.
async fn by_author(db: &PgPool, author: i64, offset: i64, limit: i64) -> (Vec<String>, BTreeSet<String>) {
    let rows = sqlx::query!(
        r#"SELECT slug, tableoid::regclass::text AS "partition!" FROM articles
           WHERE user_id = $1 AND status = 'published'
           ORDER BY published_at DESC, id DESC OFFSET $2 LIMIT $3"#,
        author,
        offset,
        limit
    )
    .fetch_all(db)
    .await
    .unwrap();
    let partitions = rows.iter().map(|row| row.partition.clone()).collect();
    (rows.into_iter().map(|row| row.slug).collect(), partitions)
}
