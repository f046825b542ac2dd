//! `warta seed`: deterministic demo data, loaded with `COPY`.
//!
//! Users and articles are generated in Rust from a ChaCha stream seeded by
//! `--seed` (one independent stream per chunk, so parallel loading stays
//! deterministic) and streamed to Postgres with `COPY … FROM STDIN` over
//! `--jobs` connections.
//!
//! Into empty tables the load is a bulk load: secondary indexes and foreign
//! keys are dropped first and rebuilt from their own saved definitions
//! afterwards, which is several times faster than maintaining them row by
//! row. Into tables that already hold data (a running site), rows are simply
//! appended with everything in place.

mod text;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use chrono::{DateTime, Days, NaiveDate, TimeZone as _, Utc};
use clap::Args;
use futures::{StreamExt as _, TryStreamExt as _};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;

/// Rows per COPY batch (and per random stream).
const CHUNK: u64 = 50_000;
/// The password every seeded user has, so demo accounts can sign in.
pub const DEMO_PASSWORD: &str = "warta-demo-password";

/// The tables a bulk load drops secondary indexes and foreign keys on.
const BULK_TABLES: [&str; 5] = [
    "users",
    "articles",
    "article_slugs",
    "author_publications",
    "article_tags",
];

// Defined with the command rather than in `cli`, so the command line that
// dispatches to it is the only one of the two that imports the other. (Not
// a doc comment: clap would read it as help text.)
/// Options for `warta seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// How many users to create.
    #[arg(long, default_value_t = 1_000)]
    pub users: u64,
    /// How many articles to create (90% published).
    #[arg(long, default_value_t = 5_000)]
    pub articles: u64,
    /// The random seed: the same seed (and `--until`) gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The last day of the three years articles are spread over
    /// (YYYY-MM-DD, UTC). Defaults to today.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// How many parallel COPY streams to load with.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Only seed when the database has no users yet (used by `make run`).
    #[arg(long)]
    pub if_empty: bool,
}

