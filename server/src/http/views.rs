//! `GET /articles/{slug}/view.gif`: the pixel that counts an article view
//! (see `app::ssr::views`).

use std::net::SocketAddr;

use app::ssr::{AppState, views};
use axum::{
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// Counts a view of `slug` and answers with the pixel, never cached, so
/// every view reaches us even when pages come from a CDN.
pub async fn pixel(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    views::record(&state.cache, &slug, &visitor(&headers, peer)).await;
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PIXEL,
    )
        .into_response()
}

/// Who is reading, as well as we can tell without a cookie: the client's
/// address (the first `X-Forwarded-For` hop behind a proxy) and browser.
/// Only a hash of it is stored, for the de-duplication window.
fn visitor(headers: &HeaderMap, peer: SocketAddr) -> String {
    let address = headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(|hop| hop.trim().to_owned())
        .unwrap_or_else(|| peer.ip().to_string());
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    format!("{address}\n{agent}")
}
