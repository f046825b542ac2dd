//! Security at the HTTP layer: refusing cross-site state changes (CSRF) and
//! the response headers every page carries.
//!
//! CSRF: browsers say where a request comes from (`Sec-Fetch-Site`, and
//! `Origin` on every POST), and an attacker's page cannot forge either. A
//! request that changes state (anything but GET, HEAD, OPTIONS) is refused
//! with 403 when the browser reports another site, or an `Origin` that is
//! neither our public URL nor the host it was sent to. Requests with neither
//! header come from programs, not from a browser visiting another site, and
//! carry no ambient authority to abuse; they pass. This is OWASP's "verify
//! origin with standard headers" defence; it needs no token in forms, so
//! it also covers server functions and forms that work without JavaScript.

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

/// The origins a state-changing request may come from.
#[derive(Clone, Debug)]
pub struct TrustedOrigin {
    /// `scheme://host[:port]` of `WARTA_PUBLIC_URL`.
    public: String,
}

impl TrustedOrigin {
    /// The origin of `public_url` (its path, if any, dropped).
    pub fn new(public_url: &str) -> Self {
        let after_scheme = public_url.find("://").map_or(0, |at| at + 3);
        let end = public_url[after_scheme..]
            .find('/')
            .map_or(public_url.len(), |at| after_scheme + at);
        Self {
            public: public_url[..end].to_ascii_lowercase(),
        }
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let fetch_site = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok());
        if fetch_site == Some("cross-site") {
            return false;
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            // No Origin: a same-origin navigation in an old browser, or not a
            // browser at all.
            return true;
        };
        let Ok(origin) = origin.to_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        if origin == self.public {
            return true;
        }
        // Same host as the request was addressed to (any instance, any
        // proxy hop that keeps the Host header).
        let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
        host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, origin_host)| origin_host == host.to_ascii_lowercase())
        })
    }
}

/// The CSRF middleware.
pub async fn refuse_cross_site(State(trusted): State<TrustedOrigin>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || trusted.allows(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    if request.uri().path().starts_with("/api/") {
        let body = json!({ "errors": { "request": ["cross-site requests are refused"] } });
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    (
        StatusCode::FORBIDDEN,
        Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused · Warta</title></head>\
             <body><h1>This request was refused</h1><p>It was sent to Warta from another site. \
             If you meant to do this, go to Warta and try again there.</p><p><a href=\"/\">Warta</a></p></body></html>",
        ),
    )
        .into_response()
}

/// The policy of every response that is not one of our pages (API
/// answers, images, the few fixed error pages): it may load and run
/// nothing, be framed by nobody, and post forms only to us.
const BASE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// What every page may do besides running its scripts: load its own
/// styles, fonts and data (`'self'`), and show images from the web, which
/// articles may embed.
const PAGE_POLICY: &str = "default-src 'self'; style-src 'self'; img-src 'self' https: http:; connect-src 'self'; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Headers for every response: no MIME sniffing, no framing by other sites,
/// referrers trimmed to the origin when leaving the site, and the base
/// Content-Security-Policy where [`script_policy`] has not set a page's.
pub async fn add_headers(mut response: Response) -> Response {
    const HEADERS: [(HeaderName, &str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, BASE_POLICY),
    ];
    // A 304's headers replace those of the copy the browser kept: it
    // carries the page's own policy (see `caching`), or none, never ours.
    let not_modified = response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        let keep = headers.contains_key(&name) || (not_modified && name == header::CONTENT_SECURITY_POLICY);
        if !keep {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Pages larger than this are refused rather than served without a policy.
const MAX_PAGE: usize = 8 * 1024 * 1024;

/// A secret made for one response: Leptos writes it as the `nonce` of each
/// inline script it emits (the hydration bootstrap and each page's data),
/// and `routes::render::provide_page_context` hands it to the render.
/// Nothing stored can contain it, since it did not exist before this
/// request and leaves no response; so a script carrying it is one the
/// server wrote in this render, whatever else the page holds.
#[derive(Debug, Clone)]
pub struct ScriptMark(pub std::sync::Arc<str>);

impl ScriptMark {
    fn new() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string().into())
    }
}

/// The Content-Security-Policy of every HTML page: scripts only from this
/// site (`'self'`, which covers the wasm bundle's JavaScript;
/// `'wasm-unsafe-eval'` lets it compile the wasm) and the inline scripts
/// this render wrote, allowed by their SHA-256 hashes.
///
/// Leptos inlines the hydration bootstrap and each page's data, which
/// differ per page. The scripts allowed are exactly those carrying this
/// response's [`ScriptMark`]; the mark is then blanked out of the page, so
/// every render of the same page is the same bytes with the same policy
/// and a shared cache can keep it (a nonce would differ per response, and
/// a cached nonce protects nothing). Text a user wrote is escaped or
/// sanitized before it is a page; should a bug ever let markup through,
/// any script in it lacks the mark, has no hash in the policy, and does not
/// run.
pub async fn script_policy(mut request: Request, next: Next) -> Response {
    let mark = ScriptMark::new();
    request.extensions_mut().insert(mark.clone());
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_PAGE).await else {
        tracing::error!("a page could not be buffered to compute its script hashes");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "This page could not be rendered; please retry.",
        )
            .into_response();
    };
    let (hashes, body) = marked_script_hashes(&body, &mark.0);
    let body = super::markup::tidy(&body);
    let policy = format!("{PAGE_POLICY}; script-src 'self' 'wasm-unsafe-eval'{hashes}");
    if let Ok(policy) = HeaderValue::try_from(policy) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// ` 'sha256-…'` for each distinct non-empty inline script in `html` whose
