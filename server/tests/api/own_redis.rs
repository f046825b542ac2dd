//! A Redis server of a test's own: to stop and restart it, give it a
//! memory limit, or read what it holds.

use crate::helpers::dead_port;

/// A Redis server of the test's own, so the test can stop and restart it.
pub(crate) struct OwnRedis {
    pub(crate) port: u16,
    process: Option<std::process::Child>,
    /// More `redis-server` arguments (a memory limit, say).
    args: Vec<String>,
}

impl OwnRedis {
    pub(crate) async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// A server started with `args` besides the usual ones
    /// (`["--maxmemory", "4mb"]`).
    pub(crate) async fn start_with(args: &[&str]) -> Self {
        let mut redis = Self {
            port: dead_port(),
            process: None,
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        };
        redis.restart().await;
        redis
    }

    async fn connection(&self) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(self.url()).expect("redis url");
        client.get_multiplexed_async_connection().await.expect("connect")
    }

    /// Every key, with its time to live in seconds (-1: none).
    pub(crate) async fn keys_and_ttls(&self) -> Vec<(String, i64)> {
        let mut conn = self.connection().await;
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut conn).await.expect("KEYS");
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut conn).await.expect("TTL");
            out.push((key, ttl));
        }
        out
    }

    /// A field of `INFO` (`used_memory`, `evicted_keys`), as a number.
    pub(crate) async fn info(&self, field: &str) -> i64 {
        let mut conn = self.connection().await;
        let info: String = redis::cmd("INFO").query_async(&mut conn).await.expect("INFO");
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("INFO has no {field}"))
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().expect("kill redis-server");
            process.wait().expect("reap redis-server");
        }
    }

    pub(crate) async fn restart(&mut self) {
        self.stop();
        let process = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(&self.args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        self.process = Some(process);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// The keys whose names contain `fragment`.
    pub(crate) async fn keys(&self, fragment: &str) -> Vec<String> {
        let client = redis::Client::open(self.url()).expect("redis url");
        let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
        redis::cmd("KEYS")
            .arg(format!("*{fragment}*"))
            .query_async(&mut conn)
            .await
            .expect("KEYS")
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
