//! Refused forms sent back in a URL, only as Warta sent them.
//!
//! Without JavaScript, a form whose server function refuses it is sent back
//! to its page with the refusal in the query (`?__path=/fn/login&__err=…`,
//! Leptos' own mechanism), and the page shows its messages and refills the
//! fields from there. Anyone could write such a URL (`/login?__err=…` with
//! "Your account is locked, call …") and the real site would show it. So:
//!
//! - **On the way out** ([`outbound`]), a refusal's redirect is signed:
//!   `__sig=<expiry>.<HMAC>` over the path and the refusal, bound to a
//!   random value in a short-lived cookie of the browser that sent the form
//!   (`warta_form`), valid for [`LIFETIME`]. Someone who sends the form
//!   themselves (with their own text in a field) gets a URL that works only
//!   in their own browser.
//! - **On the way in** ([`inbound`]), a request carrying any of `__path`,
//!   `__err` or `__sig` (however spelled: `%5F%5Ferr` is `__err` to the
//!   router) without a valid signature for this browser is redirected (303)
//!   to the same URL without them, so neither the server's render nor the
//!   browser's address bar, which hydration reads, ever holds a forged one.
//!
//! Links inside the app cannot carry one past this: links in what authors
//! write are followed as whole page loads (`rel="external"`, see
//! `app::ssr::markdown`), and `next=` after signing in refuses them.

use app::ssr::{clock::Clock, tokens::Signer};
use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header},
};

/// How long a refusal's URL works.
pub const LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// The query parameters Leptos' form refusals use, and ours.
const KEYS: [&str; 3] = ["__path", "__err", "__sig"];

/// The header server functions mark a refusal with (server_fn's
/// `SERVER_FN_ERROR_HEADER`), naming the function.
const REFUSED: &str = "serverfnerror";

/// What signs and checks refusals.
#[derive(Clone, Debug)]
pub struct FormErrors {
    pub signer: Signer,
    pub clock: Clock,
    /// The cookie binding a refusal to its browser: `__Host-warta_form`
    /// when cookies are `Secure`, `warta_form` otherwise.
    pub cookie: &'static str,
    pub secure: bool,
}

impl FormErrors {
    /// The cookie's name when cookies are (or are not) `Secure`.
    pub fn cookie_name(secure: bool) -> &'static str {
        if secure { "__Host-warta_form" } else { "warta_form" }
    }
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound {
    /// No refusal in the URL.
    Clean,
    /// A refusal this browser was sent: the page shows it (and is nobody
    /// else's to cache).
    Vouched,
    /// A refusal we did not send it: go here instead.
    Strip(String),
}

/// Whether `request`'s query carries a refusal, and if so whether we sent
/// it to this browser.
pub fn inbound(request: &Request<Body>, forms: &FormErrors) -> Inbound {
    let Some(query) = request.uri().query() else {
        return Inbound::Clean;
    };
    if !might_name_a_key(query) {
        return Inbound::Clean;
    }
    let pairs = decoded_pairs(query);
    if !pairs.iter().any(|(key, _)| KEYS.contains(&key.as_str())) {
        return Inbound::Clean;
    }
    let one = |name: &str| {
        let mut values = pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        match (values.next(), values.next()) {
            (Some(value), None) => Some(value),
            _ => None,
        }
    };
    let nonce = cookie(request.headers(), forms.cookie);
    let vouched = match (one("__path"), one("__err"), one("__sig"), nonce) {
        (Some(path), Some(error), Some(signature), Some(nonce)) => signature
            .split_once('.')
            .and_then(|(expiry, mac)| Some((expiry.parse::<i64>().ok()?, mac)))
            .is_some_and(|(expiry, mac)| {
                let now = forms.clock.now().timestamp();
                now < expiry
                    && expiry <= now + LIFETIME.num_seconds()
                    && forms.signer.verify(PURPOSE, &message(expiry, &nonce, path, error), mac)
            }),
        _ => false,
    };
    if vouched {
        return Inbound::Vouched;
    }
    let kept = without_keys(query);
    let path = request.uri().path();
    Inbound::Strip(with_query(path, &kept))
}

/// The answer that sends a browser to `location` (a path on this site).
pub fn strip(location: &str) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let location = app::site::local_path(location);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// Signs the refusal a server function's redirect carries (see the module
/// documentation), for the browser that sent `request_headers`; any other
/// redirect of a form post loses stale refusal parameters.
pub fn outbound(
    method: &Method,
    request_path: &str,
    request_headers: &HeaderMap,
    response: &mut Response<Body>,
    forms: &FormErrors,
) {
    if method != Method::POST {
        return;
    }
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
    else {
        return;
    };
    let (base, query, fragment) = split_url(&location);
    let pairs = decoded_pairs(query);
    let refused = response
        .headers()
        .get(REFUSED)
        .is_some_and(|name| name.as_bytes() == request_path.as_bytes());
    let last = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let kept = without_keys(query);
    let mut location = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{kept}"),
    };
    if refused
        && let (Some(path), Some(error)) = (last("__path"), last("__err"))
        && path == request_path
    {
        let existing = cookie(request_headers, forms.cookie).filter(|nonce| well_formed(nonce));
        let nonce = existing.clone().unwrap_or_else(new_nonce);
        let expiry = (forms.clock.now() + LIFETIME).timestamp();
        let signature = forms.signer.sign(PURPOSE, &message(expiry, &nonce, &path, &error));
        let refusal = serde_urlencoded::to_string([
            ("__path", path.as_str()),
            ("__err", error.as_str()),
            ("__sig", &format!("{expiry}.{signature}")),
        ])
        .unwrap_or_default();
        location.push(if location.contains('?') { '&' } else { '?' });
        location.push_str(&refusal);
        if existing.is_none() {
            let secure = if forms.secure { "; Secure" } else { "" };
            let set = format!(
                "{}={nonce}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                forms.cookie,
                LIFETIME.num_seconds()
            );
            if let Ok(value) = HeaderValue::from_str(&set) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
    }
    location.push_str(fragment);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}

