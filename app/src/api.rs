//! Server functions: the only way pages reach the server for data.
//!
//! Each one is a thin shell over the query layer in [`crate::ssr::queries`],
//! which the JSON API shares.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{Article, ArticleSummary, AuthorPage},
};

/// How many articles a listing page shows.
pub const PAGE_SIZE: i64 = 20;

/// The latest published articles, newest first.
#[server(prefix = "/fn", endpoint = "latest_articles")]
pub async fn latest_articles() -> Result<Vec<ArticleSummary>, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let articles = crate::ssr::queries::articles::latest_published(&state.db, PAGE_SIZE).await?;
    Ok(articles)
}

/// One published article by its slug.
#[server(prefix = "/fn", endpoint = "article")]
pub async fn get_article(slug: String) -> Result<Article, AppError> {
    let state = expect_context::<crate::ssr::AppState>();
    let record = crate::ssr::queries::articles::published_by_slug(&state.db, &slug).await?;
    record
        .map(crate::ssr::queries::articles::ArticleRecord::into_page)
        .ok_or(AppError::NotFound)
}

/// An author's profile and one page of their published articles.
#[server(prefix = "/fn", endpoint = "author")]
pub async fn get_author(username: String, page: u32) -> Result<AuthorPage, AppError> {
    use crate::ssr::queries::{articles, users};
    let state = expect_context::<crate::ssr::AppState>();
    let (author_id, profile) = users::profile(&state.db, &username).await?.ok_or(AppError::NotFound)?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let mut articles = articles::published_by_author(&state.db, author_id, PAGE_SIZE + 1, offset).await?;
    let has_more = articles.len() > PAGE_SIZE as usize;
    articles.truncate(PAGE_SIZE as usize);
    Ok(AuthorPage {
        profile,
        articles,
        page,
        has_more,
    })
}
