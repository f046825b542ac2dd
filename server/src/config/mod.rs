//! Typed settings, read from environment variables.
//!
//! A file may sit under the environment: `WARTA_CONFIG_FILE` (or `.env` in
//! the working directory, when present) holds `NAME=value` lines that apply
//! only where the variable is not already set. Every value is parsed here,
//! once; the rest of the program never reads the environment. A bad or
//! missing value stops start-up with one line naming the variable.
//!
//! Each group of settings has its own module (`database`, `log`, `mail`,
//! `monitoring`, `worker`), the small value types are in `values`, and
//! `source` holds where variables come from and how one is parsed.
//! Everything public is re-exported here, so callers name `config::X`
//! whatever file it sits in.

mod database;
mod logging;
mod mail;
mod monitoring;
mod redis;
mod source;
mod timeouts;
mod values;
mod worker;

use std::{net::IpAddr, time::Duration};

pub use database::DatabaseSettings;
pub use logging::LogSettings;
pub use mail::MailSettings;
pub use monitoring::MetricsSettings;
pub use redis::RedisSettings;
pub use source::{ConfigError, Environment, Source, load_file};
use source::{parse_mode, parse_or};
pub use timeouts::Timeouts;
pub use values::{LogFormat, RunMode, Secret};
pub use worker::WorkerSettings;

/// All the settings `warta serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `WARTA_ENV`.
    pub environment: RunMode,
    /// Postgres.
    pub database: DatabaseSettings,
    /// The cache's Redis and the sessions' Redis.
    pub redis: RedisSettings,
    /// `WARTA_VIEW_FLUSH_MS`: how often counted views move from Redis to
    /// Postgres (and so to `/popular`).
    pub view_flush_interval: Duration,
    /// `WARTA_PAGE_CACHE_MS`: how long an instance keeps a rendered public
    /// page; 0 keeps none.
    pub page_cache_ttl: Duration,
    /// `WARTA_SESSION_DAYS`: a session ends after this long unused.
    pub session_inactivity: Duration,
    /// `WARTA_SESSION_MAX_AGE_SECS`: a session ends this long after its
    /// sign-in however much it is used (30 days), so the password is asked
    /// for again now and then.
    pub session_lifetime: Duration,
    /// `WARTA_SESSION_RENEW_SECS`: how often a session in use is saved
    /// again to push its expiry back.
    pub session_renewal: Duration,
    /// `WARTA_ARTICLE_MAX_KB`: the largest article body accepted, in bytes.
    /// Request bodies are capped at a few times this (413 beyond).
    pub article_body_max: usize,
    /// `WARTA_BIND`: the address to listen on.
    pub bind: IpAddr,
    /// `PORT`: the port to listen on; 0 picks a free one.
    pub port: u16,
    /// `WARTA_PUBLIC_URL`: where readers reach the site, without a trailing
    /// slash (used for canonical links and cookie security). Unset in
    /// development: the address the server is bound to then stands in.
    pub public_url: Option<String>,
    /// `WARTA_SECRET`: the key for signed tokens; required in production.
    pub secret: Secret,
    /// `WARTA_SECURE_COOKIES`: mark cookies `Secure`; defaults to whether
    /// the public URL is https.
    pub secure_cookies: bool,
    /// `WARTA_TRUSTED_PROXIES`: addresses and networks whose
    /// `X-Forwarded-For` names the reader (none by default).
    pub trusted_proxies: crate::http::middleware::client::TrustedProxies,
    /// `WARTA_SLOW_REQUEST_MS`: requests slower than this log a warning.
    pub slow_request_threshold: Duration,
    /// Deadlines on connections and requests.
    pub timeouts: Timeouts,
    /// Logging.
    pub log: LogSettings,
    /// `LEPTOS_SITE_ROOT`: where the built site (pkg/, public files) lives.
    pub site_root: String,
    /// `LEPTOS_HASH_FILES`: whether asset names carry content hashes;
    /// defaults to whether `hash.txt` sits beside the binary.
    pub hash_files: bool,
    /// Outgoing email.
    pub mail: MailSettings,
    /// Background jobs.
    pub worker: WorkerSettings,
    /// Where Prometheus scrapes `/metrics`, if anywhere.
    pub metrics: MetricsSettings,
    /// `WARTA_PASSWORD_HASHERS`: threads hashing passwords (about one per
    /// core): at most this many 19 MiB hashes are in memory at once.
    pub password_hashers: usize,
    /// `WARTA_PASSWORD_WAIT_MS`: how long a sign-in waits for a free hasher
    /// before it is answered 503 with `Retry-After`.
    pub password_wait: Duration,
    /// `WARTA_ATTEMPTS_PER_ADDRESS`: sign-ins (and, separately,
    /// registrations) one client address may try in ten minutes (30).
    pub attempts_per_address: i64,
    /// `WARTA_ATTEMPTS_PER_ACCOUNT`: sign-ins against one account from
    /// addresses it has not signed in from lately, in ten minutes (100);
    /// each address has 10 of its own against it.
    pub attempts_per_account: i64,
    /// `WARTA_SEARCHES_PER_ADDRESS`: searches that reach the database one
    /// client address may make in a minute (30).
    pub searches_per_address: i64,
    /// `WARTA_REGISTRATIONS_PER_ADDRESS`: accounts one client address may
    /// make in an hour (20).
    pub registrations_per_address: i64,
    /// `WARTA_API_STRICT`: the JSON API holds accounts to the forms' rules
    /// (weak passwords refused, the current password for every email or
    /// password change, a new email taking effect once verified). Off by
    /// default: the RealWorld specification, whose clients send none of it.
    pub api_strict: bool,
    /// `WARTA_MEDIA_URL`: where cover images are stored: a folder
    /// (`.data/media` by default, or `file:///abs/path`), or
    /// `s3://bucket/prefix` (credentials and endpoint from the usual `AWS_*`
    /// variables, so any S3-compatible store works). Required in
    /// production, where instances must share it.
    pub media_url: String,
}