const PURPOSE: &str = "form-error";

fn message(expiry: i64, nonce: &str, path: &str, error: &str) -> String {
    format!("{expiry}\0{nonce}\0{path}\0{error}")
}

/// A cheap first look: could `query` hold one of our keys, in any spelling?
fn might_name_a_key(query: &str) -> bool {
    query.contains("__") || query.contains("%5F") || query.contains("%5f")
}

/// The query's pairs as the router reads them (form-urlencoded).
fn decoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| serde_urlencoded::from_str::<Vec<(String, String)>>(pair).ok())
        .flatten()
        .collect()
}

/// The query's raw pairs but those naming one of our keys.
fn without_keys(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let named = serde_urlencoded::from_str::<Vec<(String, String)>>(pair)
                .ok()
                .and_then(|pairs| pairs.into_iter().next())
                .map(|(key, _)| key);
            !named.is_some_and(|key| KEYS.contains(&key.as_str()))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(path: &str, query: &str) -> String {
    match query.is_empty() {
        true => path.to_owned(),
        false => format!("{path}?{query}"),
    }
}

/// `url` as its part before the query, the query, and `#fragment`.
fn split_url(url: &str) -> (&str, &str, &str) {
    let (rest, fragment) = match url.find('#') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    match rest.split_once('?') {
        Some((base, query)) => (base, query, fragment),
        None => (rest, "", fragment),
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| tower_sessions::cookie::Cookie::parse_encoded(pair.trim()).ok())
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

fn well_formed(nonce: &str) -> bool {
    nonce.len() == 32 && nonce.bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn new_nonce() -> String {
    use rand::RngCore as _;
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms() -> FormErrors {
        FormErrors {
            signer: Signer::new(&"k".repeat(32)),
            clock: Clock::at(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
            cookie: "warta_form",
            secure: false,
        }
    }

    fn request(uri: &str, cookie: Option<&str>) -> Request<Body> {
        let mut builder = Request::get(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, format!("warta_form={cookie}"));
        }
        builder.body(Body::empty()).unwrap()
    }

    /// The URL a refused `/fn/login` sends its browser to, and the cookie.
    fn refused(forms: &FormErrors, from: &str) -> (String, Option<String>) {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::FOUND;
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_str(from).unwrap());
        response
            .headers_mut()
            .insert(REFUSED, HeaderValue::from_static("/fn/login"));
        outbound(&Method::POST, "/fn/login", &HeaderMap::new(), &mut response, forms);
        let location = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
        let cookie = response.headers().get(header::SET_COOKIE).map(|value| {
            value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_owned()
        });
        (location, cookie)
    }

    #[test]
    fn a_refusal_we_sent_is_shown_to_its_browser_and_to_nobody_else() {
        let forms = forms();
        let (location, cookie) = refused(
            &forms,
            "http://x/login?next=%2Fsettings&__path=%2Ffn%2Flogin&__err=eyJ9",
        );
        let cookie = cookie.expect("a new browser gets the cookie");
        let path = location.strip_prefix("http://x").unwrap();
        assert!(path.starts_with("/login?next=%2Fsettings&__path="), "{path}");
        assert_eq!(inbound(&request(path, Some(&cookie)), &forms), Inbound::Vouched);
        // Another browser, or none at all.
        assert_eq!(
            inbound(&request(path, Some(&"0".repeat(32))), &forms),
            Inbound::Strip("/login?next=%2Fsettings".to_owned())
        );
        assert!(matches!(inbound(&request(path, None), &forms), Inbound::Strip(_)));
        // Ten minutes later it is gone.
        forms.clock.advance(chrono::Duration::minutes(11));
        assert!(matches!(
            inbound(&request(path, Some(&cookie)), &forms),
            Inbound::Strip(_)
        ));
    }

    #[test]
    fn a_forged_refusal_is_stripped_however_it_is_spelled() {
        let forms = forms();
        for (uri, clean) in [
            ("/login?__path=%2Ffn%2Flogin&__err=eyJ9", "/login"),
            (
                "/login?%5F%5Fpath=%2Ffn%2Flogin&%5f%5ferr=eyJ9&next=%2Fx",
                "/login?next=%2Fx",
            ),
            ("/login?__err=a&__err=b&__path=p&__sig=1.x", "/login"),
            ("/id/register?__sig=forged", "/id/register"),
        ] {
            assert_eq!(
                inbound(&request(uri, Some(&"0".repeat(32))), &forms),
                Inbound::Strip(clean.to_owned()),
                "{uri}"
            );
        }
        assert_eq!(inbound(&request("/search?q=__init__", None), &forms), Inbound::Clean);
        assert_eq!(inbound(&request("/login?next=%2F", None), &forms), Inbound::Clean);
    }

    #[test]
    fn a_second_refusal_replaces_the_first_rather_than_adding_to_it() {
        let forms = forms();
        let (first, _) = refused(&forms, "http://x/login?__path=%2Ffn%2Flogin&__err=b2xk&__sig=1.x");
        assert_eq!(first.matches("__err=").count(), 1, "{first}");
        assert_eq!(first.matches("__sig=").count(), 1, "{first}");
    }
}
