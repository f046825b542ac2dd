//! HTTP caching for anonymous readers.
//!
//! Pages and API reads that do not depend on who asks are marked public for
//! shared caches (a CDN, nginx) with an `ETag`; a request whose
//! `If-None-Match` names the current one gets a bodiless 304.
//!
//! - `max-age=0`: browsers revalidate every time (cheap, thanks to the
//!   ETag), so a reader never sees their own browser's stale copy;
//! - `s-maxage=60`: a shared cache serves a page for a minute, which is
//!   what lets a CDN absorb a front-page rush;
//! - `stale-while-revalidate=300`: after that it may serve the old copy
//!   while fetching the new one, so no reader waits on a cold origin.
//!
//! Anything that sets a cookie, or answers a request carrying a session
//! cookie, is `private, no-cache` instead: a signed-in page must never land
//! in a shared cache. Responses that already say how to cache them (static
//! files, health checks, the view pixel) are left alone, as are errors.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// What anonymous, session-independent pages carry.
pub const PUBLIC: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";

/// What responses for (or creating) a session carry.
pub const PRIVATE: &str = "private, no-cache";

/// The session cookie's name (sessions arrive with sign-in).
pub const SESSION_COOKIE: &str = "warta_session";

/// Pages larger than this are passed through without an ETag.
const MAX_BUFFERED: usize = 4 * 1024 * 1024;

/// The middleware.
pub async fn layer(request: Request, next: Next) -> Response {
    let cacheable_request = matches!(*request.method(), Method::GET | Method::HEAD);
    let signed_in = has_session(request.headers());
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut response = next.run(request).await;

    if !cacheable_request
        || response.status() != StatusCode::OK
        || response.headers().contains_key(header::CACHE_CONTROL)
    {
        return response;
    }
    if signed_in || response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
        return response;
    }

    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_BUFFERED).await {
        Ok(bytes) => bytes,
        Err(error) => {
            // The page failed while streaming (or is huge): say so plainly.
            tracing::error!(%error, "could not buffer a response for caching");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "This page could not be rendered; please retry.",
            )
                .into_response();
        }
    };
    let etag = etag(&bytes);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
    parts.headers.insert(header::ETAG, etag.clone());

    if if_none_match.is_some_and(|wanted| matches(&wanted, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn has_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim().split('=').next() == Some(SESSION_COOKIE))
}

/// A weak validator: the body is hashed before compression, and each
/// encoding of it is the same page.
fn etag(body: &[u8]) -> HeaderValue {
    let hash = xxhash_rust::xxh3::xxh3_128(body);
    HeaderValue::try_from(format!("W/\"{hash:032x}\"")).expect("hex is a valid header value")
}

/// `If-None-Match` semantics: `*`, or any listed tag equal to ours under
/// weak comparison.
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(wanted) = if_none_match.to_str() else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default().trim_start_matches("W/");
    wanted
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists() {
        let ours = etag(b"page");
        let bare = ours.to_str().unwrap().trim_start_matches("W/").to_owned();
        for header in [
            ours.to_str().unwrap().to_owned(),
            bare.clone(),
            format!("\"other\", {bare}"),
            "*".to_owned(),
        ] {
            assert!(
                matches(&HeaderValue::try_from(header.as_str()).unwrap(), &ours),
                "{header}"
            );
        }
        assert!(!matches(&HeaderValue::from_static("W/\"other\""), &ours));
        assert_ne!(etag(b"page"), etag(b"page!"), "a changed page changes its tag");
    }

    #[test]
    fn only_our_session_cookie_counts_as_signed_in() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("theme=dark; other=1"));
        assert!(!has_session(&headers));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; warta_session=abc"),
        );
        assert!(has_session(&headers));
    }
}
