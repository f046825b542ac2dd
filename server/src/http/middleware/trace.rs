//! One span per request, request ids, and a warning for slow requests.
//!
//! Every request gets an `x-request-id` (the client's, when it sent one, or
//! a new UUID), echoed on the response and recorded on the span with the
//! method, the matched route, the status and the latency.

use std::time::Duration;

use axum::{
    extract::MatchedPath,
    http::{HeaderName, Request, Response},
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{MakeSpan, OnResponse, TraceLayer},
};
use tracing::{Span, field::Empty};

/// The request-id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Sets a request id on requests that lack one.
pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid)
}

/// Copies the request id onto the response.
pub fn propagate_request_id() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(REQUEST_ID)
}

/// The tracing layer: a span per request and a log line per response,
/// a warning when the response took longer than `slow`.
pub fn layer(slow: Duration) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse { slow })
}

/// Makes the request span.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("(unmatched)", MatchedPath::as_str);
        let request_id = request
            .headers()
            .get(REQUEST_ID)
            .and_then(|id| id.to_str().ok())
            .unwrap_or("");
        tracing::info_span!(
            "request",
            method = %request.method(),
            route,
            path = %loggable(request.uri().path()),
            request_id,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

/// `path` as the log may hold it: the token of a path that carries one (a
/// reset, verification or unsubscribe link, which opens an account or acts
/// for it) replaced by `{token}`, so whoever reads the logs opens nothing.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    let (_, page) = app::i18n::Locale::split_path(path);
    let carries_token = ["/reset-password/", "/verify-email/", "/unsubscribe/"]
        .iter()
        .any(|prefix| page.starts_with(prefix));
    match (carries_token, path.rsplit_once('/')) {
        (true, Some((before, _))) => format!("{before}/{{token}}").into(),
        _ => path.into(),
    }
}

/// Logs each response; warns about slow ones.
#[derive(Debug, Clone, Copy)]
pub struct LogResponse {
    /// Responses slower than this are logged as warnings.
    pub slow: Duration,
}

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        let status = response.status().as_u16();
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        span.record("status", status);
        span.record("latency_ms", latency_ms);
        if latency >= self.slow {
            tracing::warn!(threshold_ms = self.slow.as_millis() as u64, "slow request");
        } else {
            tracing::info!("finished");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_paths_never_reach_the_log() {
        assert_eq!(loggable("/reset-password/abcDEF123"), "/reset-password/{token}");
        assert_eq!(loggable("/id/verify-email/abcDEF123"), "/id/verify-email/{token}");
        assert_eq!(loggable("/unsubscribe/1-2-sig"), "/unsubscribe/{token}");
        assert_eq!(loggable("/articles/why-rust"), "/articles/why-rust");
    }
}
