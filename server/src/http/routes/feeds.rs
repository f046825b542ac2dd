//! Discovery: Atom feeds (the site, each author, each tag), the sitemaps
//! and `robots.txt` naming them.
//!
//! Feeds read the same cached listings as the pages (and each entry's
//! whole article from the article cache), so a feed reader polling every
//! minute costs what a reader of the pages does. Sitemaps come in three
//! series (`app::ssr::reading::Sitemap`): articles and authors split by id
//! range, tags in order, [`reading::SITEMAP_SIZE`] each, so any one of them is one
//! index range however many there are (5M articles: 500 sitemaps, each read
//! in one statement and cached for an hour).

use app::{
    domain::{NAME_MAX, could_name_something},
    i18n::Locale,
    model::{ArticleSummary, tag_path},
    ssr::{
        AppState,
        reading::{self, Sitemap},
    },
};
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// How many articles a feed carries.
const FEED_SIZE: i64 = 20;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// `GET /feed.xml`: the latest articles.
pub async fn site(State(state): State<AppState>) -> Response {
    match reading::latest(&state, 0, FEED_SIZE).await {
        Ok(page) => atom(&state, "Warta", "/", "/feed.xml", page.articles).await,
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
            .await
        }
        Ok(None) => not_found(),
        Err(error) => unavailable(&error),
    }
}

/// `GET /tags/{tag}/feed.xml`: the latest articles with a tag; 404 for a
/// tag no published article carries, as its page is.
pub async fn tag(State(state): State<AppState>, Path(tag): Path<String>) -> Response {
    if !could_name_something(&tag, NAME_MAX) {
        return not_found();
    }
    match reading::tagged(&state, &tag, 0, FEED_SIZE).await {
        // A tag no published article carries, as its page says.
        Ok(page) if page.total == 0 => not_found(),
        Ok(page) => {
            let path = tag_path(&tag);
            atom(
                &state,
                &format!("#{tag} on Warta"),
                &path,
                &format!("{path}/feed.xml"),
                page.articles,
            )
            .await
        }
        Err(error) => unavailable(&error),
    }
}

/// An Atom feed of `articles`, about the page at `page` and found at `this`
/// (both paths on the public origin). Each entry carries the whole article,
/// rendered and sanitised as its page shows it (from the article cache the
/// pages share), so a feed reader needs no visit; an article that cannot be
/// read at this moment keeps its description alone.
async fn atom(state: &AppState, title: &str, page: &str, this: &str, articles: Vec<ArticleSummary>) -> Response {
    let bodies = futures::future::join_all(articles.iter().map(|article| reading::article(state, &article.slug))).await;
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
            .zip(bodies)
            .map(|(article, body)| {
                let url = format!("{origin}/articles/{}", article.slug);
                let mut author = Person::default();
                author.set_name(article.author.clone());
                author.set_uri(format!("{origin}/@{}", article.author));
                // The entry's text in the article's language (the feed's own
                // words are the site's).
                let lang = Some(article.locale().code().to_owned());
                let in_its_language = |text: String| Text {
                    lang: lang.clone(),
                    ..Text::plain(text)
                };
                let mut entry = Entry::default();
                entry.set_title(in_its_language(article.title));
                entry.set_id(url.clone());
                entry.set_links(vec![link(url.clone(), "alternate", Some("text/html"))]);
                entry.set_published(Some(FixedDateTime::from(article.published_at)));
                entry.set_updated(FixedDateTime::from(article.updated_at.max(article.published_at)));
                entry.set_authors(vec![author]);
                if !article.description.is_empty() {
                    entry.set_summary(Some(in_its_language(article.description)));
                }
                if let Ok(Some(body)) = body {
                    let mut content = Content::default();
                    // Relative links and images in the body resolve
                    // against the article's own address.
                    content.set_base(Some(url.clone()));
                    content.set_lang(lang.clone());
                    content.set_content_type(Some("html".to_owned()));
                    content.set_value(Some(body.body_html));
                    entry.set_content(Some(content));
                }
                entry
            })
            .collect::<Vec<_>>(),
    );
    ([(header::CONTENT_TYPE, ATOM)], feed.to_string()).into_response()
}

/// `GET /sitemap.xml`: the index of every sitemap (articles, authors,
/// tags).
pub async fn sitemap_index(State(state): State<AppState>) -> Response {
    let origin = xml_text(&state.public_url.0);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for kind in Sitemap::ALL {
        let count = match reading::sitemap_count(&state, kind).await {
            Ok(count) => count,
            Err(error) => return unavailable(&error),
        };
        for number in 0..count {
            xml.push_str(&format!(
                "<sitemap><loc>{origin}/sitemaps/{}-{number}.xml</loc></sitemap>\n",
                kind.name()
            ));
        }
    }
    xml.push_str("</sitemapindex>\n");
    ([(header::CONTENT_TYPE, XML)], xml).into_response()
}

/// `GET /sitemaps/{series}-{n}.xml`: one sitemap of a series (see
/// [`Sitemap`]). Each page is listed once, at its English address, naming
/// its Indonesian twin and the default for other languages (`hreflang`).
pub async fn sitemap(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Some((kind, number)) = Sitemap::parse(&name) else {
        return not_found();
    };
    // Only the sitemaps the index lists exist: a number past the end is a
    // 404 before anything is read or cached.
    match reading::sitemap_count(&state, kind).await {
        Ok(count) if number < count => {}
        Ok(_) => return not_found(),
        Err(error) => return unavailable(&error),
    }
    let pages = match reading::sitemap_pages(&state, kind, number).await {
        Ok(pages) => pages,
        Err(error) => return unavailable(&error),
    };
    let origin = xml_text(&state.public_url.0);
    let mut xml = String::with_capacity(400 * pages.len() + 300);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for (path, changed) in pages {
        let english = xml_text(&path);
        let indonesian = Locale::Id.href(&path);
        let indonesian = xml_text(&indonesian);
        xml.push_str(&format!(
            "<url><loc>{origin}{english}</loc><lastmod>{}</lastmod>\
             <xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"{origin}{english}\"/>\
             <xhtml:link rel=\"alternate\" hreflang=\"id\" href=\"{origin}{indonesian}\"/>\
             <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{origin}{english}\"/></url>\n",
            changed.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, XML)], xml).into_response()
}

/// The pages that are one reader's own or lead nowhere for a crawler:
/// `robots.txt` disallows each in every language (`/editor`, `/id/editor`).
const PRIVATE_PAGES: [&str; 11] = [
    "/editor",
    "/settings",
    "/following",
    "/login",
    "/register",
    "/moderation",
    "/report",
    "/forgot-password",
    "/reset-password/",
    "/verify-email/",
    "/unsubscribe/",
];

/// `GET /robots.txt`: everything public may be crawled; forms, private
/// pages and the machinery may not; the sitemap is named.
pub async fn robots(State(state): State<AppState>) -> Response {
    let origin = &state.public_url.0;
    let mut body = String::from("User-agent: *\nAllow: /\n");
    for path in PRIVATE_PAGES {
        for locale in Locale::ALL {
            body.push_str(&format!("Disallow: {}\n", locale.href(path)));
        }
    }
    for path in ["/fn/", "/api/", "/media/covers/"] {
        body.push_str(&format!("Disallow: {path}\n"));
    }
    body.push_str(&format!("\nSitemap: {origin}/sitemap.xml\n"));
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
