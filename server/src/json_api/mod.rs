//! The JSON API, in the shapes of the RealWorld (Conduit) specification.
//!
//! Handlers call the same query layer as the pages' server functions
//! (`app::ssr::queries`); only the shapes differ.
//!
//! This module is the router and the handlers of its own routes; the
//! vocabulary every handler shares lives in two leaves below it, `shapes`
//! (response bodies) and `params` (reading requests), so no handler
//! module imports this one.

mod articles;
mod error;
mod params;
mod profiles;
mod shapes;
mod users;

use app::{
    model::Period,
    ssr::{
        AppState,
        client::ClientAddress,
        queries::{QueryError, favorites},
        reading,
    },
};
use axum::{
    Extension, Json, Router,
    extract::{Path, Query, State, rejection::QueryRejection},
    routing::{any, delete, get, post},
};
use serde::{Deserialize, Serialize};

pub use error::ApiError;
use params::{ListParams, name_filter, shallow};
use shapes::{ArticleBody, ArticleEnvelope, ArticleListItem, ArticlesEnvelope, ProfileBody};
use users::Caller;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", post(users::register))
        .route("/api/users/login", post(users::login))
        .route("/api/user", get(users::current).put(users::update))
        .route("/api/articles", get(list_articles).post(articles::create))
        .route("/api/articles/popular", get(popular_articles))
        .route(
            "/api/articles/{slug}",
            get(article).put(articles::update).delete(articles::delete),
        )
        .route(
            "/api/articles/{slug}/comments",
            get(articles::list_comments).post(articles::add_comment),
        )
        .route("/api/articles/{slug}/comments/{id}", delete(articles::delete_comment))
        .route(
            "/api/articles/{slug}/favorite",
            post(articles::favorite).delete(articles::unfavorite),
        )
        .route("/api/tags", get(tags))
        .route("/api/articles/feed", get(profiles::feed))
        .route("/api/profiles/{username}", get(profiles::profile))
        .route(
            "/api/profiles/{username}/follow",
            post(profiles::follow).delete(profiles::unfollow),
        )
        .route("/api/{*rest}", any(|| async { ApiError::NotFound("path") }))
}

/// `GET /api/articles?limit=&offset=` (or `?page=`): published articles,
/// newest first, without bodies, and how many there are.
async fn list_articles(
    State(state): State<AppState>,
    caller: Option<Caller>,
    client: Option<Extension<ClientAddress>>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ArticlesEnvelope>, ApiError> {
    let Query(params) = params.map_err(|_| ApiError::Invalid("query", "is not a valid query string"))?;
    let (offset, limit) = params.window()?;
    let filters = [&params.tag, &params.author, &params.favorited, &params.q];
    if filters.iter().filter(|filter| filter.is_some()).count() > 1 {
        return Err(ApiError::Invalid(
            "query",
            "can filter by one of tag, author, favorited or q at a time",
        ));
    }
    if let Some(q) = &params.q {
        if q.chars().count() > app::domain::SEARCH_MAX {
            return Err(ApiError::InvalidOwned(
                "q",
                format!("is too long (at most {} characters)", app::domain::SEARCH_MAX),
            ));
        }
        app::domain::check_characters("q", q, false)?;
        let searcher = client.map(|Extension(client)| client);
        let (hits, total) = reading::search(&state, q, shallow(offset)?, limit, searcher).await?;
        let articles = hits.into_iter().map(|hit| hit.article).collect();
        return Ok(Json(
            ArticlesEnvelope::seen_by(&state, caller.as_ref(), articles, total).await?,
        ));
    }
    let tag = name_filter(params.tag.as_deref(), "tag")?;
    let author = name_filter(params.author.as_deref(), "author")?;
    let favorited = name_filter(params.favorited.as_deref(), "favorited")?;
    let page = match (tag, author, favorited) {
        // Any spelling of a tag finds it (`?tag=Rust` is `rust`'s articles).
        (Some(tag), _, _) => match app::domain::canonical_tag(tag) {
            Ok(tag) => reading::tagged(&state, &tag, shallow(offset)?, limit).await?,
            Err(_) => app::ssr::pagination::Page::default(),
        },
        (_, Some(author), _) => reading::by_author(&state, author, shallow(offset)?, limit)
            .await?
            .unwrap_or_default(),
        (_, _, Some(reader)) => reading::favorites_of(&state, reader, shallow(offset)?, limit)
            .await?
            .map(|(_, page)| page)
            .unwrap_or_default(),
        _ => reading::latest(&state, offset, limit).await?,
    };
    Ok(Json(
        ArticlesEnvelope::seen_by(&state, caller.as_ref(), page.articles, page.total).await?,
    ))
}

#[derive(Debug, Serialize)]
struct TagsEnvelope {
    tags: Vec<String>,
}

/// `GET /api/tags`: the tags on the most published articles, most used
/// first.
async fn tags(State(state): State<AppState>) -> Result<Json<TagsEnvelope>, ApiError> {
    let tags = reading::popular_tags(&state).await?;
    Ok(Json(TagsEnvelope {
        tags: tags.into_iter().map(|tag| tag.tag).collect(),
    }))
}

#[derive(Debug, Deserialize)]
struct PopularParams {
    period: Option<String>,
}

/// `GET /api/articles/popular?period=week|month`: the most-viewed
/// published articles (all time without `period`).
async fn popular_articles(
    State(state): State<AppState>,
    caller: Option<Caller>,
    params: Result<Query<PopularParams>, QueryRejection>,
) -> Result<Json<ArticlesEnvelope>, ApiError> {
    let Query(params) = params.map_err(|_| ApiError::Invalid("query", "is not a valid query string"))?;
    let period = match params.period.as_deref() {
        None | Some("") => Period::All,
        Some(raw) => Period::parse(raw).ok_or(ApiError::Invalid("period", "must be all, week or month"))?,
    };
    let articles = reading::popular(&state, period).await?;
    let total = articles.len() as i64;
    Ok(Json(
        ArticlesEnvelope::seen_by(&state, caller.as_ref(), articles, total).await?,
    ))
}

/// `GET /api/articles/{slug}`: one published article, with its Markdown body.
async fn article(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ApiError> {
    let record = reading::article(&state, &slug)
        .await?
        .ok_or(ApiError::NotFound("article"))?
        .record;
    // Whether the caller saved it (the cached count is forgotten on every
    // save, so anonymous readers need no query).
    let saved = match caller {
        Some(caller) => favorites::state(&state.db, Some(caller.account.id), &record.slug)
            .await
            .map_err(QueryError::from)?,
        None => None,
    };
    Ok(Json(ArticleEnvelope {
        article: ArticleBody {
            item: ArticleListItem {
                slug: record.slug,
                title: record.title,
                description: record.description,
                tag_list: record.tag_list,
                created_at: record.created_at,
                updated_at: record.updated_at,
                favorited: saved.is_some_and(|saved| saved.favorited),
                favorites_count: saved.map_or(record.favorites_count, |saved| saved.count),
                author: ProfileBody::new(record.author, record.author_bio, record.author_image),
                language: record.language,
            },
            body: record.body,
        },
    }))
}
