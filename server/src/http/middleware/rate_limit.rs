//! Rate limits on signing in and registering per client address, counted
//! in Redis (`app::ssr::throttle`) so the limit holds across every
//! instance. The per-account limit is counted by the handlers themselves,
//! once they know which email an attempt uses.
//!
//! An IPv4 reader is one address, an IPv6 reader their /64
//! ([`ClientAddress::holder`]). Behind proxies the address is the one
//! `WARTA_TRUSTED_PROXIES` lets us believe ([`TrustedProxies`]).
//!
//! Over the limit the answer is 429 with `Retry-After`: a page for a plain
//! form post, the form's error shape for a hydrated form, JSON under
//! `/api/`. If Redis is down the limit is not enforced (and that is
//! logged): a cache outage must not lock everyone out.

use app::{
    i18n::Locale,
    ssr::{
        client::ClientAddress,
        redis::Redis,
        throttle::{self, Attempt, TooMany},
    },
    t,
};
use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

use crate::http::middleware::client::TrustedProxies;

/// The endpoints limited.
fn limited(path: &str) -> Option<Attempt> {
    match path {
        "/fn/login" | "/api/users/login" => Some(Attempt::SignIn),
        "/fn/register" | "/api/users" => Some(Attempt::Register),
        _ => None,
    }
}

/// The per-address budget: where it is counted and how many attempts it
/// allows (`WARTA_ATTEMPTS_PER_ADDRESS`).
#[derive(Clone)]
pub struct AddressBudget {
    pub redis: Redis,
    pub limit: i64,
}

/// The middleware.
/// Also puts the reader's address ([`ClientAddress`]) on every request, for
/// the budgets and counts further in.
pub async fn layer(State(budget): State<AddressBudget>, mut request: Request, next: Next) -> Response {
    let client = TrustedProxies::client_of(request.extensions(), request.headers()).map(ClientAddress);
    if let Some(client) = client {
        request.extensions_mut().insert(client);
    }
    let Some(attempt) = (request.method() == Method::POST)
        .then(|| limited(request.uri().path()))
        .flatten()
    else {
        return next.run(request).await;
    };
    if let Some(client) = client {
        let who = format!("address:{}", client.holder());
        if let Err(too_many) = throttle::hit(&budget.redis, attempt, &who, budget.limit).await {
            return refuse(&request, too_many);
        }
    }
    next.run(request).await
}

fn refuse(request: &Request, too_many: TooMany) -> Response {
    // The JSON API speaks English; a form answers in its page's language.
    let api = request.uri().path().starts_with("/api/");
    let locale = match api {
        true => Locale::En,
        false => Locale::of_request(request.uri().path(), request.headers()),
    };
    let message = too_many.message(locale);
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let mut response = if api {
        Json(json!({ "errors": { "request": [message] } })).into_response()
    } else if accepts_html {
        Html(format!(
            "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{heading} · Warta</title></head><body><main>\
             <h1>{heading}</h1><p>{message}</p><p><a href=\"{home}\">{back}</a></p>\
             </main></body></html>",
            lang = locale.code(),
            heading = t!(locale, "too-many-heading"),
            home = locale.href("/"),
            back = t!(locale, "too-many-back"),
        ))
        .into_response()
    } else {
        // The hydrated form reads this as its error.
        Json(json!({ "fields": [], "values": [], "form": message })).into_response()
    };
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(too_many.retry_after));
    response
}
