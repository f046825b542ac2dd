//! `warta seed`: deterministic demo data, loaded with `COPY`.
//!
//! Users and articles (with their slugs, tags, favorites, comments and
//! search vectors, all in English: see `search`) are generated in Rust
//! from a ChaCha stream seeded by `--seed` (one independent stream per
//! chunk, so parallel loading stays deterministic) and streamed to Postgres
//! with `COPY … FROM STDIN` over `--jobs` connections.
//!
//! Into empty tables the load is a bulk load (see [`bulk`]): secondary
//! indexes, foreign keys and row-at-a-time triggers are set aside and put
//! back afterwards. Into tables that already hold data (a running site),
//! rows are simply appended with everything in place.

mod bulk;
mod rows;
mod search;
mod text;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use chrono::Utc;
use clap::Args;
use futures::{StreamExt as _, TryStreamExt as _};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;

use bulk::Deferred;
use rows::{CHUNK, Copy, LONGEST_DELAY, Plan, Span};

/// The password every seeded user has, so demo accounts can sign in.
pub const DEMO_PASSWORD: &str = "warta-demo-password";

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
        Deferred::set_aside(pool).await?
    } else {
        Deferred::default()
    };

    let (lexicon, paragraphs) = search::parse_paragraphs(pool, text::paragraphs()).await?;
    let (lexicon, paragraphs) = rows::vocabulary(pool, lexicon, paragraphs).await?;
    let plan = Arc::new(Plan {
        seed: args.seed,
        span,
        first_user,
        users: args.users,
        first_article,
        articles: args.articles,
        password_hash: demo_password_hash(args.seed)?,
        bulk,
        lexicon,
        paragraphs,
    });
    let jobs = args.jobs.max(1);

    let loaded = async {
        load(pool, "users", &plan, plan.users, jobs, Plan::user_chunk).await?;
        register_users(pool, first_user).await?;
        load(pool, "articles", &plan, plan.articles, jobs, Plan::article_chunk).await
    }
    .await;
    if let Err(error) = loaded {
        // Each batch is its own transaction, so what did load is whole:
        // the indexes, keys and triggers go back on it rather than leaving
        // a database that no longer keeps its search vectors or counts.
        println!("seed: loading failed; putting indexes, keys and triggers back");
        return Err(match deferred.restore(pool, jobs, LONGEST_DELAY).await {
            Ok(()) => error,
            // The load's error is the one to see; the other says what is
            // left to mend by hand.
            Err(restoring) => error.context(format!("and putting them back failed too: {restoring:#}")),
        });
    }

    println!("seed: rebuilding indexes and constraints…");
    let rebuild = Instant::now();
    deferred.restore(pool, jobs, LONGEST_DELAY).await?;
    sqlx::query_scalar!(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT coalesce(max(id), 1) FROM users))"
    )
    .fetch_one(pool)
    .await?;
    sqlx::query_scalar!("SELECT setval('articles_id_seq', (SELECT coalesce(max(id), 1) FROM articles))")
        .fetch_one(pool)
        .await?;
    bulk::vacuum(pool, jobs).await?;
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
            let mut rows = Vec::with_capacity(copies.len());
            for copy in copies {
                let mut sink = tx.copy_in_raw(copy.statement).await?;
                sink.send(copy.data).await?;
                rows.push((copy.statement, sink.finish().await?));
            }
            tx.commit().await?;
            anyhow::Ok(rows)
        })
        .buffer_unordered(jobs);
    // Rows by COPY statement; the first is of the rows being counted (the
    // articles, not their slugs, tags, favorites or comments).
    let mut copied: Vec<(&str, u64)> = Vec::new();
    while let Some(rows) = results.try_next().await.with_context(|| format!("loading {what}"))? {
        for (index, (statement, count)) in rows.into_iter().enumerate() {
            match copied.get_mut(index) {
                Some((_, total)) => *total += count,
                None => copied.push((statement, count)),
            }
        }
        let done = copied.first().map_or(0, |(_, count)| *count);
        if last_report.elapsed() >= Duration::from_secs(2) || done == total {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
            println!(
                "seed: {what}: {done:>10} / {total} ({:>3}%) {rate:>9.0} rows/s",
                done * 100 / total
            );
            last_report = Instant::now();
        }
    }
    let tables = copied
        .iter()
        .map(|(statement, count)| {
            let table = statement.split_whitespace().nth(1).unwrap_or("rows");
            format!("{count} {table}")
        })
        .collect::<Vec<_>>();
    println!(
        "seed: {what}: loaded {} in {:.1}s",
        tables.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
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
