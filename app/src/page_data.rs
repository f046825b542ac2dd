//! Server functions: the only way pages reach the server for data.
//!
//! Each one is a thin shell over [`crate::ssr::reading`] (the cached query
//! layer), which the JSON API shares.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{Article, ArticleSummary, AuthorPage, Listing, Period, SearchResults, TagCount},
};

/// How many articles a listing page shows.
pub const PAGE_SIZE: i64 = 20;

/// Page `page` (1-based) of the latest published articles, newest first.
#[server(prefix = "/fn", endpoint = "latest")]
pub async fn latest_articles(page: u32) -> Result<Listing, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let found = crate::ssr::reading::latest(&state, offset, PAGE_SIZE).await?;
    Ok(Listing {
        articles: found.articles,
        page,
        pages: crate::model::page_count(found.total, PAGE_SIZE),
    })
}

/// Page `page` (1-based) of the published articles tagged `tag`, newest
/// first. A tag nothing carries is an empty listing, not an error: the
/// page says so.
#[server(prefix = "/fn", endpoint = "tagged")]
pub async fn tagged_articles(tag: String, page: u32) -> Result<Listing, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let found = crate::ssr::reading::tagged(&state, &tag, offset, PAGE_SIZE).await?;
    Ok(Listing {
        articles: found.articles,
        page,
        pages: crate::model::page_count(found.total.min(crate::ssr::reading::MAX_OFFSET + PAGE_SIZE), PAGE_SIZE),
    })
}

/// Page `page` of the published articles matching `q`, best first, with a
/// few marked lines of each.
#[server(prefix = "/fn", endpoint = "search")]
pub async fn search_articles(q: String, page: u32) -> Result<SearchResults, AppError> {
    use crate::ssr::queries::search::{CANDIDATES, MARK_END, MARK_START};
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let searcher = crate::ssr::client::ClientAddress::of_request();
    let (hits, total) = crate::ssr::reading::search(&state, &q, offset, PAGE_SIZE, searcher).await?;
    // Authors and tags by name, above the first page's stories.
    let names = match page {
        1 => crate::ssr::reading::search_names(&state, &q).await?,
        _ => crate::model::NameMatches::default(),
    };
    let hits = hits
        .into_iter()
        .map(|hit| crate::model::SearchHit {
            article: hit.article,
            snippet: marked_pieces(&hit.snippet, MARK_START, MARK_END),
        })
        .collect();
    Ok(SearchResults {
        names,
        hits,
        page,
        pages: crate::model::page_count(total, PAGE_SIZE),
        total,
        capped_at: CANDIDATES,
    })
}

/// `text` cut into pieces at `start` and `end` marks, each piece `true`
/// when it was between them. Unpaired marks are dropped.
#[cfg(feature = "ssr")]
fn marked_pieces(text: &str, start: char, end: char) -> Vec<(String, bool)> {
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut marked = false;
    let mut current = String::new();
    for c in text.chars() {
        if c == start || c == end {
            if !current.is_empty() {
                pieces.push((std::mem::take(&mut current), marked));
            }
            marked = c == start;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        pieces.push((current, marked));
    }
    pieces
}

/// The tags on the most published articles, most used first.
#[server(prefix = "/fn", endpoint = "tags")]
pub async fn popular_tags() -> Result<Vec<TagCount>, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    Ok(crate::ssr::reading::popular_tags(&state).await?)
}

/// The most-viewed published articles of `period`.
#[server(prefix = "/fn", endpoint = "popular")]
pub async fn popular_articles(period: Period) -> Result<Vec<ArticleSummary>, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    Ok(crate::ssr::reading::popular(&state, period).await?)
}

/// One published article by its slug.
#[server(prefix = "/fn", endpoint = "article")]
pub async fn get_article(slug: String) -> Result<Article, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let entry = crate::ssr::reading::article(&state, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = entry.record;
    let cover = cover_of(&record);
    // Search results and link previews need a summary: without a
    // description, the opening words stand in.
    let summary = if record.description.is_empty() {
        crate::ssr::markdown::excerpt(&record.body, 160)
    } else {
        record.description.clone()
    };
    Ok(Article {
        slug: record.slug,
        title: record.title,
        description: record.description,
        summary,
        body_html: entry.body_html,
        author: record.author,
        author_bio: record.author_bio,
        published_at: record.published_at,
        updated_at: record.updated_at,
        reading_minutes: entry.reading_minutes,
        cover,
        tags: record.tag_list,
        author_image: record.author_image,
        favorites_count: record.favorites_count,
        language: crate::i18n::Locale::from_code(&record.language),
    })
}

/// The article's cover as its page offers it: every WebP copy in `srcset`
/// (each described by its real width: a small original is never enlarged),
/// or the original alone until the copies exist.
#[cfg(feature = "ssr")]
fn cover_of(record: &crate::ssr::queries::articles::ArticleRecord) -> Option<crate::model::Cover> {
    use crate::ssr::covers;
    let key = record.cover_key.as_deref()?;
    let width = u32::try_from(record.cover_width?).ok()?;
    let height = u32::try_from(record.cover_height?).ok()?;
    let mut variants: Vec<u32> = record
        .cover_variants
        .iter()
        .flatten()
        .filter_map(|width| u32::try_from(*width).ok())
        .collect();
    variants.sort_unstable();
    let Some(&largest) = variants.last() else {
        return Some(crate::model::Cover {
            src: covers::url(key),
            srcset: None,
            width,
            height,
        });
    };
    let srcset = variants
        .iter()
        .map(|variant| {
            format!(
                "{} {}w",
                covers::url(&covers::variant_key(key, *variant)),
                variant.min(&width)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    Some(crate::model::Cover {
        src: covers::url(&covers::variant_key(key, largest)),
        srcset: Some(srcset),
        width,
        height,
    })
}

/// An author's profile and one page of their published articles.
#[server(prefix = "/fn", endpoint = "author")]
pub async fn get_author(username: String, page: u32) -> Result<AuthorPage, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    // One more than a page tells whether there is a next one.
    let found = crate::ssr::reading::author(&state, &username, offset, PAGE_SIZE + 1)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut articles = found.articles;
    let has_more = articles.len() > PAGE_SIZE as usize;
    articles.truncate(PAGE_SIZE as usize);
    Ok(AuthorPage {
        profile: found.profile,
        articles,
        page,
        has_more,
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn snippets_split_into_marked_and_plain_pieces() {
        let pieces = super::marked_pieces(
            "a \u{E000}kopi\u{E001} <b> \u{E000}tubruk\u{E001}",
            '\u{E000}',
            '\u{E001}',
        );
        assert_eq!(
            pieces,
            [
                ("a ".to_owned(), false),
                ("kopi".to_owned(), true),
                (" <b> ".to_owned(), false),
                ("tubruk".to_owned(), true)
            ]
        );
        assert_eq!(
            super::marked_pieces("plain", '\u{E000}', '\u{E001}'),
            [("plain".to_owned(), false)]
        );
    }
}
