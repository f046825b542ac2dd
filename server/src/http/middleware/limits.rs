//! Request body limits.
//!
//! Nothing Warta accepts is larger than an article, so a body beyond a few
//! times the article limit (form encoding can triple non-ASCII text) is
//! refused with 413: a page for browsers, RealWorld-shaped JSON for API
//! clients. What was sent is read and thrown away first (up to a bound), so
//! the browser gets the answer instead of a connection reset in the middle
//! of its upload.

use std::time::Duration;

use app::{i18n::Locale, t};
use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use futures::StreamExt as _;

/// How much of a refused body is read before giving up on the connection.
const DRAIN_MAX: usize = 32 * 1024 * 1024;
/// How long reading a refused body may take.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    max: usize,
    /// For the editor's multipart posts, which may carry a cover image.
    with_upload: usize,
    /// The largest article body, for the message.
    article: usize,
}

impl BodyLimit {
    /// Room for an article of `body_max` bytes, form-encoded, and the
    /// other fields; in the editor's multipart posts, also for a cover.
    pub fn for_articles(body_max: usize) -> Self {
        let max = body_max * 3 + 64 * 1024;
        Self {
            max,
            with_upload: max + app::ssr::covers::MAX_BYTES,
            article: body_max,
        }
    }

    fn for_request(&self, request: &Request) -> Self {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("multipart/form-data"));
        let (_, path) = app::i18n::Locale::split_path(request.uri().path());
        if multipart && path.starts_with("/editor") {
            Self {
                max: self.with_upload,
                ..*self
            }
        } else {
            *self
        }
    }
}

/// The middleware: buffers bodies up to the limit, refuses larger ones.
pub async fn layer(State(limit): State<BodyLimit>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let limit = limit.for_request(&request);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    if declared.is_some_and(|length| length > limit.max as u64) {
        drain(stream, 0).await;
        return too_large(&parts.headers, parts.uri.path(), limit);
    }
    // Sent without a length (chunked), or honest about it: read up to the
    // limit.
    let mut buffered = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (StatusCode::BAD_REQUEST, "The request body could not be read.").into_response();
        };
        if buffered.len() + chunk.len() > limit.max {
            drain(stream, buffered.len() + chunk.len()).await;
            return too_large(&parts.headers, parts.uri.path(), limit);
        }
        buffered.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(Bytes::from(buffered))))
        .await
}

/// Reads and drops what is left of a refused body, within bounds.
async fn drain(mut stream: axum::body::BodyDataStream, mut read: usize) {
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while read < DRAIN_MAX
            && let Some(Ok(chunk)) = stream.next().await
        {
            read += chunk.len();
        }
    })
    .await;
}

fn too_large(headers: &HeaderMap, path: &str, limit: BodyLimit) -> Response {
    let kb = limit.max / 1024;
    let wants_html = !path.starts_with("/api/")
        && headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    let mut response = if wants_html {
        // In the language of the page the form was on.
        let locale = Locale::of_request(path, headers);
        let kb = locale.number(i64::try_from(kb).unwrap_or(i64::MAX));
        let article = locale.number(i64::try_from(limit.article / 1024).unwrap_or(i64::MAX));
        Html(format!(
            r#"<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Warta</title></head>
<body>
<main>
<h1>{heading}</h1>
<p>{limits}</p>
<p>{back}</p>
<p><a href="{home_href}">{home}</a></p>
</main>
</body>
</html>
"#,
            lang = locale.code(),
            title = t!(locale, "too-large-title"),
            heading = t!(locale, "too-large-heading"),
            limits = t!(locale, "too-large-limits", kb = kb, article = article),
            back = t!(locale, "too-large-back"),
            home_href = locale.href("/"),
            home = t!(locale, "too-large-home"),
        ))
        .into_response()
    } else {
        Json(serde_json::json!({ "errors": { "body": [format!("is too large (at most {kb} KB)")] } })).into_response()
    };
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    // The rest of the body was not read to the end: do not reuse the
    // connection.
    response
        .headers_mut()
        .insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    response
}
