//! Discovery: Atom feeds (the site, each author, each tag), the sitemaps
//! and `robots.txt` naming them.
//!
//! Feeds read the same cached listings as the pages, so a feed reader
//! polling every minute costs what a reader of the page does. Sitemaps
//! split the articles by id range, [`SITEMAP_IDS`] ids each, so any one of
//! them is one index range however many articles there are (5M articles:
//! 500 sitemaps, each read in one statement and cached for an hour).

use app::{
    domain::{NAME_MAX, could_name_something},
    model::{ArticleSummary, tag_path},
    ssr::{AppState, reading},
};
use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// How many articles a feed carries.
const FEED_SIZE: i64 = 20;

/// How many article ids one sitemap covers (at most that many URLs; the
/// protocol allows 50,000).
pub const SITEMAP_IDS: i64 = 10_000;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// `GET /feed.xml`: the latest articles.
pub async fn site(State(state): State<AppState>) -> Response {
    match reading::latest(&state, 0, FEED_SIZE).await {
        Ok(page) => atom(&state, "Warta", "/", "/feed.xml", page.articles),
        Err(error) => unavailable(&error),
    }
}

/// `GET /@{username}/feed.xml`: an author's latest articles; 404 for
/// nobody.
pub async fn author(State(state): State<AppState>, Path(username): Path<String>) -> Response {
    match reading::by_author(&state, &username, 0, FEED_SIZE).await {
        Ok(Some(page)) => {
            let path = format!("/@{username}");
            atom(
                &state,
                &format!("{username} on Warta"),
                &path,
                &format!("{path}/feed.xml"),
                page.articles,
            )
        }
        Ok(None) => not_found(),
        Err(error) => unavailable(&error),
    }
}

/// `GET /tags/{tag}/feed.xml`: the latest articles with a tag (an empty
/// feed for a tag nothing carries yet, as its page says).
pub async fn tag(State(state): State<AppState>, Path(tag): Path<String>) -> Response {
    if !could_name_something(&tag, NAME_MAX) {
        return not_found();
    }
    match reading::tagged(&state, &tag, 0, FEED_SIZE).await {
        Ok(page) => {
            let path = tag_path(&tag);
            atom(
                &state,
                &format!("#{tag} on Warta"),
                &path,
                &format!("{path}/feed.xml"),
                page.articles,
            )
        }
        Err(error) => unavailable(&error),
    }
}

/// An Atom feed of `articles`, about the page at `page` and found at `this`
/// (both paths on the public origin).
fn atom(state: &AppState, title: &str, page: &str, this: &str, articles: Vec<ArticleSummary>) -> Response {
    let origin = &state.public_url.0;
    let link = |href: String, rel: &str, mime: Option<&str>| {
        let mut link = Link::default();
        link.set_href(href);
        link.set_rel(rel);
        link.set_mime_type(mime.map(str::to_owned));
        link
    };
    let mut feed = Feed::default();
    feed.set_title(title);
    feed.set_id(format!("{origin}{this}"));
    feed.set_links(vec![
        link(format!("{origin}{page}"), "alternate", Some("text/html")),
        link(format!("{origin}{this}"), "self", Some("application/atom+xml")),
    ]);
    let updated = articles
        .iter()
        .map(|article| article.updated_at)
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    feed.set_updated(FixedDateTime::from(updated));
    feed.set_entries(
        articles
            .into_iter()
            .map(|article| {
                let url = format!("{origin}/articles/{}", article.slug);
                let mut author = Person::default();
                author.set_name(article.author.clone());
                author.set_uri(format!("{origin}/@{}", article.author));
                let mut entry = Entry::default();
                entry.set_title(Text::plain(article.title));
                entry.set_id(url.clone());
                entry.set_links(vec![link(url, "alternate", Some("text/html"))]);
                entry.set_published(Some(FixedDateTime::from(article.published_at)));
                entry.set_updated(FixedDateTime::from(article.updated_at.max(article.published_at)));
                entry.set_authors(vec![author]);
                if !article.description.is_empty() {
                    entry.set_summary(Some(Text::plain(article.description)));
                }
                entry
            })
            .collect::<Vec<_>>(),
    );
    ([(header::CONTENT_TYPE, ATOM)], feed.to_string()).into_response()
}

/// `GET /sitemap.xml`: the index of the article sitemaps.
pub async fn sitemap_index(State(state): State<AppState>) -> Response {
    let newest = match reading::newest_article_id(&state).await {
        Ok(newest) => newest,
        Err(error) => return unavailable(&error),
    };
    let origin = xml_text(&state.public_url.0);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for number in 0..=newest / SITEMAP_IDS {
        xml.push_str(&format!(
            "<sitemap><loc>{origin}/sitemaps/articles-{number}.xml</loc></sitemap>\n"
        ));
    }
    xml.push_str("</sitemapindex>\n");
    ([(header::CONTENT_TYPE, XML)], xml).into_response()
}

/// `GET /sitemaps/articles-{n}.xml`: the published articles whose ids are
/// in the `n`th range of [`SITEMAP_IDS`].
pub async fn sitemap(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Some(number) = name
        .strip_prefix("articles-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .filter(|digits| !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse::<i64>().ok())
    else {
        return not_found();
    };
    // Only the sitemaps the index lists exist: a number past the end is a
    // 404 before anything is read or cached.
    match reading::newest_article_id(&state).await {
        Ok(newest) if number <= newest / SITEMAP_IDS => {}
        Ok(_) => return not_found(),
        Err(error) => return unavailable(&error),
    }
    let entries = match reading::sitemap_entries(&state, number * SITEMAP_IDS, SITEMAP_IDS).await {
        Ok(entries) => entries,
        Err(error) => return unavailable(&error),
    };
    let origin = xml_text(&state.public_url.0);
    let mut xml = String::with_capacity(120 * entries.len() + 200);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (slug, updated) in entries {
        xml.push_str(&format!(
            "<url><loc>{origin}/articles/{}</loc><lastmod>{}</lastmod></url>\n",
            xml_text(&slug),
            updated.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, XML)], xml).into_response()
}

/// `GET /robots.txt`: everything public may be crawled; forms, private
/// pages and the machinery may not; the sitemap is named.
pub async fn robots(State(state): State<AppState>) -> Response {
    let origin = &state.public_url.0;
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /editor\nDisallow: /settings\nDisallow: /following\n\
         Disallow: /login\nDisallow: /register\nDisallow: /unsubscribe/\nDisallow: /fn/\nDisallow: /api/\n\n\
         Sitemap: {origin}/sitemap.xml\n"
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

fn xml_text(text: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_text(text)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not found\n",
    )
        .into_response()
}

fn unavailable(error: &app::ssr::queries::QueryError) -> Response {
    tracing::error!(%error, "a feed or sitemap could not be read");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "Temporarily unavailable; please retry.\n",
    )
        .into_response()
}