/// The secret development falls back to. Production refuses to start
/// without `WARTA_SECRET`, so this never signs anything that matters.
const DEVELOPMENT_SECRET: &str = "warta-development-secret-do-not-use-in-production";

impl Settings {
    /// Reads every setting from the environment (after the optional file).
    pub fn from_env() -> Result<Self, ConfigError> {
        load_file()?;
        Self::from_source(&Environment)
    }

    /// Reads every setting from `source`.
    pub fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        let environment = parse_mode(source)?;
        let production = environment == RunMode::Production;
        let database = DatabaseSettings::from_source(source)?;
        let view_flush_interval =
            Duration::from_millis(parse_or(source, "WARTA_VIEW_FLUSH_MS", 5_000_u64, |ms| *ms >= 10)?);
        let page_cache_ttl =
            Duration::from_millis(parse_or(source, "WARTA_PAGE_CACHE_MS", 1_000_u64, |ms| *ms <= 60_000)?);
        let session_days: u64 = parse_or(source, "WARTA_SESSION_DAYS", 14, |days| (1..=365).contains(days))?;
        let session_inactivity = Duration::from_secs(session_days * 24 * 60 * 60);
        let session_lifetime = Duration::from_secs(parse_or(
            source,
            "WARTA_SESSION_MAX_AGE_SECS",
            30 * 24 * 60 * 60_u64,
            |secs| *secs > 0,
        )?);
        let session_renewal = Duration::from_secs(parse_or(source, "WARTA_SESSION_RENEW_SECS", 3_600_u64, |secs| {
            *secs < session_days * 24 * 60 * 60
        })?);
        let article_max_kb: usize = parse_or(
            source,
            "WARTA_ARTICLE_MAX_KB",
            app::domain::BODY_MAX_DEFAULT / 1024,
            |kb| (1..=10 * 1024).contains(kb),
        )?;
        let bind = parse_or(source, "WARTA_BIND", IpAddr::from([127, 0, 0, 1]), |_| true)?;
        let port = parse_or(source, "PORT", 3000_u16, |_| true)?;

