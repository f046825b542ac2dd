//! The Redis connection.
//!
//! Redis is a cache and a session store, never the source of truth, so the
//! server must start and keep serving while it is down. [`Redis`] connects
//! lazily and reconnects on its own; every call is bounded by a short timeout
//! so a dead Redis costs a request milliseconds, not a hang.

use std::time::Duration;

use redis::{Client, aio::ConnectionManager};

/// How long to wait for Redis before treating it as down.
const TIMEOUT: Duration = Duration::from_millis(500);

/// A shared, lazily connected Redis handle. Cheap to clone.
#[derive(Clone)]
pub struct Redis {
    manager: ConnectionManager,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection info may carry a password: never print it.
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

impl Redis {
    /// A handle for `url`; no connection is made until first use.
    pub fn new(url: &str) -> redis::RedisResult<Self> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let manager = ConnectionManager::new_lazy_with_config(Client::open(url)?, config)?;
        Ok(Self { manager })
    }

    /// The connection, for commands.
    pub fn connection(&self) -> ConnectionManager {
        self.manager.clone()
    }

    /// `PING`: `Ok` when Redis answers in time.
    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut conn = self.connection();
        tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async::<String>(&mut conn))
            .await
            .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "timed out")))??;
        Ok(())
    }
}
