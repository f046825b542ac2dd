//! Metrics settings: where Prometheus scrapes `/metrics`, and the token it
//! must show.
//!
//! `/metrics` is never served on the public port: it names routes, pools
//! and queue sizes, and a scrape is not something a reader should be able
//! to make. It has a listener of its own, off unless `WARTA_METRICS_ADDR`
//! is set, so nothing is exposed by default; production refuses one that
//! other machines can reach without a token.

use std::net::SocketAddr;

use super::{
    source::{ConfigError, Source},
    values::Secret,
};

/// The shortest token accepted: as long as `WARTA_SECRET`'s minimum.
const TOKEN_MIN: usize = 32;

/// Where `/metrics` is served, if anywhere.
#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    /// `WARTA_METRICS_ADDR`: the address of the metrics listener
    /// (`127.0.0.1:9090`, or `0.0.0.0:9090` in a pod); unset, metrics are
    /// off and nothing is recorded.
    pub address: Option<SocketAddr>,
    /// `WARTA_METRICS_TOKEN`: when set, a scrape must send
    /// `Authorization: Bearer <token>`.
    pub token: Option<Secret>,
}

impl MetricsSettings {
    pub(super) fn from_source(source: &impl Source, production: bool) -> Result<Self, ConfigError> {
        let address = source
            .get("WARTA_METRICS_ADDR")
            .map(|raw| {
                raw.trim().parse::<SocketAddr>().map_err(|_| {
                    ConfigError::new(
                        "WARTA_METRICS_ADDR",
                        format!("`{raw}` is not an address with a port, such as 127.0.0.1:9090 (unset: metrics off)"),
                    )
                })
            })
            .transpose()?;
        let token = match source.get("WARTA_METRICS_TOKEN") {
            Some(token) if token.len() < TOKEN_MIN => {
                return Err(ConfigError::new(
                    "WARTA_METRICS_TOKEN",
                    format!("must be at least {TOKEN_MIN} characters (try `openssl rand -hex 32`)"),
                ));
            }
            Some(_) if address.is_none() => {
                // Most likely someone expects /metrics on the public port,
                // which never serves it.
                return Err(ConfigError::new(
                    "WARTA_METRICS_TOKEN",
                    "is set, but WARTA_METRICS_ADDR is not: metrics are off (they have a listener of their own)",
                ));
            }
            Some(token) => Some(Secret(token)),
            None => None,
        };
        if production
            && token.is_none()
            && let Some(address) = address
            && !address.ip().is_loopback()
        {
            return Err(ConfigError::new(
                "WARTA_METRICS_ADDR",
                format!(
                    "{address} is reachable from other machines: production needs WARTA_METRICS_TOKEN with it \
                     (or a loopback address such as 127.0.0.1:9090)"
                ),
            ));
        }
        Ok(Self { address, token })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{
        Settings,
        testing::{refused, source},
    };

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn production(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut all = vec![
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "https://warta.example"),
            ("WARTA_SECRET", "a-production-secret-of-forty-characters!"),
            ("SMTP_URL", "smtps://mail.example:465"),
            ("WARTA_MEDIA_URL", "s3://warta-media/covers"),
            ("WARTA_SESSION_REDIS_URL", "redis://sessions:6379"),
        ];
        all.extend_from_slice(pairs);
        all
    }

    #[test]
    fn metrics_are_off_unless_an_address_is_given() {
        let settings = Settings::from_source(&source(&[])).unwrap();
        assert_eq!(settings.metrics.address, None);
        assert!(settings.metrics.token.is_none());
    }

    #[test]
    fn a_loopback_address_needs_no_token_even_in_production() {
        let settings =
            Settings::from_source(&source(&production(&[("WARTA_METRICS_ADDR", "127.0.0.1:9090")]))).unwrap();
        assert_eq!(settings.metrics.address.unwrap().port(), 9090);
    }

    #[test]
    fn production_refuses_a_reachable_metrics_address_without_a_token() {
        assert_eq!(
            refused(&production(&[("WARTA_METRICS_ADDR", "0.0.0.0:9090")])),
            "WARTA_METRICS_ADDR"
        );
        let settings = Settings::from_source(&source(&production(&[
            ("WARTA_METRICS_ADDR", "0.0.0.0:9090"),
            ("WARTA_METRICS_TOKEN", TOKEN),
        ])))
        .unwrap();
        assert_eq!(settings.metrics.token.unwrap().expose(), TOKEN);
    }

    #[test]
    fn development_may_open_metrics_to_the_network_without_a_token() {
        let settings = Settings::from_source(&source(&[("WARTA_METRICS_ADDR", "0.0.0.0:0")])).unwrap();
        assert!(settings.metrics.address.is_some());
    }

    #[test]
    fn a_short_token_an_orphan_token_and_a_bad_address_are_refused() {
        assert_eq!(
            refused(&[
                ("WARTA_METRICS_ADDR", "127.0.0.1:9090"),
                ("WARTA_METRICS_TOKEN", "short")
            ]),
            "WARTA_METRICS_TOKEN"
        );
        assert_eq!(refused(&[("WARTA_METRICS_TOKEN", TOKEN)]), "WARTA_METRICS_TOKEN");
        assert_eq!(refused(&[("WARTA_METRICS_ADDR", "9090")]), "WARTA_METRICS_ADDR");
    }

    #[test]
    fn the_metrics_token_is_never_printed() {
        let settings = Settings::from_source(&source(&[
            ("WARTA_METRICS_ADDR", "127.0.0.1:9090"),
            ("WARTA_METRICS_TOKEN", TOKEN),
        ]))
        .unwrap();
        assert!(!format!("{settings:?}").contains(TOKEN));
    }
}
