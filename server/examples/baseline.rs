//! The calibration baseline for `make bench`: a bare axum handler that
//! returns a fixed HTML page, on the same runtime and server as Warta.
//! Each route's rate is reported as a fraction of this one's, so figures
//! compare across machines.
//!
//! Usage: `baseline <port> <page-bytes>`.

use axum::{Router, response::Html, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|port| port.parse().ok()).unwrap_or(3999);
    let bytes: usize = args.next().and_then(|bytes| bytes.parse().ok()).unwrap_or(16 * 1024);

    let line = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n";
    let page: &'static str = Box::leak(
        format!(
            "<!DOCTYPE html><html><body>{}</body></html>",
            line.repeat(bytes / line.len() + 1)
        )
        .into_boxed_str(),
    );
    let page = &page[..bytes.min(page.len())];

    let app = Router::new().route("/", get(move || async move { Html(page) }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await
}
