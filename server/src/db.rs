//! Postgres: the pool, migrations and partition upkeep.

use std::{str::FromStr as _, time::Duration};

use anyhow::Context as _;
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use app::ssr::{database::Database, queries};

use crate::config::DatabaseSettings;

/// How many months of article partitions to keep ready ahead of today.
pub const PARTITION_MONTHS_AHEAD: i32 = 3;

/// Opens the pool. Connections are made lazily, so a server can start while
/// Postgres is still coming up; `/readyz` tells when it answers.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<PgPool> {
    let pool = connect_lazy(settings)?;
    // Commands (migrate, seed) want a clear error now rather than later.
    pool.acquire()
        .await
        .context("cannot connect to Postgres (check DATABASE_URL and that the server is running)")?;
    Ok(pool)
}

/// Opens the primary's pool without waiting for a first connection.
pub fn connect_lazy(settings: &DatabaseSettings) -> anyhow::Result<PgPool> {
    pool(
        settings.url.expose(),
        "DATABASE_URL",
        settings.max_connections,
        settings,
    )
}

/// The primary and every replica of `DATABASE_REPLICA_URLS`, connected
/// lazily. Replicas serve reads once their first health check answers
/// ([`Database::spawn_health_checks`]).
pub fn connect_database(settings: &DatabaseSettings) -> anyhow::Result<Database> {
    let primary = connect_lazy(settings)?;
    let replicas = settings
        .replica_urls
        .iter()
        .map(|url| {
            let pool = pool(
                url.expose(),
                "DATABASE_REPLICA_URLS",
                settings.replica_max_connections,
                settings,
            )?;
            let options = pool.connect_options();
            let name = format!(
                "{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or_default()
            );
            Ok((name, pool))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Database::new(primary, replicas))
}

fn pool(url: &str, variable: &str, size: u32, settings: &DatabaseSettings) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("{variable}: not a usable Postgres URL"))?
        // Once a plan's estimated cost crosses JIT's thresholds (easy with
        // dozens of partitions: a listing without its index was estimated at
        // 800k), Postgres compiles hundreds of functions, one set per
        // partition, which took 7.6 s for a query that runs in milliseconds.
        // Our queries are short: no JIT.
        .options([("jit", "off")]);
    let options = match settings.statement_timeout {
        Some(timeout) => options.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]),
        None => options,
    };
    Ok(PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(settings.acquire_timeout)
        .idle_timeout(Some(Duration::from_secs(300)))
        .connect_lazy_with(options))
}

/// Applies the migrations compiled into the binary.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations")
        .run(pool)
        .await
        .context("applying migrations")?;
    Ok(())
}

/// Creates any missing monthly article partitions up to
/// [`PARTITION_MONTHS_AHEAD`] months from now. Safe to call concurrently.
pub async fn ensure_partitions(pool: &PgPool) -> anyhow::Result<i32> {
    ensure_partitions_from(pool, chrono::Utc::now().date_naive()).await
}

/// Like [`ensure_partitions`], starting at the month of `from`.
pub async fn ensure_partitions_from(pool: &PgPool, from: chrono::NaiveDate) -> anyhow::Result<i32> {
    let created = queries::partitions::ensure(pool, from, PARTITION_MONTHS_AHEAD)
        .await
        .context("creating article partitions")?;
    Ok(created)
}

/// Keeps partitions ready while the server runs: once at start, then daily.
pub fn spawn_partition_upkeep(pool: PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            every_day.tick().await;
            match ensure_partitions(&pool).await {
                Ok(0) => {}
                Ok(created) => tracing::info!(created, "created article partitions"),
                Err(error) => tracing::warn!(error = format!("{error:#}"), "partition upkeep failed; will retry"),
            }
        }
    })
}
