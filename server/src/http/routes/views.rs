//! `GET /articles/{slug}/view.gif`: the pixel that counts an article view
//! (see `app::ssr::views`).

use std::net::{IpAddr, SocketAddr};

use app::ssr::{AppState, views};
use axum::{
    Extension,
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::http::middleware::client::TrustedProxies;

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
    Extension(trusted): Extension<TrustedProxies>,
    headers: HeaderMap,
) -> Response {
    let address = trusted.client(peer.ip(), &headers);
    views::record(&state.cache, &slug, &visitor(&headers, address)).await;
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
/// address (see [`TrustedProxies`]) and browser. Only a hash of it is
/// stored, for the de-duplication window.
fn visitor(headers: &HeaderMap, address: IpAddr) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    format!("{address}\n{agent}")
}