        let public_url = match source.get("WARTA_PUBLIC_URL") {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if production => {
                return Err(ConfigError::new(
                    "WARTA_PUBLIC_URL",
                    "required in production (for example https://warta.example)",
                ));
            }
            None => String::new(),
        };
        let public_url = (!public_url.is_empty()).then_some(public_url);
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "WARTA_PUBLIC_URL",
                format!("expected an http(s):// URL, got `{url}`"),
            ));
        }
        let https = public_url.as_deref().is_some_and(|url| url.starts_with("https://"));
        let secure_cookies = parse_or(source, "WARTA_SECURE_COOKIES", https, |_| true)?;
        if production && !https && !secure_cookies {
            return Err(ConfigError::new(
                "WARTA_PUBLIC_URL",
                "production needs an https:// public URL (or WARTA_SECURE_COOKIES=true behind a TLS proxy); cookies would travel in clear text",
            ));
        }

        let secret = match source.get("WARTA_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::new(
                    "WARTA_SECRET",
                    "must be at least 32 characters (try `openssl rand -hex 32`)",
                ));
            }
            Some(secret) if production && secret == DEVELOPMENT_SECRET => {
                return Err(ConfigError::new(
                    "WARTA_SECRET",
                    "the development secret cannot be used in production",
                ));
            }
            Some(secret) => Secret(secret),
            None if production => {
                return Err(ConfigError::new(
                    "WARTA_SECRET",
                    "required in production (try `openssl rand -hex 32`)",
                ));
            }
            None => Secret(DEVELOPMENT_SECRET.to_owned()),
        };

        let slow_request_threshold =
            Duration::from_millis(parse_or(source, "WARTA_SLOW_REQUEST_MS", 3_000_u64, |_| true)?);
        let trusted_proxies = crate::http::middleware::client::TrustedProxies::parse(
            &source.get("WARTA_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|problem| ConfigError::new("WARTA_TRUSTED_PROXIES", problem))?;
        let site_root = source
            .get("LEPTOS_SITE_ROOT")
            .unwrap_or_else(|| "target/site".to_owned());
        let hash_files = parse_or(source, "LEPTOS_HASH_FILES", hash_file_beside_binary(), |_| true)?;

        let mail = MailSettings::from_source(source, production, public_url.as_deref())?;
        let worker = WorkerSettings::from_source(source)?;
        let metrics = MetricsSettings::from_source(source, production)?;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let password_hashers = parse_or(source, "WARTA_PASSWORD_HASHERS", cores, |n| (1..=64).contains(n))?;
        let password_wait = Duration::from_millis(parse_or(source, "WARTA_PASSWORD_WAIT_MS", 3_000_u64, |ms| {
            (1..=60_000).contains(ms)
        })?);
        let attempts_per_address = parse_or(
            source,
            "WARTA_ATTEMPTS_PER_ADDRESS",
            app::ssr::throttle::PER_ADDRESS,
            |n| (1..=1_000_000).contains(n),
        )?;
        let media_url = match source.get("WARTA_MEDIA_URL") {
            Some(url) if url.contains("://") && !(url.starts_with("file://") || url.starts_with("s3://")) => {
                return Err(ConfigError::new(
                    "WARTA_MEDIA_URL",
                    "expected a folder, file:///path or s3://bucket/prefix",
                ));
            }
            Some(url) => url,
            None if production => {
                return Err(ConfigError::new(
                    "WARTA_MEDIA_URL",
                    "required in production (s3://bucket/prefix, or a folder every instance shares)",
                ));
            }
            None => ".data/media".to_owned(),
        };

        let redis = RedisSettings::from_source(source, production)?;

        Ok(Self {
            environment,
            database,
            redis,
            view_flush_interval,
            page_cache_ttl,
            session_inactivity,
            session_lifetime,
            session_renewal,
            article_body_max: article_max_kb * 1024,
            bind,
            port,
            public_url,
            secret,
            secure_cookies,
            slow_request_threshold,
            timeouts: Timeouts::from_source(source)?,
            trusted_proxies,
            log: LogSettings::from_source(source, environment)?,
            site_root,
            hash_files,
            mail,
            worker,
            metrics,
            password_hashers,
            password_wait,
            attempts_per_address,
            attempts_per_account: parse_or(
                source,
                "WARTA_ATTEMPTS_PER_ACCOUNT",
                app::ssr::throttle::PER_ACCOUNT,
                |n| (1..=1_000_000).contains(n),
            )?,
            searches_per_address: parse_or(
                source,
                "WARTA_SEARCHES_PER_ADDRESS",
                app::ssr::throttle::SEARCHES_PER_ADDRESS,
                |n| (1..=1_000_000).contains(n),
            )?,
            registrations_per_address: parse_or(
                source,
                "WARTA_REGISTRATIONS_PER_ADDRESS",
                app::ssr::throttle::REGISTRATIONS_PER_ADDRESS,
                |n| (1..=1_000_000).contains(n),
            )?,
            api_strict: parse_or(source, "WARTA_API_STRICT", false, |_| true)?,
            media_url,
        })
    }
}

