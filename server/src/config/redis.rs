//! Redis settings: the cache's server and the sessions' server, kept apart.
//!
//! The cache (`REDIS_URL`) holds what anonymous traffic makes: cached
//! pages and listings, view counts. It is given a memory limit and an
//! eviction policy (`allkeys-lru`), so a flood of cache misses evicts
//! cached values and nothing else. Sessions, attempt budgets and sign-in
//! records (`WARTA_SESSION_REDIS_URL`) must never be evicted, so they live
//! where cache traffic cannot reach: another server in production and in
//! the local cluster; by default, for a laptop, the next logical database
//! of the cache's server (`redis://host:port/1` beside `/0`).

use super::{
    source::{ConfigError, Source, required},
    values::Secret,
};

/// Where the two Redis servers are, and the keys' prefix.
#[derive(Debug, Clone)]
pub struct RedisSettings {
    /// `REDIS_URL`: the cache (one server, or a Redis Cluster's seeds).
    pub cache_url: Secret,
    /// `WARTA_SESSION_REDIS_URL`: sessions, attempt budgets and sign-in
    /// records.
    pub session_url: Secret,
    /// `WARTA_REDIS_PREFIX`: every key starts with `prefix:`, so
    /// deployments (or test runs) can share a Redis.
    pub prefix: String,
}

impl RedisSettings {
    pub(super) fn from_source(source: &impl Source, production: bool) -> Result<Self, ConfigError> {
        let cache_url = required(source, "REDIS_URL")?;
        check_url("REDIS_URL", &cache_url)?;
        let session_url = match source.get("WARTA_SESSION_REDIS_URL") {
            Some(url) => {
                check_url("WARTA_SESSION_REDIS_URL", &url)?;
                if production && shares_a_server(&url, &cache_url) {
                    return Err(ConfigError::new(
                        "WARTA_SESSION_REDIS_URL",
                        "must name another Redis server than REDIS_URL in production (another database of the \
                         same server shares its memory limit and evictions): cache traffic would evict sessions",
                    ));
                }
                url
            }
            None if production => {
                return Err(ConfigError::new(
                    "WARTA_SESSION_REDIS_URL",
                    "required in production: a Redis of its own for sessions and attempt budgets, \
                     which the cache's memory limit and evictions must never reach",
                ));
            }
            None => next_database(&cache_url).ok_or_else(|| {
                ConfigError::new(
                    "WARTA_SESSION_REDIS_URL",
                    "required when REDIS_URL names a Redis Cluster (a cluster has no second database)",
                )
            })?,
        };
        let prefix = source.get("WARTA_REDIS_PREFIX").unwrap_or_else(|| "warta".to_owned());
        if prefix.contains(|c: char| c.is_whitespace() || c == '{' || c == '}') {
            return Err(ConfigError::new(
                "WARTA_REDIS_PREFIX",
                "must not contain spaces or braces (braces mark Redis Cluster hash tags)",
            ));
        }
        Ok(Self {
            cache_url: Secret(cache_url),
            session_url: Secret(session_url),
            prefix,
        })
    }
}

fn check_url(variable: &'static str, url: &str) -> Result<(), ConfigError> {
    let seeds = app::ssr::redis::seeds(url);
    if seeds.is_empty() || !seeds.iter().all(|seed| seed.starts_with("redis://")) {
        return Err(ConfigError::new(
            variable,
            "expected a redis:// URL, or several comma-separated for a Redis Cluster \
             (rediss:// is not supported: reach Redis over a private network)",
        ));
    }
    Ok(())
}

/// Whether the two URLs name a server in common (`host:port`, whatever the
/// database, credentials or options).
fn shares_a_server(one: &str, other: &str) -> bool {
    let servers = |url: &str| -> Vec<String> {
        app::ssr::redis::seeds(url)
            .iter()
            .map(|seed| {
                let rest = seed.trim_start_matches("redis://");
                let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                let end = rest.find(['/', '?']).unwrap_or(rest.len());
                rest[..end].to_lowercase()
            })
            .collect()
    };
    let theirs = servers(other);
    servers(one).iter().any(|server| theirs.contains(server))
}

/// The same single server as `url`, one logical database further on
/// (`redis://h:6379` and `redis://h:6379/0` give `redis://h:6379/1`);
/// `None` for a cluster's seeds or a database number that cannot be read.
fn next_database(url: &str) -> Option<String> {
    let [single] = app::ssr::redis::seeds(url)[..] else {
        return None;
    };
    let (base, query) = match single.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (single, None),
    };
    let rest = base.strip_prefix("redis://")?;
    let (authority, database) = match rest.split_once('/') {
        Some((authority, "")) => (authority, 0),
        Some((authority, database)) => (authority, database.parse::<u32>().ok()?),
        None => (rest, 0),
    };
    let query = query.map(|query| format!("?{query}")).unwrap_or_default();
    Some(format!("redis://{authority}/{}{query}", database.checked_add(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::{refused, source};

    #[test]
    fn sessions_default_to_the_next_database_of_a_single_server() {
        assert_eq!(
            next_database("redis://127.0.0.1:6379").as_deref(),
            Some("redis://127.0.0.1:6379/1")
        );
        assert_eq!(next_database("redis://h:1/0").as_deref(), Some("redis://h:1/1"));
        assert_eq!(next_database("redis://h:1/4").as_deref(), Some("redis://h:1/5"));
        assert_eq!(
            next_database("redis://:pw@h:1/2?protocol=resp3").as_deref(),
            Some("redis://:pw@h:1/3?protocol=resp3")
        );
        assert_eq!(next_database("redis://a:1,redis://b:2"), None, "a cluster");
        let settings = RedisSettings::from_source(&source(&[]), false).unwrap();
        assert_eq!(settings.session_url.expose(), "redis://127.0.0.1:6379/1");
    }

    #[test]
    fn a_cluster_or_production_names_the_sessions_redis_itself() {
        assert_eq!(
            refused(&[("REDIS_URL", "redis://a:1,redis://b:2")]),
            "WARTA_SESSION_REDIS_URL"
        );
        let production = [
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "https://warta.example"),
            ("WARTA_SECRET", "a-production-secret-of-forty-characters!"),
            ("SMTP_URL", "smtps://mail.example:465"),
            ("WARTA_MEDIA_URL", "s3://warta-media/covers"),
        ];
        assert_eq!(refused(&production), "WARTA_SESSION_REDIS_URL");
        for same_server in [
            "redis://127.0.0.1:6379",
            "redis://127.0.0.1:6379/1",
            "redis://:pw@127.0.0.1:6379/2",
        ] {
            let mut same = production.to_vec();
            same.push(("WARTA_SESSION_REDIS_URL", same_server));
            assert_eq!(refused(&same), "WARTA_SESSION_REDIS_URL", "{same_server}");
        }
        assert!(!shares_a_server("redis://sessions:6379/0", "redis://cache:6379/0"));
        assert!(shares_a_server("redis://a:1,redis://b:2", "redis://c:3,redis://b:2"));
        assert_eq!(
            refused(&[("WARTA_SESSION_REDIS_URL", "http://x")]),
            "WARTA_SESSION_REDIS_URL"
        );
    }
}
