//! Rate limits on signing in and registering, counted in Redis so the
//! limit holds across every instance.
//!
//! Fixed windows: per client address and per account (the form's email),
//! whichever runs out first. Over the limit, the answer is 429 with
//! `Retry-After`: a page for a plain form post, the form's error shape for
//! a hydrated form, JSON under `/api/`. If Redis is down the limit is not
//! enforced (and that is logged): a cache outage must not lock everyone out.
//! Client addresses are the TCP peer's; behind a proxy, the proxy must pass
//! the real one (the scale-out issue configures that).

use std::{collections::HashMap, sync::LazyLock, time::Duration};

use app::ssr::redis::Redis;

use crate::http::client::TrustedProxies;
use axum::{
    Json,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

/// Attempts allowed per window.
const PER_ADDRESS: i64 = 30;
const PER_ACCOUNT: i64 = 10;
const WINDOW: Duration = Duration::from_secs(10 * 60);

/// Form bodies larger than this are not read for an email (and are not
/// sign-in forms).
const MAX_FORM: usize = 64 * 1024;

/// The endpoints limited, and the action named in keys.
fn limited_action(path: &str) -> Option<&'static str> {
    match path {
        "/fn/login" | "/api/users/login" => Some("login"),
        "/fn/register" | "/api/users" => Some("register"),
        _ => None,
    }
}

/// INCR with the window set on first use; returns the count and seconds
/// left in the window.
static HIT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('TTL', KEYS[1])
        return {count, ttl}
        ",
    )
});

/// The middleware.
pub async fn layer(State(redis): State<Redis>, request: Request, next: Next) -> Response {
    let Some(action) = (request.method() == Method::POST)
        .then(|| limited_action(request.uri().path()))
        .flatten()
    else {
        return next.run(request).await;
    };
    let address = TrustedProxies::client_of(request.extensions(), request.headers()).map(|ip| ip.to_string());

    // Read the body for the account's email, then hand it on unchanged.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.").into_response();
    };
    let email = email_in(&parts.headers, &bytes);
    let request = Request::from_parts(parts, Body::from(bytes));

    let mut keys = Vec::new();
    if let Some(address) = address {
        keys.push((redis.key(format_args!("rate:{action}:address:{address}")), PER_ADDRESS));
    }
    if let Some(email) = email {
        keys.push((
            redis.key(format_args!("rate:{action}:account:{}", email.trim().to_lowercase())),
            PER_ACCOUNT,
        ));
    }
    for (key, limit) in keys {
        let hit = redis
            .run("rate limit", |mut conn| async move {
                HIT.key(&key)
                    .arg(WINDOW.as_secs())
                    .invoke_async::<(i64, i64)>(&mut conn)
                    .await
            })
            .await;
        if let Some((count, ttl)) = hit
            && count > limit
        {
            tracing::warn!(action, "rate limit reached");
            return too_many(&request, ttl.max(1));
        }
    }
    next.run(request).await
}

/// The `email` field of a form or JSON body (`{"user": {"email": …}}` in
/// the RealWorld API).
fn email_in(headers: &axum::http::HeaderMap, body: &[u8]) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes(body).ok()?;
        fields.get("email").cloned()
    } else if content_type.starts_with("application/json") {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        value
            .pointer("/user/email")
            .or_else(|| value.get("email"))
            .and_then(|email| email.as_str())
            .map(str::to_owned)
    } else {
        None
    }
    .filter(|email| !email.trim().is_empty())
}

fn too_many(request: &Request, retry_after: i64) -> Response {
    let minutes = (retry_after + 59) / 60;
    let message = format!(
        "Too many attempts. Please wait {minutes} minute{} and try again.",
        if minutes == 1 { "" } else { "s" }
    );
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let mut response = if request.uri().path().starts_with("/api/") {
        Json(json!({ "errors": { "request": [message] } })).into_response()
    } else if accepts_html {
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Too many attempts · Warta</title></head><body><main>\
             <h1>Too many attempts</h1><p>{message}</p><p><a href=\"/\">Back to Warta</a></p>\
             </main></body></html>"
        ))
        .into_response()
    } else {
        // The hydrated form reads this as its error.
        Json(json!({ "fields": [], "values": [], "form": message })).into_response()
    };
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&retry_after.to_string()).unwrap_or(HeaderValue::from_static("60")),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_is_read_from_forms_and_json() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert_eq!(
            email_in(&headers, b"email=Ada%40x.org&password=p").as_deref(),
            Some("Ada@x.org")
        );
        assert_eq!(email_in(&headers, b"password=p"), None);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert_eq!(
            email_in(&headers, br#"{"user":{"email":"a@x.org"}}"#).as_deref(),
            Some("a@x.org")
        );
        assert_eq!(email_in(&headers, b"not json"), None);
    }
}
