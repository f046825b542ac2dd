//! The JSON API, in the shapes of the RealWorld (Conduit) specification.
//!
//! Handlers call the same query layer as the pages' server functions
//! (`app::ssr::queries`); only the shapes differ.

mod articles;
mod error;
mod profiles;
mod users;

use app::{
    model::{ArticleSummary, Period},
    ssr::{
        AppState,
        queries::{QueryError, favorites},
        reading::{self, MAX_OFFSET},
    },
};
use axum::{
    Json, Router,
    extract::{Path, Query, State, rejection::QueryRejection},
    routing::{any, delete, get, post},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use error::ApiError;
use users::Caller;

/// The `{"<name>": {...}}` object of a request body.
fn object(
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
    name: &'static str,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let Json(body) = body.map_err(|_| ApiError::Invalid("body", "is not a JSON object"))?;
    match body.get(name) {
        Some(Value::Object(inner)) => Ok(inner.clone()),
        _ => Err(ApiError::Invalid(name, "can't be blank")),
    }
}

/// A text field: `Ok(None)` when absent, 422 when null or not text.
fn text(object: &serde_json::Map<String, Value>, field: &'static str) -> Result<Option<String>, ApiError> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Null) => Err(ApiError::Invalid(field, "can't be blank")),
        Some(_) => Err(ApiError::Invalid(field, "must be text")),
    }
}

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

/// A whole article: a list item plus its Markdown body.
#[derive(Debug, Serialize)]
struct ArticleBody {
    #[serde(flatten)]
    item: ArticleListItem,
    body: String,
}

/// An article in a list: everything but the body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleListItem {
    slug: String,
    title: String,
    description: String,
    tag_list: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    favorited: bool,
    favorites_count: i32,
    author: ProfileBody,
}

