//! How long a client may take: deadlines on every connection and request
//! (see `http::serve`), so a slow or silent client cannot hold one.

use std::time::Duration;

use super::source::{ConfigError, Source, parse_or};

/// The deadlines on connections and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// `WARTA_HEADER_READ_TIMEOUT_MS` (10 s): from a request's first byte
    /// to the end of its header block.
    pub header_read: Duration,
    /// `WARTA_IDLE_TIMEOUT_MS` (75 s): a connection with nothing in flight
    /// and nothing arriving is closed. Longer than a proxy keeps pooled
    /// connections to us (nginx: 60 s), so it never reuses a closing one.
    pub idle: Duration,
    /// `WARTA_BODY_READ_TIMEOUT_MS` (10 s): the longest pause within a
    /// request body.
    pub body_read: Duration,
    /// `WARTA_REQUEST_TIMEOUT_MS` (60 s): a request not answered within
    /// this gets 408 (the body trickled in, most likely: every statement is
    /// bounded well below it). Long enough for a 5 MB cover over a slow
    /// mobile connection (0.7 Mbit/s) when no proxy buffers it first.
    pub request: Duration,
}

impl Timeouts {
    pub(super) fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        let ms = |name: &'static str, default: u64| {
            parse_or(source, name, default, |ms| (1..=3_600_000).contains(ms)).map(Duration::from_millis)
        };
        Ok(Self {
            header_read: ms("WARTA_HEADER_READ_TIMEOUT_MS", 10_000)?,
            idle: ms("WARTA_IDLE_TIMEOUT_MS", 75_000)?,
            body_read: ms("WARTA_BODY_READ_TIMEOUT_MS", 10_000)?,
            request: ms("WARTA_REQUEST_TIMEOUT_MS", 60_000)?,
        })
    }
}