/// cargo-leptos writes the hashed asset names to `hash.txt` beside the
/// server binary; when it is there, the assets have hashed names.
fn hash_file_beside_binary() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false)
}

#[cfg(test)]
mod testing {
    //! What the tests of every settings module build their source from.

    use std::collections::HashMap;

    /// The two required variables, with `pairs` added or replacing them.
    pub(super) fn source(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = [
            ("DATABASE_URL", "postgres://localhost/warta"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in pairs {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        map
    }

    /// The variable [`Settings`](super::Settings) refuses when read from
    /// `source(pairs)`; panics when it accepts them.
    pub(super) fn refused(pairs: &[(&str, &str)]) -> &'static str {
        super::Settings::from_source(&source(pairs)).unwrap_err().variable
    }
}

#[cfg(test)]
mod tests {
    use super::{
        testing::{refused, source},
        *,
    };

    #[test]
    fn development_defaults_are_usable() {
        let settings = Settings::from_source(&source(&[])).unwrap();
        assert_eq!(settings.environment, RunMode::Development);
        assert_eq!(settings.port, 3000);
        assert_eq!(settings.public_url, None, "the bound address stands in");
        assert!(!settings.secure_cookies);
        assert_eq!(settings.slow_request_threshold, Duration::from_secs(3));
        assert_eq!(settings.log.format, LogFormat::Pretty);
    }

    #[test]
    fn replicas_and_cluster_seeds_are_lists() {
        let settings = Settings::from_source(&source(&[
            (
                "DATABASE_REPLICA_URLS",
                "postgres://replica-a/warta, postgres://replica-b/warta",
            ),
            ("REDIS_URL", "redis://10.0.0.1:7000,redis://10.0.0.2:7000"),
            ("WARTA_SESSION_REDIS_URL", "redis://10.0.0.9:7000"),
        ]))
        .unwrap();
        assert_eq!(settings.database.replica_urls.len(), 2);
        assert_eq!(settings.database.replica_urls[1].expose(), "postgres://replica-b/warta");
        assert_eq!(
            settings.database.replica_max_connections,
            settings.database.max_connections
        );
        assert_eq!(app::ssr::redis::seeds(settings.redis.cache_url.expose()).len(), 2);

        assert_eq!(
            refused(&[("DATABASE_REPLICA_URLS", "replica-a")]),
            "DATABASE_REPLICA_URLS"
        );
        assert_eq!(refused(&[("REDIS_URL", "redis://a:1,http://b:2")]), "REDIS_URL");
        let error = Settings::from_source(&source(&[("REDIS_URL", "rediss://a:1")])).unwrap_err();
        assert!(error.to_string().contains("not supported"), "{error}");
    }

    #[test]
    fn production_refuses_to_start_without_a_secret() {
        let refusal = refused(&[
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "https://warta.example"),
        ]);
        assert_eq!(refusal, "WARTA_SECRET");
    }

    #[test]
    fn production_refuses_plain_http_without_secure_cookies() {
        let refusal = refused(&[
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "http://warta.example"),
            ("WARTA_SECRET", &"x".repeat(40)),
        ]);
        assert_eq!(refusal, "WARTA_PUBLIC_URL");
    }

    #[test]
    fn production_with_https_and_a_secret_starts_with_secure_cookies_and_json_logs() {
        let settings = Settings::from_source(&source(&[
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "https://warta.example/"),
            ("WARTA_SECRET", &"x".repeat(40)),
            ("SMTP_URL", "smtps://mail.example:465"),
            ("WARTA_MEDIA_URL", "s3://warta-media/covers"),
            ("WARTA_SESSION_REDIS_URL", "redis://sessions:6379"),
        ]))
        .unwrap();
        assert!(settings.secure_cookies);
        assert_eq!(settings.mail.from.to_string(), "Warta <no-reply@warta.example>");
        assert_eq!(settings.public_url.as_deref(), Some("https://warta.example"));
        assert_eq!(settings.log.format, LogFormat::Json);
    }
}
