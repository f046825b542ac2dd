//! One address per tag: `/tags/Bersepeda`, `/tags/web%20development` and
//! `/id/tags/Node.js/feed.xml` are answered 301 with the tag's canonical
//! spelling (`app::domain::canonical_tag`), so readers, links and search
//! engines all end at one page. A segment that is no tag at all passes on,
//! to the page's 404.

use app::{domain::canonical_tag, model::tag_path, site::local_path};
use axum::{
    body::Body,
    http::{HeaderValue, Method, Request, StatusCode, header},
    response::Response,
};

/// How long browsers and shared caches keep a tag's redirect: a day (the
/// rule behind it changes only with a release).
const KEPT: &str = "public, max-age=86400";

/// Where a GET or HEAD of another spelling of a tag's page or feed should
/// go instead; `None` for every other request.
pub fn tag_redirect(request: &Request<Body>) -> Option<String> {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let uri = request.uri();
    let path = uri.path();
    let (prefix, rest) = match path.strip_prefix("/id/tags/") {
        Some(rest) => ("/id", rest),
        None => ("", path.strip_prefix("/tags/")?),
    };
    let (segment, suffix) = match rest.strip_suffix("/feed.xml") {
        Some(segment) => (segment, "/feed.xml"),
        None => (rest, ""),
    };
    if segment.is_empty() || segment.contains('/') {
        return None;
    }
    let typed = percent_encoding::percent_decode_str(segment).decode_utf8().ok()?;
    let canonical = canonical_tag(&typed).ok()?;
    if canonical == typed {
        return None;
    }
    let query = uri.query().map(|query| format!("?{query}")).unwrap_or_default();
    let target = format!("{prefix}{}{suffix}{query}", tag_path(&canonical));
    Some(local_path(&target).into_owned())
}

/// The permanent redirect to `location`.
pub fn redirect(location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(KEPT));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(method: Method, uri: &str) -> Option<String> {
        tag_redirect(&Request::builder().method(method).uri(uri).body(Body::empty()).unwrap())
    }

    #[test]
    fn other_spellings_of_a_tag_go_to_its_one_page() {
        let get = |uri| target(Method::GET, uri);
        assert_eq!(get("/tags/Bersepeda").as_deref(), Some("/tags/bersepeda"));
        assert_eq!(
            get("/id/tags/Bersepeda?page=2").as_deref(),
            Some("/id/tags/bersepeda?page=2")
        );
        assert_eq!(get("/tags/Web%20Development").as_deref(), Some("/tags/web-development"));
        assert_eq!(get("/tags/Node.js/feed.xml").as_deref(), Some("/tags/node-js/feed.xml"));
        assert_eq!(get("/tags/%C3%89cole").as_deref(), Some("/tags/%C3%A9cole"));
        // Already canonical, not a tag at all, or not a tag page: no redirect.
        for same in [
            "/tags/bersepeda",
            "/tags/%C3%A9cole",
            "/tags/c++",
            "/tags/%FF",
            "/tags/",
            "/tags/a/b",
            "/articles/Bersepeda",
            "/idtags/Rust",
        ] {
            assert_eq!(get(same), None, "{same}");
        }
        assert_eq!(target(Method::POST, "/tags/Rust"), None);
        assert_eq!(target(Method::HEAD, "/tags/Rust").as_deref(), Some("/tags/rust"));
    }

    #[test]
    fn the_redirect_never_leaves_the_site() {
        for hostile in [
            "/tags/Rust?//evil.example",
            "/tags/Rust?\\evil",
            "/id/tags/RUST?x=%0d%0aSet-Cookie:a",
        ] {
            let location = target(Method::GET, hostile).unwrap();
            assert!(
                location.starts_with("/tags/rust") || location.starts_with("/id/tags/rust"),
                "{location}"
            );
            assert!(!location.contains(['\r', '\n']), "{location}");
        }
    }
}