/// opening tag carries `nonce="{mark}"`, and `html` with every `mark`
/// blanked out (`nonce=""`).
fn marked_script_hashes(html: &[u8], mark: &str) -> (String, Vec<u8>) {
    use base64::Engine as _;
    use sha2::Digest as _;

    let stamp = format!(" nonce=\"{mark}\"");
    let mut hashes: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = find(rest, b"<script") {
        let after_tag = &rest[start..];
        let Some(open_end) = find(after_tag, b">") else { break };
        let ours = find(&after_tag[..open_end], stamp.as_bytes()).is_some();
        let content = &after_tag[open_end + 1..];
        let Some(close) = find(content, b"</script>") else {
            break;
        };
        let script = &content[..close];
        if ours && !script.is_empty() {
            let hash = format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script))
            );
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        rest = &content[close + b"</script>".len()..];
    }
    (hashes.concat(), blank_out(html, mark.as_bytes()))
}

/// `haystack` with every occurrence of `needle` removed.
fn blank_out(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scripts_with_this_responses_mark_are_hashed_and_the_mark_is_blanked() {
        let mark = "0123456789abcdef0123456789abcdef";
        let html = format!(
            r#"<head><title>&lt;/title&gt;</title><script src="/pkg/warta.js"></script><link crossorigin="{mark}"><script type="module" nonce="{mark}">boot()</script></head>
            <body><p>text</p><script nonce="{mark}">data=1</script><script nonce="{mark}">boot()</script>
            <script nonce="">forged()</script><script nonce="other">guessed()</script><script>injected()</script></body>"#
        );
        let (hashes, page) = marked_script_hashes(html.as_bytes(), mark);
        use base64::Engine as _;
        use sha2::Digest as _;
        let expected = |script: &str| {
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script))
            )
        };
        assert_eq!(hashes, format!("{}{}", expected("boot()"), expected("data=1")));
        let page = String::from_utf8(page).unwrap();
        assert!(!page.contains(mark), "{page}");
        assert!(
            page.contains(r#"<script type="module" nonce="">boot()</script>"#),
            "{page}"
        );
        assert!(page.contains(r#"<link crossorigin="">"#), "{page}");
        assert_eq!(marked_script_hashes(b"<p>no scripts</p>", mark).0, "");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (HeaderName::from_static(name), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn same_origin_and_headerless_requests_pass_cross_site_ones_do_not() {
        let trusted = TrustedOrigin::new("https://warta.example/some/path");
        assert!(trusted.allows(&headers(&[])), "a program, not a browser");
        assert!(trusted.allows(&headers(&[("origin", "https://warta.example")])));
        assert!(trusted.allows(&headers(&[("origin", "HTTPS://Warta.Example")])));
        assert!(trusted.allows(&headers(&[
            ("origin", "http://10.0.0.5:3000"),
            ("host", "10.0.0.5:3000")
        ])));
        assert!(trusted.allows(&headers(&[("sec-fetch-site", "same-origin")])));

        assert!(!trusted.allows(&headers(&[("origin", "https://evil.example")])));
        assert!(!trusted.allows(&headers(&[("origin", "https://warta.example.evil.example")])));
        assert!(!trusted.allows(&headers(&[("origin", "null")])));
        assert!(!trusted.allows(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!trusted.allows(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://warta.example")
        ])));
    }
}
