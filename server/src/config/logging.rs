//! Logging settings: the filter and the line format.

use super::{
    source::{ConfigError, Environment, Source, load_file, parse_mode},
    values::{LogFormat, RunMode},
};

/// Logging settings.
#[derive(Debug, Clone)]
pub struct LogSettings {
    /// The `RUST_LOG` filter.
    pub filter: String,
    /// `WARTA_LOG_FORMAT`: `pretty` or `json`.
    pub format: LogFormat,
}

impl LogSettings {
    /// Reads `RUST_LOG` and `WARTA_LOG_FORMAT`.
    pub fn from_env() -> Result<Self, ConfigError> {
        load_file()?;
        let mode = parse_mode(&Environment)?;
        Self::from_source(&Environment, mode)
    }

    pub(super) fn from_source(source: &impl Source, mode: RunMode) -> Result<Self, ConfigError> {
        let filter = source.get("RUST_LOG").unwrap_or_else(|| "info".to_owned());
        let format = match source.get("WARTA_LOG_FORMAT").as_deref() {
            None if mode == RunMode::Production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "WARTA_LOG_FORMAT",
                    format!("expected `pretty` or `json`, got `{other}`"),
                ));
            }
        };
        Ok(Self { filter, format })
    }
}