/// Runs `warta seed`.
pub async fn run(pool: &PgPool, args: &SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let existing_users: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM (SELECT 1 FROM users LIMIT 1) u"#)
        .fetch_one(pool)
        .await?;
    if args.if_empty && existing_users > 0 {
        println!("seed: the database already has users; nothing to do");
        return Ok(());
    }
    if args.users == 0 && args.articles > 0 {
        anyhow::bail!("--articles needs at least one user (--users)");
    }

    let until = args.until.unwrap_or_else(|| Utc::now().date_naive());
    let span = Span::three_years_until(until);
    crate::db::ensure_partitions_from(pool, span.start.date_naive()).await?;

    let first_user: i64 = sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) + 1 AS "n!" FROM users"#)
        .fetch_one(pool)
        .await?;
    let first_article: i64 = sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) + 1 AS "n!" FROM articles"#)
        .fetch_one(pool)
        .await?;

    let bulk = first_user == 1 && first_article == 1;
    let deferred = if bulk {
        Deferred::drop(pool).await?
    } else {
        Deferred::default()
    };

    let plan = Arc::new(Plan {
        seed: args.seed,
        span,
        first_user,
        users: args.users,
        first_article,
        articles: args.articles,
        password_hash: demo_password_hash(args.seed)?,
    });
    let jobs = args.jobs.max(1);

    load(pool, "users", &plan, plan.users, jobs, Plan::user_chunk).await?;
    register_users(pool, first_user).await?;
    load(pool, "articles", &plan, plan.articles, jobs, Plan::article_chunk).await?;

    println!("seed: rebuilding indexes and constraints…");
    let rebuild = Instant::now();
    deferred.restore(pool).await?;
    sqlx::query_scalar!(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT coalesce(max(id), 1) FROM users))"
    )
    .fetch_one(pool)
    .await?;
    sqlx::query_scalar!("SELECT setval('articles_id_seq', (SELECT coalesce(max(id), 1) FROM articles))")
        .fetch_one(pool)
        .await?;
    // VACUUM too: it sets the visibility map, so listings' index scans
    // (the seek anchors' pass above all) need not visit the heap.
    sqlx::query("VACUUM (ANALYZE) users, user_emails, user_names, articles, article_slugs, author_publications, article_tags, tag_counts")
        .execute(pool)
        .await?;
    println!("seed: rebuilt in {:.1}s", rebuild.elapsed().as_secs_f64());

    println!(
        "seed: {} users and {} articles (seed {}, dates {} to {}) in {:.1}s",
        plan.users,
        plan.articles,
        plan.seed,
        span.start.date_naive(),
        until,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Fills the email and username registries for the users loaded from
/// `first_user` on, in one statement each (the bulk load skipped the
/// trigger that writes them a row at a time). A duplicate fails the seed
/// as it would have failed the insert.
async fn register_users(pool: &PgPool, first_user: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO user_emails (email, user_id) SELECT lower(email), id FROM users WHERE id >= $1",
        first_user
    )
    .execute(&mut *tx)
    .await
    .context("registering the seeded emails")?;
    sqlx::query!(
        "INSERT INTO user_names (username, user_id) SELECT lower(username), id FROM users WHERE id >= $1",
        first_user
    )
    .execute(&mut *tx)
    .await
    .context("registering the seeded usernames")?;
    tx.commit().await?;
    println!(
        "seed: users registered by email and username in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Streams `total` rows in chunks over `jobs` connections, printing progress.
async fn load(
    pool: &PgPool,
    what: &str,
    plan: &Arc<Plan>,
    total: u64,
    jobs: usize,
    make_chunk: fn(&Plan, u64) -> Vec<Copy>,
) -> anyhow::Result<()> {
    if total == 0 {
        return Ok(());
    }
    let started = Instant::now();
    let chunks = total.div_ceil(CHUNK);
    let mut done = 0_u64;
    let mut last_report = Instant::now();
    let mut results = futures::stream::iter(0..chunks)
        .map(|chunk| async move {
            // Generating a chunk is CPU work: keep it off the async workers.
            let plan = Arc::clone(plan);
            let copies = tokio::task::spawn_blocking(move || make_chunk(&plan, chunk)).await?;
            let mut tx = pool.begin().await?;
            // Skips the trigger that writes user_emails and user_names a row
            // at a time: `run` fills them with one statement each.
            sqlx::query("SET LOCAL warta.bulk_load = 'on'")
                .execute(&mut *tx)
                .await?;
            // A chunk's first COPY is of the rows being counted (articles);
            // the others (their slugs and tags) are as many or more.
            let mut rows = None;
            for copy in copies {
                let mut sink = tx.copy_in_raw(copy.statement).await?;
                sink.send(copy.data).await?;
                let copied = sink.finish().await?;
                rows.get_or_insert(copied);
            }
            tx.commit().await?;
            anyhow::Ok(rows.unwrap_or(0))
        })
        .buffer_unordered(jobs);
    while let Some(rows) = results.try_next().await.with_context(|| format!("loading {what}"))? {
        done += rows;
        if last_report.elapsed() >= Duration::from_secs(2) || done == total {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
            println!(
                "seed: {what}: {done:>10} / {total} ({:>3}%) {rate:>9.0} rows/s",
                done * 100 / total
            );
            last_report = Instant::now();
        }
    }
    Ok(())
}

/// One `COPY` statement and its data.
struct Copy {
    statement: &'static str,
    data: Vec<u8>,
}

/// The three years articles are spread over.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: DateTime<Utc>,
    seconds: i64,
}

impl Span {
    fn three_years_until(until: NaiveDate) -> Self {
        let end = Utc.from_utc_datetime(&until.and_hms_opt(23, 59, 59).expect("a valid time"));
        let start_day = until.checked_sub_days(Days::new(3 * 365)).unwrap_or(until);
        let start = Utc.from_utc_datetime(&start_day.and_hms_opt(0, 0, 0).expect("a valid time"));
        Self {
            start,
            seconds: (end - start).num_seconds().max(1),
        }
    }

    fn at(&self, offset: i64) -> DateTime<Utc> {
        self.start + chrono::Duration::seconds(offset.clamp(0, self.seconds))
    }
}

/// What to generate; every row is a pure function of the plan and its index.
struct Plan {
    seed: u64,
    span: Span,
    first_user: i64,
    users: u64,
    first_article: i64,
    articles: u64,
    /// One argon2id hash of [`DEMO_PASSWORD`] shared by every seeded user:
    /// hashing a million passwords would take hours.
    password_hash: String,
}

impl Plan {
    fn rng(&self, table: u64, chunk: u64) -> ChaCha8Rng {
        // Distinct, well-mixed streams per (seed, table, chunk).
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(table << 48 | chunk);
        rng
    }

    fn chunk_range(total: u64, chunk: u64) -> std::ops::Range<u64> {
        chunk * CHUNK..((chunk + 1) * CHUNK).min(total)
    }

    fn user_chunk(&self, chunk: u64) -> Vec<Copy> {
        let mut rng = self.rng(1, chunk);
        let mut data = Vec::with_capacity(CHUNK as usize * 160);
        for index in Self::chunk_range(self.users, chunk) {
            let id = self.first_user + index as i64;
            let user = text::user(&mut rng, id);
            let created = self.span.at(rng.random_range(0..self.span.seconds));
            let bio = if rng.random_bool(0.7) {
                text::sentence(&mut rng)
            } else {
                String::new()
            };
            Row::new(&mut data)
                .display(id)
                .text(&user.username)
                .text(&user.email)
                .text(&self.password_hash)
                .text(&bio)
                .time(created)
                .time(created)
                // Demo readers' addresses count as verified: they follow
                // authors and are emailed, as real readers are once they
                // open their verification link.
                .display(true)
                .end();
        }
        vec![Copy {
            statement: "COPY users (id, username, email, password_hash, bio, created_at, updated_at, email_verified) FROM STDIN",
            data,
        }]
    }

    fn article_chunk(&self, chunk: u64) -> Vec<Copy> {
        let mut rng = self.rng(2, chunk);
        let mut articles = Vec::with_capacity(CHUNK as usize * 3_400);
        let mut slugs = Vec::with_capacity(CHUNK as usize * 90);
        let mut tags = Vec::with_capacity(CHUNK as usize * 60);
        // Tags draw from a stream of their own, so adding them changed no
        // article's text.
        let mut tag_rng = self.rng(3, chunk);
        for index in Self::chunk_range(self.articles, chunk) {
            let id = self.first_article + index as i64;
            // Authorship is heavy-tailed: a few prolific writers, a long tail.
            let author = self.first_user + (self.users as f64 * rng.random::<f64>().powi(3)) as i64;
            let article = text::article(&mut rng, id);
            let created = self.span.at(rng.random_range(0..self.span.seconds));
            let published = rng.random_bool(0.9);
            let (status, published_at, views) = if published {
                let at = self
                    .span
                    .at((created - self.span.start).num_seconds() + rng.random_range(0..6 * 3600));
                (text::PUBLISHED, Some(at), pareto_views(&mut rng))
            } else {
                (text::DRAFT, None, 0)
            };
            Row::new(&mut articles)
                .display(id)
                .display(author)
                .text(&article.slug)
                .text(&article.title)
                .text(&article.description)
                .text(&article.body)
                .text(status)
                .display(views)
                .time(created)
                .optional_time(published_at)
                .time(published_at.unwrap_or(created))
                .end();
            Row::new(&mut slugs)
                .text(&article.slug)
                .display(id)
                .time(created)
                .time(created)
                .end();
            for (position, tag) in text::tags(&mut tag_rng).iter().enumerate() {
                Row::new(&mut tags)
                    .display(id)
                    .time(created)
                    .text(tag)
                    .display(position + 1)
                    .optional_time(published_at)
                    .end();
            }
        }
        vec![
            Copy {
                statement: "COPY articles (id, user_id, slug, title, description, body, status, views, \
                            created_at, published_at, updated_at) FROM STDIN",
                data: articles,
            },
            Copy {
                statement: "COPY article_slugs (slug, article_id, article_created_at, created_at) FROM STDIN",
                data: slugs,
            },
            // Each batch's counts reach `tag_counts` in one statement (its
            // trigger runs per statement).
            Copy {
                statement: "COPY article_tags (article_id, article_created_at, tag, position, published_at) FROM STDIN",
                data: tags,
            },
        ]
    }
}

/// Hashes [`DEMO_PASSWORD`] with argon2id, salted from the seed so the
/// output stays deterministic.
fn demo_password_hash(seed: u64) -> anyhow::Result<String> {
    use argon2::{PasswordHasher as _, password_hash::SaltString};
    let mut salt = [0_u8; 16];
    ChaCha8Rng::seed_from_u64(seed).fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|error| anyhow::anyhow!("salt: {error}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(DEMO_PASSWORD.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("hashing the demo password: {error}"))?;
    Ok(hash.to_string())
}

/// Views follow a Pareto distribution (alpha 1.2): most articles are read a
/// few dozen times, a handful hundreds of thousands.
fn pareto_views(rng: &mut ChaCha8Rng) -> i64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    (10.0 / u.powf(1.0 / 1.2)).min(5_000_000.0) as i64
}

/// Writes one row in `COPY` text format: tab-separated, escaped, `\N` for
/// NULL.
struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out, first: true }
    }

    fn separator(&mut self) {
        if !self.first {
            self.out.push(b'\t');
        }
        self.first = false;
    }

    fn text(mut self, field: &str) -> Self {
        self.separator();
        for &byte in field.as_bytes() {
            match byte {
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                _ => self.out.push(byte),
            }
        }
        self
    }

    fn display(self, field: impl std::fmt::Display) -> Self {
        self.text(&field.to_string())
    }

    fn time(self, at: DateTime<Utc>) -> Self {
        self.text(&at.to_rfc3339())
    }

    fn optional_time(mut self, at: Option<DateTime<Utc>>) -> Self {
        match at {
            Some(at) => self.time(at),
            None => {
                self.separator();
                self.out.extend_from_slice(b"\\N");
                self
            }
        }
    }

    fn end(self) {
        self.out.push(b'\n');
    }
}