impl From<ArticleSummary> for ArticleListItem {
    fn from(article: ArticleSummary) -> Self {
        Self {
            slug: article.slug,
            title: article.title,
            description: article.description,
            tag_list: article.tag_list,
            created_at: article.created_at,
            updated_at: article.updated_at,
            favorited: false,
            favorites_count: article.favorites_count,
            // A listing carries the author's name and picture only.
            author: ProfileBody::new(article.author, String::new(), article.author_image),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticlesEnvelope {
    articles: Vec<ArticleListItem>,
    articles_count: i64,
}

impl ArticlesEnvelope {
    /// A page of articles as `caller` sees it: `favorited` set on those
    /// they saved, in one query for the page.
    async fn seen_by(
        state: &AppState,
        caller: Option<&Caller>,
        articles: Vec<ArticleSummary>,
        total: i64,
    ) -> Result<Self, ApiError> {
        let mut articles: Vec<ArticleListItem> = articles.into_iter().map(ArticleListItem::from).collect();
        if let Some(caller) = caller.filter(|_| !articles.is_empty()) {
            let slugs: Vec<String> = articles.iter().map(|article| article.slug.clone()).collect();
            let saved = favorites::saved_among(&state.db, caller.account.id, &slugs)
                .await
                .map_err(QueryError::from)?;
            for article in &mut articles {
                article.favorited = saved.contains(&article.slug);
            }
        }
        Ok(Self {
            articles,
            articles_count: total,
        })
    }
}

#[derive(Debug, Serialize)]
struct ProfileBody {
    username: String,
    bio: Option<String>,
    image: Option<String>,
    following: bool,
}

impl ProfileBody {
    /// The profile as a reader who does (or does not) follow it sees it.
    fn followed(mut self, following: bool) -> Self {
        self.following = following;
        self
    }

    /// A profile as an anonymous reader sees it (an empty bio is `null`).
    fn new(username: String, bio: String, image: Option<String>) -> Self {
        Self {
            username,
            bio: Some(bio).filter(|bio| !bio.is_empty()),
            image,
            following: false,
        }
    }
}

#[derive(Debug, Serialize)]
struct ArticleEnvelope {
    article: ArticleBody,
}

#[derive(Debug, Serialize)]
struct ProfileEnvelope {
    profile: ProfileBody,
}

/// Listing parameters, as text: bad values get a 422 naming the field,
/// not a generic rejection.
#[derive(Debug, Deserialize)]
struct ListParams {
    limit: Option<String>,
    offset: Option<String>,
    page: Option<String>,
    tag: Option<String>,
    author: Option<String>,
    favorited: Option<String>,
    /// A full-text search: best matches first instead of newest.
    q: Option<String>,
}

/// The default page size, and the largest a client may ask for.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

impl ListParams {
    /// `(offset, limit)`. `limit` is 1 or more (more than [`MAX_LIMIT`]
    /// clamps to it); `offset` 0 or more; `page` (1-based, as the design
    /// note has it) counts in `limit`s and cannot be combined with `offset`.
    fn window(&self) -> Result<(i64, i64), ApiError> {
        let limit = match whole_number(self.limit.as_deref(), "limit")? {
            None => DEFAULT_LIMIT,
            Some(limit) if limit < 1 => return Err(ApiError::Invalid("limit", "must be at least 1")),
            Some(limit) => limit.min(MAX_LIMIT),
        };
        let offset = whole_number(self.offset.as_deref(), "offset")?;
        let page = whole_number(self.page.as_deref(), "page")?;
        let offset = match (offset, page) {
            (Some(_), Some(_)) => return Err(ApiError::Invalid("page", "cannot be combined with offset")),
            (Some(offset), None) if offset < 0 => return Err(ApiError::Invalid("offset", "must be 0 or more")),
            (Some(offset), None) => offset,
            (None, Some(page)) if page < 1 => return Err(ApiError::Invalid("page", "must be at least 1")),
            (None, Some(page)) => (page - 1)
                .checked_mul(limit)
                .ok_or(ApiError::Invalid("page", "is too large"))?,
            (None, None) => 0,
        };
        Ok((offset, limit))
    }
}

/// A `?tag=`, `?author=` or `?favorited=` value: 422 naming the parameter
/// when it could not name anything (empty, NUL, control characters,
/// longer than any name).
fn name_filter<'a>(raw: Option<&'a str>, field: &'static str) -> Result<Option<&'a str>, ApiError> {
    match raw {
        Some(name) if !app::domain::could_name_something(name, app::domain::NAME_MAX) => {
            Err(ApiError::Invalid(field, "is not a name anything can have"))
        }
        name => Ok(name),
    }
}

/// `offset` for a filtered listing: 422 past [`MAX_OFFSET`].
fn shallow(offset: i64) -> Result<i64, ApiError> {
    if offset > MAX_OFFSET {
        return Err(ApiError::InvalidOwned(
            "offset",
            format!("is too deep for a filtered list (at most {MAX_OFFSET})"),
        ));
    }
    Ok(offset)
}

fn whole_number(raw: Option<&str>, field: &'static str) -> Result<Option<i64>, ApiError> {
    raw.map(|raw| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| ApiError::Invalid(field, "must be a whole number"))
    })
    .transpose()
}

/// `GET /api/articles?limit=&offset=` (or `?page=`): published articles,
/// newest first, without bodies, and how many there are.
async fn list_articles(
    State(state): State<AppState>,
    caller: Option<Caller>,
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
        let (hits, total) = reading::search(&state, q, shallow(offset)?, limit).await?;
        let articles = hits.into_iter().map(|hit| hit.article).collect();
        return Ok(Json(
            ArticlesEnvelope::seen_by(&state, caller.as_ref(), articles, total).await?,
        ));
    }
    let tag = name_filter(params.tag.as_deref(), "tag")?;
    let author = name_filter(params.author.as_deref(), "author")?;
    let favorited = name_filter(params.favorited.as_deref(), "favorited")?;
    let page = match (tag, author, favorited) {
        (Some(tag), _, _) => reading::tagged(&state, tag, shallow(offset)?, limit).await?,
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
            },
            body: record.body,
        },
    }))
}
