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
//! Each instance also keeps what it rendered for a moment
//! (`WARTA_PAGE_CACHE_MS`, one second by default): the same 60 seconds of
//! freshness it promises a CDN, cut short so an instance without a CDN in
//! front still renders a hot page once a second instead of once a request.
//! A kept page is served only while no write in this process has changed
//! what readers see since it was rendered: the code that writes says so by
//! starting a new cache generation (`app::ssr::cache::LocalChanges`), so a
//! publish, a comment, a favorite or a settings change shows at once here,
//! and other instances catch up within that second. Nothing about a request
//! (a cookie's name, its method, its status) can empty the cache.
//!
//! Anything that sets a cookie, or answers a request carrying the session
//! cookie or an `Authorization` header, or whose session turned out to be
//! signed in (however its cookie was spelled: the session layer marks such
//! answers with [`SignedInAnswer`]), is `private, no-store` and never
//! kept: a signed-in answer (settings with the email, drafts, the feed) must
//! land in no cache at all, shared or on a shared computer's disk. So is a
//! form sent back with its messages (`?__err=`, which carries what was
//! typed). Responses that already say how to cache them (static files,
//! health checks, the view pixel) are left alone, as are errors.

use std::{sync::Arc, time::Duration};

use super::{
    canonical,
    form_errors::{self, FormErrors, Inbound},
    language::{self, FrontDoor},
};
use app::ssr::cache::LocalChanges;
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// What anonymous, session-independent pages carry.
pub const PUBLIC: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";

/// What responses for (or creating) a session carry.
pub const PRIVATE: &str = "private, no-store";

/// The session cookie's name (sessions arrive with sign-in)...
pub const SESSION_COOKIE: &str = "warta_session";
/// ...and its name when cookies are `Secure` (see `http::middleware::sessions`).
pub const SECURE_SESSION_COOKIE: &str = "__Host-warta_session";

const X_CACHE: header::HeaderName = header::HeaderName::from_static("x-cache");
const HIT: HeaderValue = HeaderValue::from_static("hit");
const MISS: HeaderValue = HeaderValue::from_static("miss");

/// Pages larger than this are passed through without an ETag.
const MAX_BUFFERED: usize = 4 * 1024 * 1024;

/// How much rendered output an instance keeps, at most.
const PAGE_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// A rendered public response, as kept.
#[derive(Debug)]
struct Page {
    headers: HeaderMap,
    body: Bytes,
    etag: HeaderValue,
    /// The count of this process's writes when rendering began: the page
    /// is served while the count is still this.
    changes: u64,
}

/// Rendered public responses by URL, each for a moment. Cheap to clone.
#[derive(Clone)]
pub struct PageCache {
    pages: Option<moka::sync::Cache<String, Arc<Page>>>,
    /// The session cookie's name, as the session layer sets it.
    cookie: &'static str,
    /// This process's writes to what readers see.
    changes: LocalChanges,
    /// Refused forms sent back in a URL (see `form_errors`).
    forms: FormErrors,
}

/// Marks the answer to a request whose session holds a signed-in user (set
/// by `http::middleware::sessions::upkeep`): whatever the request looked
/// like, such an answer is that user's own.
#[derive(Debug, Clone, Copy)]
pub struct SignedInAnswer;

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("enabled", &self.pages.is_some())
            .finish()
    }
}

