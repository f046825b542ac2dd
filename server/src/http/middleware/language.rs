//! Which language a reader arriving at `/` gets.
//!
//! Every page's language is in its URL (`/…` English, `/id/…` Indonesian;
//! see `app::i18n`), so pages never vary by request header and stay
//! cacheable. The one exception is the front door: a visit to `/` from
//! outside the site (typed, bookmarked, a search result) whose browser
//! prefers Indonesian to English (`Accept-Language`) is sent to `/id`.
//! A visit from one of our own pages (the English switch, the English
//! "Latest" link) is a choice already made and is never redirected, so
//! choosing English sticks without a cookie.
//!
//! For shared caches, `/` varies by `Accept-Language`, and what a browser
//! preferring Indonesian is told about `/` is never shared (the redirect
//! and the English page it gets by choice look alike to a cache).

use app::i18n::Locale;
use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header},
    response::Response,
};

/// What the front door does with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum FrontDoor {
    /// Not `/`, or a browser preferring English: nothing to do.
    Pass,
    /// `/`, from a browser that prefers Indonesian and one of our pages:
    /// the English page, kept out of shared caches.
    Private,
    /// `/` from elsewhere, preferring Indonesian: go here.
    Redirect(String),
}

/// What to do with `request` (see the module's description).
pub fn front_door(request: &Request<Body>) -> FrontDoor {
    if request.uri().path() != "/" || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return FrontDoor::Pass;
    }
    let headers = request.headers();
    let wanted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(preferred)
        .unwrap_or_default();
    if wanted == Locale::En {
        FrontDoor::Pass
    } else if from_this_site(headers) {
        FrontDoor::Private
    } else {
        // The path and query only: a request target may be a whole URL
        // (`GET http://evil.example/ HTTP/1.1`), and `href` keeps any
        // result on this site whatever it is given.
        let target = request.uri().path_and_query().map_or("/", |target| target.as_str());
        FrontDoor::Redirect(wanted.href(target))
    }
}

/// The redirect to `location`, for this request only.
pub fn redirect(location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// The language an `Accept-Language` header ranks higher among ours; English
/// when it names neither, or both equally, or cannot be read. Weights are
/// per RFC 9110: `q` from 0 to 1, 1 when absent, 0 meaning "not this";
/// `id-ID` counts as `id`, `*` as neither.
pub fn preferred(accept_language: &str) -> Locale {
    let mut best = [0u16; 2];
    for item in accept_language.split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let weight = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .map_or(Some(1000), quality)
            .unwrap_or(0);
        for locale in Locale::ALL {
            if primary.eq_ignore_ascii_case(locale.code()) {
                best[locale as usize] = best[locale as usize].max(weight);
            }
        }
    }
    if best[Locale::Id as usize] > best[Locale::En as usize] {
        Locale::Id
    } else {
        Locale::En
    }
}

/// A `q` value in thousandths, or `None` if it is not one.
fn quality(value: &str) -> Option<u16> {
    let value: f32 = value.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

/// Whether the request came from one of our own pages: its `Referer` (sent
/// for same-origin navigation under our referrer policy) names the host
/// the request was sent to.
fn from_this_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
    let referer = headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<Uri>().ok());
    match (host, referer.as_ref().and_then(Uri::authority)) {
        (Some(host), Some(authority)) => authority.as_str().eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_higher_ranked_of_our_languages_wins() {
        assert_eq!(preferred("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"), Locale::Id);
        assert_eq!(preferred("en-US,en;q=0.9,id;q=0.8"), Locale::En);
        assert_eq!(preferred("ID"), Locale::Id);
        assert_eq!(preferred("fr-FR,fr;q=0.9,id;q=0.5"), Locale::Id);
        // Neither, a tie, a refusal, nonsense: English.
        assert_eq!(preferred("fr-FR,de"), Locale::En);
        assert_eq!(preferred("id,en"), Locale::En);
        assert_eq!(preferred("id;q=0"), Locale::En);
        assert_eq!(preferred("id;q=2"), Locale::En);
        assert_eq!(preferred("*"), Locale::En);
        assert_eq!(preferred(""), Locale::En);
        // `idx` is not `id`.
        assert_eq!(preferred("idx"), Locale::En);
    }

    fn request(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::get(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).expect("a valid request")
    }

    #[test]
    fn only_a_visit_from_elsewhere_to_the_front_page_is_redirected() {
        let indonesian = ("accept-language", "id-ID,id;q=0.9,en;q=0.5");
        let host = ("host", "warta.example");
        assert_eq!(
            front_door(&request("/", &[indonesian, host])),
            FrontDoor::Redirect("/id".into())
        );
        assert_eq!(
            front_door(&request("/?page=2", &[indonesian, host])),
            FrontDoor::Redirect("/id?page=2".into())
        );
        assert_eq!(
            front_door(&request(
                "/",
                &[indonesian, host, ("referer", "https://search.example/?q=warta")]
            )),
            FrontDoor::Redirect("/id".into())
        );
        // Chosen from one of our pages: stays English.
        assert_eq!(
            front_door(&request(
                "/",
                &[indonesian, host, ("referer", "https://warta.example/id/popular")]
            )),
            FrontDoor::Private
        );
        assert_eq!(front_door(&request("/popular", &[indonesian, host])), FrontDoor::Pass);
        assert_eq!(
            front_door(&request("/", &[("accept-language", "en"), host])),
            FrontDoor::Pass
        );
        assert_eq!(front_door(&request("/", &[host])), FrontDoor::Pass);
    }

    #[test]
    fn the_redirect_is_built_from_the_path_never_the_whole_request_target() {
        let indonesian = ("accept-language", "id");
        for target in ["http://evil.example/", "http://evil.example/?page=2"] {
            let FrontDoor::Redirect(location) = front_door(&request(target, &[indonesian])) else {
                panic!("{target}: not redirected");
            };
            assert!(
                location.starts_with("/id") && !location.contains("evil"),
                "{target}: {location}"
            );
        }
    }
}
