//! The small value types settings are made of: the run mode, the log format
//! and secrets that never print.

use std::fmt;

/// `development` or `production`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Friendly defaults for a laptop.
    Development,
    /// Refuses insecure defaults.
    Production,
}

impl fmt::Display for RunMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Development => "development",
            Self::Production => "production",
        })
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for terminals.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// A value that must never be printed (URLs with passwords, secrets).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub(super) String);

impl Secret {
    /// The value itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"[redacted]\")")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Settings, testing::source};

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let settings = Settings::from_source(&source(&[
            ("DATABASE_URL", "postgres://u:hunter2@db/warta"),
            ("SMTP_URL", "smtp://mailer:swordfish@mail.example:587?tls=required"),
        ]))
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("swordfish"), "{printed}");
    }
}