/// Indexes and foreign keys set aside during a bulk load.
#[derive(Debug, Default)]
struct Deferred {
    indexes: Vec<(String, String)>,
    foreign_keys: Vec<(String, String, String)>,
}

impl Deferred {
    /// Drops the secondary (non-unique, non-key) indexes and the foreign keys
    /// of [`BULK_TABLES`], remembering their definitions.
    async fn drop(pool: &PgPool) -> anyhow::Result<Self> {
        let tables: Vec<String> = BULK_TABLES.iter().map(|t| (*t).to_owned()).collect();
        let foreign_keys = sqlx::query!(
            r#"SELECT conrelid::regclass::text AS "table!", conname::text AS "name!",
                      pg_get_constraintdef(oid) AS "definition!"
               FROM pg_constraint
               WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) AND conparentid = 0"#,
            &tables
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.table, row.name, row.definition))
        .collect::<Vec<_>>();
        let indexes = sqlx::query!(
            r#"SELECT i.indexrelid::regclass::text AS "name!", pg_get_indexdef(i.indexrelid) AS "definition!"
               FROM pg_index i
               WHERE i.indrelid::regclass::text = ANY($1) AND NOT i.indisunique AND NOT i.indisprimary"#,
            &tables
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.name, row.definition))
        .collect::<Vec<_>>();

        let mut tx = pool.begin().await?;
        for (table, name, _) in &foreign_keys {
            sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .execute(&mut *tx)
                .await?;
        }
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX {name}")).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Self { indexes, foreign_keys })
    }

    /// Recreates what [`Deferred::drop`] removed.
    async fn restore(self, pool: &PgPool) -> anyhow::Result<()> {
        let mut conn = pool.acquire().await?;
        sqlx::query("SET maintenance_work_mem = '512MB'")
            .execute(&mut *conn)
            .await?;
        for (name, definition) in &self.indexes {
            // A partitioned table's index prints as `ON ONLY parent`, which
            // would create an invalid index with none on the partitions.
            let definition = definition.replacen(" ON ONLY ", " ON ", 1);
            sqlx::query(&definition)
                .execute(&mut *conn)
                .await
                .with_context(|| format!("recreating {name}"))?;
        }
        for (table, name, definition) in &self.foreign_keys {
            sqlx::query(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
                .execute(&mut *conn)
                .await
                .with_context(|| format!("recreating {name}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_tabs_newlines_and_backslashes() {
        let mut out = Vec::new();
        Row::new(&mut out)
            .text("a\tb")
            .text("line\nnext\\")
            .optional_time(None)
            .end();
        assert_eq!(String::from_utf8(out).unwrap(), "a\\tb\tline\\nnext\\\\\t\\N\n");
    }

    #[test]
    fn the_same_seed_generates_the_same_rows() {
        let plan = |seed| Plan {
            seed,
            span: Span::three_years_until(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
            first_user: 1,
            users: 100,
            first_article: 1,
            articles: 100,
            password_hash: String::new(),
        };
        let a = plan(7).article_chunk(0);
        let b = plan(7).article_chunk(0);
        let c = plan(8).article_chunk(0);
        assert_eq!(a[0].data, b[0].data);
        assert_ne!(a[0].data, c[0].data);
    }

    #[test]
    fn views_are_heavy_tailed() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut views: Vec<i64> = (0..10_000).map(|_| pareto_views(&mut rng)).collect();
        views.sort_unstable();
        let median = views[views.len() / 2];
        let top = views[views.len() - 1];
        assert!(median < 30, "median {median}");
        assert!(top > 100 * median, "top {top}, median {median}");
    }
}
