//! `GET /articles/{slug}/view.gif`: the pixel that counts an article view
//! (see `app::ssr::views`).

use app::{
    i18n::Locale,
    ssr::{AppState, client::ClientAddress, reading, views},
};
use axum::{
    Extension,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, Uri, header},
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
///
/// A view counts once per reader's address (an IPv6 reader's /64) per
/// article per window: a new User-Agent per request is not a new reader.
/// It counts only from the article's own page: a `Referer` naming another
/// page (an author's `![](/articles/other/view.gif)` in their own story)
/// counts nothing. Browsers send the page as `Referer` under our referrer
/// policy; a request without one (a browser told to send none) still
/// counts. And it counts only an article there is: a made-up slug leaves
/// nothing in Redis but a short "there is no such article".
pub async fn pixel(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    client: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
) -> Response {
    if let Some(Extension(client)) = client
        && from_the_article(&headers, &slug)
        && reading::article_exists(&state, &slug).await.unwrap_or(false)
    {
        views::record(&state.cache, &slug, &client.holder()).await;
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PIXEL,
    )
        .into_response()
}

/// Whether the request's `Referer`, if it has one, is the page of the
/// article `slug` in either language.
fn from_the_article(headers: &HeaderMap, slug: &str) -> bool {
    let Some(referer) = headers.get(header::REFERER) else {
        return true;
    };
    let Some(path) = referer
        .to_str()
        .ok()
        .and_then(|referer| referer.parse::<Uri>().ok())
        .map(|uri| uri.path().to_owned())
    else {
        return false;
    };
    let (_, page) = Locale::split_path(&path);
    page.strip_prefix("/articles/").is_some_and(|named| {
        percent_encoding::percent_decode_str(named)
            .decode_utf8()
            .is_ok_and(|named| named == slug)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_articles_own_page_counts_it() {
        assert!(from_the_article(&HeaderMap::new(), "tea"), "no Referer");
        for own in [
            "https://warta.example/articles/tea",
            "https://warta.example/id/articles/tea",
            "https://warta.example/articles/tea?x=1#comments",
        ] {
            assert!(from_the_article(&referer(own), "tea"), "{own}");
        }
        for other in [
            "https://warta.example/articles/coffee",
            "https://warta.example/",
            "https://warta.example/articles/tea/edit",
            "https://warta.example/articles/teapot",
            "not a url at all",
        ] {
            assert!(!from_the_article(&referer(other), "tea"), "{other}");
        }
    }
}
