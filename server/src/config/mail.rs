//! Outgoing email settings: the SMTP server, the sender and the outbox
//! development writes to instead.

use super::{
    source::{ConfigError, Source, parse_or},
    values::Secret,
};

/// Outgoing email.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `SMTP_URL`: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465` (TLS from the start). Unset in development: mail
    /// is written as `.eml` files to `outbox` instead. Required in
    /// production.
    pub smtp_url: Option<Secret>,
    /// `WARTA_MAIL_FROM`: the sender, e.g. `Warta <no-reply@warta.example>`.
    pub from: lettre::message::Mailbox,
    /// `WARTA_OUTBOX_DIR`: where development mail goes (`.data/outbox`).
    pub outbox: std::path::PathBuf,
    /// `WARTA_SMTP_CONNECTIONS`: connections kept open to the SMTP server.
    pub connections: u32,
}

impl MailSettings {
    pub(super) fn from_source(
        source: &impl Source,
        production: bool,
        public_url: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let smtp_url = match source.get("SMTP_URL") {
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => Some(Secret(url)),
            Some(_) => {
                return Err(ConfigError::new(
                    "SMTP_URL",
                    "expected smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://host:465",
                ));
            }
            None if production => {
                return Err(ConfigError::new(
                    "SMTP_URL",
                    "required in production (development writes mail to WARTA_OUTBOX_DIR instead)",
                ));
            }
            None => None,
        };
        let host = public_url
            .and_then(|url| url.split_once("://"))
            .map(|(_, rest)| rest.split([':', '/']).next().unwrap_or("localhost"))
            .filter(|host| !host.is_empty())
            .unwrap_or("localhost");
        let from = source
            .get("WARTA_MAIL_FROM")
            .unwrap_or_else(|| format!("Warta <no-reply@{host}>"));
        let from = from.parse().map_err(|error| {
            ConfigError::new(
                "WARTA_MAIL_FROM",
                format!("`{from}` is not a mailbox like `Warta <no-reply@example.org>`: {error}"),
            )
        })?;
        Ok(Self {
            smtp_url,
            from,
            outbox: source
                .get("WARTA_OUTBOX_DIR")
                .unwrap_or_else(|| ".data/outbox".to_owned())
                .into(),
            connections: parse_or(source, "WARTA_SMTP_CONNECTIONS", 16_u32, |n| (1..=1_000).contains(n))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::refused;

    #[test]
    fn production_refuses_to_start_without_smtp_and_nothing_accepts_a_bad_sender() {
        let refusal = refused(&[
            ("WARTA_ENV", "production"),
            ("WARTA_PUBLIC_URL", "https://warta.example"),
            ("WARTA_SECRET", &"x".repeat(40)),
        ]);
        assert_eq!(refusal, "SMTP_URL");
        assert_eq!(refused(&[("WARTA_MAIL_FROM", "not a mailbox")]), "WARTA_MAIL_FROM");
        assert_eq!(refused(&[("SMTP_URL", "http://mail")]), "SMTP_URL");
    }
}
