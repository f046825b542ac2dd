//! Static files: the built bundle under `/pkg` and everything copied from
//! `public/`.
//!
//! With hashed file names (release builds), a bundle file's name changes
//! whenever its content does, so browsers and CDNs may keep it forever. Other
//! files keep their names across deploys and get a short lifetime. Brotli and
//! gzip variants written by `cargo leptos build --precompress` are served
//! when the client accepts them; anything else is compressed on the fly by
//! the compression layer.

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::{Next, from_fn, map_response},
    response::{IntoResponse, Response},
};
use tower_http::services::ServeDir;

/// A year, and the promise never to change the file.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For unhashed bundle files in development: always revalidate.
const REVALIDATE: &str = "no-cache";
/// For files from `public/` (favicon, robots.txt): an hour.
const SHORT: &str = "public, max-age=3600";

/// Routes for `/pkg/*` under `site_root`.
pub fn bundle<S: Clone + Send + Sync + 'static>(site_root: &str, pkg_dir: &str, hashed: bool) -> Router<S> {
    let service = ServeDir::new(format!("{site_root}/{pkg_dir}"))
        .precompressed_br()
        .precompressed_gzip();
    let policy = if hashed { IMMUTABLE } else { REVALIDATE };
    Router::new()
        .nest_service(&format!("/{pkg_dir}"), service)
        .layer(map_response(move |response: Response| async move {
            with_cache_control(response, policy)
        }))
        .layer(from_fn(only_file_names))
}

/// The longest name of a file or folder we serve, in bytes (most file
/// systems' limit).
const FILE_NAME_MAX: usize = 255;

/// The longest path of a file we serve, in bytes (well under the file
/// system's `PATH_MAX`).
const FILE_PATH_MAX: usize = 1024;

/// Answers 404 at once for a path no file can have: a segment longer than
/// a file name can be, or a path longer than any of ours. Left to the file
/// service, the file system's "name too long" would be a server error.
pub async fn only_file_names(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > FILE_PATH_MAX || path.split('/').any(|segment| segment.len() > FILE_NAME_MAX) {
        return (StatusCode::NOT_FOUND, "Not found.\n").into_response();
    }
    next.run(request).await
}

/// A service for the other files under `site_root`, falling back to
/// `not_found` for paths that match no file.
pub fn public_files(site_root: &str) -> ServeDir {
    ServeDir::new(site_root).precompressed_br().precompressed_gzip()
}

/// The paths of the files `public_files` serves from the top of
/// `site_root` (`/favicon.svg`): with `/pkg/` and `/media/`, the requests
/// that show nothing of anyone's. Read once, at start-up; the site is
/// built before the server starts.
pub fn public_file_paths(site_root: &str) -> std::collections::HashSet<String> {
    std::fs::read_dir(site_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .map(|name| format!("/{name}"))
        .collect()
}

/// Adds the short lifetime to successful responses from `public/`.
pub async fn public_cache_control(response: Response) -> Response {
    with_cache_control(response, SHORT)
}

fn with_cache_control(mut response: Response, policy: &'static str) -> Response {
    let cacheable = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if cacheable && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}