impl PageCache {
    /// Keeps each page for `ttl`, while `changes` stays where it was when
    /// the page was rendered; a zero `ttl` keeps nothing. `cookie` is the
    /// session cookie's name.
    pub fn new(ttl: Duration, cookie: &'static str, changes: LocalChanges, forms: FormErrors) -> Self {
        let pages = (!ttl.is_zero()).then(|| {
            moka::sync::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(PAGE_CACHE_BYTES)
                .weigher(|key: &String, page: &Arc<Page>| {
                    u32::try_from(key.len() + page.body.len()).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self {
            pages,
            cookie,
            changes,
            forms,
        }
    }
}

/// The middleware.
pub async fn layer(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    // A refused form in the URL that we did not send this browser goes no
    // further (see `form_errors`); checked here, like the front door,
    // rather than in a layer of its own.
    let form = form_errors::inbound(&request, &cache.forms);
    if let Inbound::Strip(location) = &form {
        return form_errors::strip(location);
    }
    // The front door's language (see `language`): checked here, where it
    // costs two comparisons, rather than in a layer of its own.
    let door = language::front_door(&request);
    if let FrontDoor::Redirect(location) = &door {
        return language::redirect(location);
    }
    // Another spelling of a tag: its one page (see `canonical`), before
    // any key is made of the spelling.
    if let Some(location) = canonical::tag_redirect(&request) {
        return canonical::redirect(&location);
    }
    let front_page = request.uri().path() == "/";
    let method = request.method().clone();
    // A session cookie or API credentials: the answer is that user's own.
    let signed_in =
        has_session(request.headers(), cache.cookie) || request.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    // Only anonymous GETs are kept; the URL is the whole key, since nothing
    // else in such a request changes the page.
    // A form sent back, or the front page as someone the front door would
    // have sent elsewhere chose it: that reader's own.
    let refused_form = form == Inbound::Vouched || door == FrontDoor::Private;
    // What signing a refusal needs from a form post.
    let posted = (method == Method::POST).then(|| (request.uri().path().to_owned(), request.headers().clone()));
    let key = (method == Method::GET && !signed_in && !refused_form)
        .then(|| request.uri().to_string())
        .filter(|_| cache.pages.is_some());
    // Read before rendering: a write that lands while the page renders
    // leaves the page unservable rather than kept for a second.
    let changes = cache.changes.count();
    if let (Some(pages), Some(key)) = (&cache.pages, &key)
        && let Some(page) = pages.get(key)
        && page.changes == changes
    {
        return respond(&page, if_none_match.as_ref(), HIT);
    }

    let mut response = next.run(request).await;
    if let Some((path, headers)) = &posted {
        form_errors::outbound(&method, path, headers, &mut response, &cache.forms);
    }
    let signed_in = signed_in || response.extensions().get::<SignedInAnswer>().is_some();
    if front_page {
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    // Anything said to a signed-in user, whatever the method or status
    // (an API token in a PUT's answer, a 422 holding what they typed).
    if signed_in {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
        return response;
    }
    if !matches!(method, Method::GET | Method::HEAD)
        || response.status() != StatusCode::OK
        // A page that sends the reader elsewhere (signed out) is not a page.
        || response.headers().contains_key(header::LOCATION)
    {
        return response;
    }
    if refused_form || response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
        return response;
    }

    let (mut parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_BUFFERED).await {
        Ok(body) => body,
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
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
    parts.headers.remove(header::CONTENT_LENGTH);
    let page = Arc::new(Page {
        etag: etag(&body),
        headers: parts.headers,
        body,
        changes,
    });
    if let (Some(pages), Some(key)) = (&cache.pages, key) {
        pages.insert(key, Arc::clone(&page));
    }
    respond(&page, if_none_match.as_ref(), MISS)
}

/// The kept page, or a 304 when the client has it already; `X-Cache` says
/// whether this instance rendered it for this request.
fn respond(page: &Page, if_none_match: Option<&HeaderValue>, x_cache: HeaderValue) -> Response {
    let not_modified = if_none_match.is_some_and(|wanted| matches(wanted, &page.etag));
    let mut response = if not_modified {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        // Browsers update the page they kept with a 304's headers: the
        // policy must be the page's own (a missing or different one would
        // replace it).
        for name in [header::CACHE_CONTROL, header::VARY, header::CONTENT_SECURITY_POLICY] {
            if let Some(value) = page.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        response
    } else {
        let mut response = Response::new(Body::from(page.body.clone()));
        *response.headers_mut() = page.headers.clone();
        response
    };
    response.headers_mut().insert(header::ETAG, page.etag.clone());
    response.headers_mut().insert(X_CACHE, x_cache);
    response
}

/// Whether the request carries a cookie named `name`, read the way the
/// session layer reads cookies (tower-cookies: any UTF-8 header, names
/// trimmed and percent-decoded), so no spelling of it passes for none.
pub fn has_session(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| tower_sessions::cookie::Cookie::parse_encoded(pair).ok())
        .any(|cookie| cookie.name() == name)
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
    fn the_session_cookie_counts_however_it_is_spelled_and_only_it() {
        let cookie = |value: &[u8]| {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_bytes(value).unwrap());
            headers
        };
        assert!(!has_session(&cookie(b"theme=dark; other=1"), SESSION_COOKIE));
        for spelled in [
            b"theme=dark; warta_session=abc".as_slice(),
            b"warta_session =abc",
            b"warta%5Fsession=abc",
            "pref=\u{e9}; warta_session=abc".as_bytes(),
        ] {
            assert!(has_session(&cookie(spelled), SESSION_COOKIE), "{spelled:?}");
        }
        assert!(has_session(&cookie(b"__Host-warta_session=abc"), SECURE_SESSION_COOKIE));
        assert!(
            !has_session(&cookie(b"warta_session=abc"), SECURE_SESSION_COOKIE),
            "only the name in use"
        );
    }
}
