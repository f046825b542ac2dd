//! Logging and tracing set-up.
//!
//! Log lines are formatted where they happen and written by a thread of
//! their own (`tracing-appender`'s non-blocking writer), so a request never
//! waits on stdout: a slow terminal, pipe or log collector costs the writer
//! thread, not the reader. Up to [`QUEUED_LINES`] lines wait for it; past
//! that (a collector that stopped reading) logging blocks rather than drops
//! lines, since a log that silently loses lines misleads whoever reads it.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt as _, util::SubscriberInitExt as _};

use crate::config::{ConfigError, LogFormat, LogSettings};

/// How many formatted lines may wait for the writer thread.
pub const QUEUED_LINES: usize = 128_000;

/// Keeps the writer thread running: hold it until the command ends, and
/// dropping it writes out whatever is still queued.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// Installs the global subscriber. Call once, first thing, and keep the
/// guard.
pub fn init(settings: &LogSettings) -> Result<LogGuard, ConfigError> {
    let filter = EnvFilter::builder()
        .parse(&settings.filter)
        .map_err(|error| ConfigError {
            variable: "RUST_LOG",
            problem: format!("`{}` is not a valid filter: {error}", settings.filter),
        })?;
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("warta-log-writer")
        .finish(std::io::stdout());
    let registry = tracing_subscriber::registry().with(filter);
    let installed = match settings.format {
        LogFormat::Pretty => registry.with(fmt::layer().compact().with_writer(writer)).try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            )
            .try_init(),
    };
    // A second call (tests start several apps in one process) installs
    // nothing; its writer thread ends with its guard, here.
    Ok(LogGuard {
        _writer: installed.is_ok().then_some(guard),
    })
}
