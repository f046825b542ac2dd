//! Postgres as the app sees it: one primary for writes and a set of
//! streaming replicas for public reads.
//!
//! # Which server answers a read
//!
//! Every public read goes through the cache ([`crate::ssr::cache`]), and
//! every cached value belongs to a group whose generation is the primary's
//! WAL position just after the last write that touched the group
//! ([`Database::write_position`]). A value is computed only on a replica
//! that has replayed at least that far ([`Database::reader`]), else on the
//! primary. So a value cached after a write always includes it: the author
//! who just published, and every other reader, see the new article at once,
//! never the replica's older copy, and no replica lag can put an old page
//! back into the cache for an hour. Reads of one's own data (the editor,
//! the account, the feed) go to the primary.
//!
//! # Health
//!
//! A task per instance asks each replica every [`CHECK_EVERY`] how far it
//! has replayed, and how far behind the primary that is in time
//! ([`Database::spawn_health_checks`]). A replica that fails to
//! answer within a second is left out until it answers again; with
//! none healthy, reads go to the primary. Replicas are taken in turn, so
//! the load spreads. Pools, primary and replicas alike, give up on a
//! connection after their acquire timeout, and the request gets a 503.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use sqlx::PgPool;

use crate::ssr::queries;

/// How often each replica is asked how far it has replayed.
pub const CHECK_EVERY: Duration = Duration::from_millis(500);

/// How long a replica may take to answer a health check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// A position in Postgres' write-ahead log, as a number (`pg_lsn` is two
/// 32-bit halves written `16/B374D848`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Lsn(pub u64);

