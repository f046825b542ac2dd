//! Logging and tracing set-up.

use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt as _, util::SubscriberInitExt as _};

use crate::config::{ConfigError, LogFormat, LogSettings};

/// Installs the global subscriber. Call once, first thing.
pub fn init(settings: &LogSettings) -> Result<(), ConfigError> {
    let filter = EnvFilter::builder()
        .parse(&settings.filter)
        .map_err(|error| ConfigError {
            variable: "RUST_LOG",
            problem: format!("`{}` is not a valid filter: {error}", settings.filter),
        })?;
    let registry = tracing_subscriber::registry().with(filter);
    // A second call (tests start several apps in one process) is harmless.
    let _ = match settings.format {
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
    };
    Ok(())
}
