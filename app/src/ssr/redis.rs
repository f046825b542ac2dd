//! The Redis connection.
//!
//! Redis is a cache, a counter store and (later) a session store, never the
//! source of truth, so the server must start and keep serving while it is
//! down. [`Redis`] connects lazily and reconnects on its own; every call is
//! bounded by a short timeout, and after a failure calls are skipped for a
//! moment (a circuit breaker), so a dead or hung Redis costs a request
//! nothing rather than half a second each.
//!
//! `REDIS_URL` names one server, or a Redis Cluster by several
//! comma-separated `redis://` seeds. Commands are the same on both; keys a
//! single command or script touches together share a hash tag (`{v3}`), so
//! in a cluster they live on one node.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use redis::{
    Client, Cmd, Pipeline, RedisFuture, RedisResult, Value,
    aio::{ConnectionLike, ConnectionManager},
    cluster::ClusterClient,
    cluster_async::ClusterConnection,
};

/// How long to wait for Redis before treating it as down.
const TIMEOUT: Duration = Duration::from_millis(500);

/// After a failure, how long calls skip Redis before trying it again.
const BACKOFF: Duration = Duration::from_secs(1);

/// A connection to one Redis server or to a Redis Cluster. Cheap to clone:
/// clones share the connections underneath.
#[derive(Clone)]
pub enum Connection {
    Single(ConnectionManager),
    Cluster(LazyCluster),
}

/// A cluster connection made in the background, retrying until it is made,
/// so start-up does not wait for the cluster and no caller's timeout can
/// cancel the connecting (redis-rs reaches every seed before it answers, so
/// one unreachable seed takes a whole connect timeout). Until it is made,
/// calls fail at once.
#[derive(Clone)]
pub struct LazyCluster {
    connection: Arc<std::sync::OnceLock<ClusterConnection>>,
}

impl LazyCluster {
    /// Starts connecting `client` (needs a tokio runtime).
    fn connect(client: ClusterClient) -> Self {
        let connection = Arc::new(std::sync::OnceLock::new());
        let cell = Arc::clone(&connection);
        tokio::spawn(async move {
            let mut wait = Duration::from_millis(100);
            loop {
                match client.get_async_connection().await {
                    Ok(connected) => {
                        let _ = cell.set(connected);
                        tracing::info!("connected to the Redis Cluster");
                        return;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot reach the Redis Cluster yet; trying again");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(5));
                    }
                }
            }
        });
        Self { connection }
    }

    fn get(&self) -> RedisResult<ClusterConnection> {
        self.connection
            .get()
            .cloned()
            .ok_or_else(|| redis::RedisError::from((redis::ErrorKind::Io, "not connected to the Redis Cluster yet")))
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(manager) => manager.req_packed_command(cmd),
            Self::Cluster(cluster) => Box::pin(async move { cluster.get()?.req_packed_command(cmd).await }),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(manager) => manager.req_packed_commands(pipeline, offset, count),
            Self::Cluster(cluster) => {
                Box::pin(async move { cluster.get()?.req_packed_commands(pipeline, offset, count).await })
            }
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(manager) => manager.get_db(),
            Self::Cluster(_) => 0,
        }
    }
}

/// The seeds of `REDIS_URL`: one URL, or several comma-separated ones for a
/// Redis Cluster.
pub fn seeds(url: &str) -> Vec<&str> {
    url.split(',').map(str::trim).filter(|seed| !seed.is_empty()).collect()
}

/// A shared, lazily connected Redis handle. Cheap to clone.
#[derive(Clone)]
pub struct Redis {
    connection: Connection,
    prefix: Arc<str>,
    /// Until when (ms since the epoch) calls skip Redis; 0 when healthy.
    down_until: Arc<AtomicU64>,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection info may carry a password: never print it.
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A handle for `url` (one server, or several comma-separated cluster
    /// seeds) whose keys all start with `prefix:`. One server is connected
    /// on first use; a cluster in the background (call within a tokio
    /// runtime).
    pub fn new(url: &str, prefix: &str) -> RedisResult<Self> {
        let connection = match seeds(url).as_slice() {
            [single] => {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(TIMEOUT))
                    .set_response_timeout(Some(TIMEOUT))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(200));
                Connection::Single(ConnectionManager::new_lazy_with_config(Client::open(*single)?, config)?)
            }
            seeds => {
                let client = ClusterClient::builder(seeds.iter().copied())
                    .connection_timeout(TIMEOUT)
                    .response_timeout(TIMEOUT)
                    // Each call is bounded by TIMEOUT anyway: a retry is for
                    // a MOVED slot or a failover, not for waiting.
                    .retries(2)
                    .min_retry_wait(10)
                    .max_retry_wait(100)
                    .build()?;
                Connection::Cluster(LazyCluster::connect(client))
            }
        };
        Ok(Self {
            connection,
            prefix: prefix.into(),
            down_until: Arc::default(),
        })
    }

    /// The full name of a key: `prefix:name`. Several deployments (or test
    /// runs) can share one Redis without seeing each other's keys.
    pub fn key(&self, name: impl std::fmt::Display) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Whether the circuit breaker is open: a call failed within the last
    /// [`BACKOFF`], and calls skip Redis until it has passed.
    pub fn breaker_open(&self) -> bool {
        now_ms() < self.down_until.load(Ordering::Relaxed)
    }

    /// `PING`, ignoring the circuit breaker: `Ok` when Redis answers in time.
    pub async fn ping(&self) -> RedisResult<()> {
        let mut conn = self.connection.clone();
        let result = tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async::<String>(&mut conn))
            .await
            .unwrap_or_else(|_| Err(timed_out()));
        match result {
            Ok(_) => {
                self.down_until.store(0, Ordering::Relaxed);
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Runs `command` on the connection unless Redis is known to be down;
    /// `None` when it is down, fails or times out (the failure is logged and
    /// trips the breaker). Callers carry on without Redis.
    pub async fn run<T, F>(&self, what: &'static str, command: impl FnOnce(Connection) -> F) -> Option<T>
    where
        F: Future<Output = RedisResult<T>>,
    {
        if self.breaker_open() {
            return None;
        }
        let result = tokio::time::timeout(TIMEOUT, command(self.connection.clone()))
            .await
            .unwrap_or_else(|_| Err(timed_out()));
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                let until = now_ms() + BACKOFF.as_millis() as u64;
                // Log once per outage window, not once per request.
                if self.down_until.swap(until, Ordering::Relaxed) < now_ms() {
                    tracing::warn!(%error, what, "Redis failed; serving without it for now");
                }
                None
            }
        }
    }
}

/// A short, fixed-length stand-in for `text` in a key's name: 32 hex
/// digits of its SHA-256, so no key's length depends on what a reader
/// typed.
pub fn digest(text: &str) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(text.as_bytes())[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Io, "timed out"))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