impl Lsn {
    /// Parses Postgres' text form, `16/B374D848`.
    pub fn parse(text: &str) -> Option<Self> {
        let (high, low) = text.split_once('/')?;
        let high = u64::from_str_radix(high, 16).ok()?;
        let low = u64::from_str_radix(low, 16).ok()?;
        (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some(Self((high << 32) | low))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One streaming replica and what its health checks last found.
struct Replica {
    /// `host:port/database`, without credentials: for logs and `/readyz`.
    name: String,
    pool: PgPool,
    healthy: AtomicBool,
    /// How far it had replayed at its last good check.
    replayed: AtomicU64,
    /// Its replay lag in milliseconds at its last good check, or
    /// [`UNKNOWN_LAG`].
    lag_ms: AtomicU64,
}

/// What `lag_ms` holds when the lag is not known: the replica has not
/// answered, or has replayed nothing yet.
const UNKNOWN_LAG: u64 = u64::MAX;

/// What `/readyz` reports about one replica.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaStatus {
    pub name: String,
    /// What metrics call its pool: `replica-0` for the first of
    /// `DATABASE_REPLICA_URLS`.
    pub pool: String,
    pub healthy: bool,
    /// The replica's replay position at its last good check.
    pub replayed: String,
    /// How long ago the primary committed the last transaction the replica
    /// has replayed, 0 when it has replayed all it has received (an idle
    /// primary is no lag), as of its last good check; `None` when unknown.
    pub lag_seconds: Option<f64>,
}

/// The primary and its replicas. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    primary: PgPool,
    replicas: Arc<[Replica]>,
    next: Arc<AtomicUsize>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field(
                "replicas",
                &self.replicas.iter().map(|replica| &replica.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Database {
    /// The primary alone: every read and write goes to it.
    pub fn primary_only(primary: PgPool) -> Self {
        Self::new(primary, Vec::new())
    }

    /// The primary and `replicas`, each `(name, pool)`. Replicas count as
    /// unhealthy until their first check answers.
    pub fn new(primary: PgPool, replicas: Vec<(String, PgPool)>) -> Self {
        let replicas = replicas
            .into_iter()
            .map(|(name, pool)| Replica {
                name,
                pool,
                healthy: AtomicBool::new(false),
                replayed: AtomicU64::new(0),
                lag_ms: AtomicU64::new(UNKNOWN_LAG),
            })
            .collect();
        Self {
            primary,
            replicas,
            next: Arc::default(),
        }
    }

    /// The primary: for writes, for reads inside a write, and for reads of
    /// one's own data.
    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// Every pool with the name metrics give it: `primary`, then
    /// `replica-0`, `replica-1`… in the order of `DATABASE_REPLICA_URLS`
    /// (never the URL, which may hold a password).
    pub fn pools(&self) -> Vec<(String, &PgPool)> {
        std::iter::once(("primary".to_owned(), &self.primary))
            .chain(
                self.replicas
                    .iter()
                    .enumerate()
                    .map(|(index, replica)| (replica_pool(index), &replica.pool)),
            )
            .collect()
    }

    /// A pool for a read that must see every write up to `at_least`: the
    /// next healthy replica that has replayed that far, else the primary.
    pub fn reader(&self, at_least: Lsn) -> &PgPool {
        let count = self.replicas.len();
        if count == 0 {
            return &self.primary;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|step| &self.replicas[(start + step) % count])
            .find(|replica| {
                replica.healthy.load(Ordering::Relaxed) && Lsn(replica.replayed.load(Ordering::Relaxed)) >= at_least
            })
            .map_or(&self.primary, |replica| &replica.pool)
    }

    /// The primary's WAL insert position now: after a write has committed,
    /// a position that includes it. `None` without replicas (nothing needs
    /// it) or when the primary cannot say, after three tries over 300 ms:
    /// the write has just committed there, so a failure is a blip, and
    /// without a position the write's cache groups fall back to a counter,
    /// which a lagging replica may already have passed.
    pub async fn write_position(&self) -> Option<Lsn> {
        if self.replicas.is_empty() {
            return None;
        }
        let mut pause = Duration::from_millis(100);
        for attempt in 1..=3 {
            let position = queries::replication::write_position(&self.primary).await;
            match position {
                Ok(text) => return Lsn::parse(&text),
                Err(error) if attempt < 3 => {
                    tracing::warn!(%error, attempt, "cannot read the primary's WAL position; trying again");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read the primary's WAL position: replicas may serve this write's pages stale until they expire");
                }
            }
        }
        None
    }

    /// Each replica's state, as its last check found it.
    pub fn replica_status(&self) -> Vec<ReplicaStatus> {
        self.replicas
            .iter()
            .enumerate()
            .map(|(index, replica)| ReplicaStatus {
                name: replica.name.clone(),
                pool: replica_pool(index),
                healthy: replica.healthy.load(Ordering::Relaxed),
                replayed: Lsn(replica.replayed.load(Ordering::Relaxed)).to_string(),
                lag_seconds: match replica.lag_ms.load(Ordering::Relaxed) {
                    UNKNOWN_LAG => None,
                    ms => Some(ms as f64 / 1000.0),
                },
            })
            .collect()
    }

    /// Checks every replica now, once, all at the same time: one that
    /// hangs until its timeout does not hold up the others' checks.
    pub async fn check_replicas(&self) {
        let mut checks = tokio::task::JoinSet::new();
        for index in 0..self.replicas.len() {
            let replicas = Arc::clone(&self.replicas);
            checks.spawn(async move { check(&replicas[index]).await });
        }
        checks.join_all().await;
    }

    /// Checks the replicas every [`CHECK_EVERY`] until the task is aborted;
    /// `None` when there are none.
    pub fn spawn_health_checks(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.replicas.is_empty() {
            return None;
        }
        let database = self.clone();
        Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(CHECK_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                database.check_replicas().await;
            }
        }))
    }

    /// Closes every pool (at shutdown).
    pub async fn close(&self) {
        self.primary.close().await;
        for replica in self.replicas.iter() {
            replica.pool.close().await;
        }
    }
}

/// The name of the `index`th replica's pool in metrics.
fn replica_pool(index: usize) -> String {
    format!("replica-{index}")
}

/// Asks `replica` how far it has replayed, and records the answer.
async fn check(replica: &Replica) {
    let answer = tokio::time::timeout(CHECK_TIMEOUT, queries::replication::replay(&replica.pool)).await;
    let replayed = match answer {
        Ok(Ok(row)) => Lsn::parse(&row.lsn)
            .map(|position| (position, row.lag_seconds))
            .ok_or_else(|| format!("unreadable position {}", row.lsn)),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("timed out".to_owned()),
    };
    match replayed {
        Ok((position, lag)) => {
            replica.replayed.store(position.0, Ordering::Relaxed);
            let lag_ms = lag.map_or(UNKNOWN_LAG, |seconds| (seconds.max(0.0) * 1000.0) as u64);
            replica.lag_ms.store(lag_ms, Ordering::Relaxed);
            if !replica.healthy.swap(true, Ordering::Relaxed) {
                tracing::info!(replica = %replica.name, replayed = %position, "replica is serving reads");
            }
        }
        Err(error) => {
            replica.lag_ms.store(UNKNOWN_LAG, Ordering::Relaxed);
            if replica.healthy.swap(false, Ordering::Relaxed) {
                tracing::warn!(replica = %replica.name, %error, "replica failed its health check; reading from the others or the primary");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(port: u16) -> PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .connect_lazy_with(sqlx::postgres::PgConnectOptions::new().host("127.0.0.1").port(port))
    }

    fn port(pool: &PgPool) -> u16 {
        pool.connect_options().get_port()
    }

    fn set(database: &Database, index: usize, healthy: bool, replayed: u64) {
        database.replicas[index].healthy.store(healthy, Ordering::Relaxed);
        database.replicas[index].replayed.store(replayed, Ordering::Relaxed);
    }

    #[tokio::test]
    async fn reads_go_to_healthy_replicas_in_turn_that_have_replayed_far_enough() {
        let database = Database::new(pool(1), vec![("a".into(), pool(2)), ("b".into(), pool(3))]);
        assert_eq!(port(database.reader(Lsn(0))), 1, "no replica has answered a check yet");

        set(&database, 0, true, 100);
        set(&database, 1, true, 200);
        let mut seen: Vec<u16> = (0..4).map(|_| port(database.reader(Lsn(50)))).collect();
        seen.sort_unstable();
        assert_eq!(seen, [2, 2, 3, 3], "spread over both");
        assert!(
            (0..4).all(|_| port(database.reader(Lsn(150))) == 3),
            "only b has replayed 150"
        );
        assert_eq!(port(database.reader(Lsn(201))), 1, "none has replayed 201: the primary");

        set(&database, 1, false, 200);
        assert_eq!(port(database.reader(Lsn(150))), 1, "b is down and a is behind");
        assert_eq!(port(database.reader(Lsn(100))), 2);
        assert_eq!(port(Database::primary_only(pool(1)).reader(Lsn(0))), 1);
    }

    #[test]
    fn positions_parse_and_print_as_postgres_writes_them() {
        let lsn = Lsn::parse("16/B374D848").unwrap();
        assert_eq!(lsn.0, 0x16_B374_D848);
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert!(Lsn::parse("0/1").unwrap() < Lsn::parse("1/0").unwrap());
        assert_eq!(Lsn::parse("16B374D848"), None);
        assert_eq!(Lsn::parse("1/100000000"), None, "the low half is 32 bits");
    }
}
