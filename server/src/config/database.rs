//! Postgres settings: the primary, its replicas, pool sizes and timeouts.

use std::time::Duration;

use super::{
    source::{ConfigError, Environment, Source, load_file, parse_or, required},
    values::Secret,
};

/// Everything needed to reach Postgres.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`.
    pub url: Secret,
    /// `WARTA_DB_MAX_CONNECTIONS`: the pool's size.
    pub max_connections: u32,
    /// `WARTA_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a
    /// connection before it gets a 503.
    pub acquire_timeout: Duration,
    /// `DATABASE_REPLICA_URLS`: streaming replicas of `DATABASE_URL` for
    /// public reads, comma-separated; none by default.
    pub replica_urls: Vec<Secret>,
    /// `WARTA_DB_REPLICA_MAX_CONNECTIONS`: each replica pool's size
    /// (defaults to `WARTA_DB_MAX_CONNECTIONS`).
    pub replica_max_connections: u32,
    /// `WARTA_DB_STATEMENT_TIMEOUT_MS`: Postgres cancels any one statement
    /// of the web and worker processes that runs longer (5 s; 0 for none),
    /// so no request, however crafted, holds a connection for long. The
    /// commands (`migrate`, `seed`) run without it.
    pub statement_timeout: Option<Duration>,
    /// `WARTA_SEARCH_TIMEOUT_MS`: how long a search's statement may run
    /// (1 s): shorter than any page's, since every new wording of a search
    /// misses the cache and a stranger can send many.
    pub search_timeout: Duration,
}

impl DatabaseSettings {
    /// Reads the database settings alone (for `migrate` and `seed`).
    pub fn from_env() -> Result<Self, ConfigError> {
        load_file()?;
        Self::from_source(&Environment)
    }

    /// The settings for the commands (`migrate`, `seed`, `jobs`): a
    /// migration or a bulk load may rightly run for minutes, so no
    /// statement timeout.
    pub fn for_commands(self) -> Self {
        Self {
            statement_timeout: None,
            ..self
        }
    }

    pub(super) fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        let url = required(source, "DATABASE_URL")?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::new("DATABASE_URL", "expected a postgres:// URL"));
        }
        let replica_urls: Vec<Secret> = source
            .get("DATABASE_REPLICA_URLS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(|url| {
                if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                    Ok(Secret(url.to_owned()))
                } else {
                    Err(ConfigError::new(
                        "DATABASE_REPLICA_URLS",
                        "expected comma-separated postgres:// URLs",
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        let max_connections = parse_or(source, "WARTA_DB_MAX_CONNECTIONS", 16, |n: &u32| *n > 0)?;
        Ok(Self {
            url: Secret(url),
            replica_urls,
            replica_max_connections: parse_or(
                source,
                "WARTA_DB_REPLICA_MAX_CONNECTIONS",
                max_connections,
                |n: &u32| *n > 0,
            )?,
            max_connections,
            acquire_timeout: Duration::from_millis(parse_or(
                source,
                "WARTA_DB_ACQUIRE_TIMEOUT_MS",
                3_000,
                |n: &u64| *n > 0,
            )?),
            statement_timeout: Some(Duration::from_millis(parse_or(
                source,
                "WARTA_DB_STATEMENT_TIMEOUT_MS",
                5_000_u64,
                |_| true,
            )?))
            .filter(|timeout| !timeout.is_zero()),
            search_timeout: Duration::from_millis(parse_or(source, "WARTA_SEARCH_TIMEOUT_MS", 1_000_u64, |ms| {
                (1..=60_000).contains(ms)
            })?),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Settings, testing::source};

    #[test]
    fn a_missing_database_url_names_the_variable() {
        let mut map = source(&[]);
        map.remove("DATABASE_URL");
        let error = Settings::from_source(&map).unwrap_err();
        assert_eq!(error.to_string(), "DATABASE_URL: is not set");
    }
}
