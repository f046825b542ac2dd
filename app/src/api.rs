//! Server functions: the only way pages reach the server for data.
//!
//! Each one is a thin shell over the query layer in [`crate::ssr::queries`],
//! which the JSON API shares.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{Article, ArticleSummary},
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
    crate::ssr::queries::articles::published_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)
}
