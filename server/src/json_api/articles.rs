//! `POST /api/articles`, `PUT` and `DELETE /api/articles/{slug}`, and the
//! comments under an article: writing through the JSON API, by the same
//! rules and the same code ([`publishing`]) as the editor.
//!
//! Articles created here are published at once (the RealWorld API has no
//! drafts); editing one of the author's drafts keeps it a draft.

use app::{
    domain::{ArticleText, CommentBody, Invalid},
    ssr::{
        AppState,
        accounts::Account,
        publishing,
        queries::{
            comments::CommentRecord,
            editing::{self, EditableArticle},
            favorites, follows, users,
        },
        reading,
    },
};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{
    error::ApiError,
    params::{object, text, whole_number},
    shapes::{ArticleBody, ArticleEnvelope, ArticleListItem, ProfileBody},
    users::Caller,
};

/// The first of a refusal's faults (the API names one field at a time).
fn refused(faults: Vec<Invalid>) -> ApiError {
    faults
        .into_iter()
        .next()
        .map_or(ApiError::Invalid("article", "is invalid"), ApiError::from)
}

/// `tagList`: `Ok(None)` when absent; 422 when null or not a list of text.
fn tag_list(article: &serde_json::Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    match article.get("tagList") {
        None => Ok(None),
        Some(Value::Array(tags)) => tags
            .iter()
            .map(|tag| match tag {
                Value::String(tag) => Ok(tag.clone()),
                _ => Err(ApiError::Invalid("tagList", "must be a list of text")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::Null) => Err(ApiError::Invalid("tagList", "can't be null")),
        Some(_) => Err(ApiError::Invalid("tagList", "must be a list of text")),
    }
}

/// An article as `reader` sees it, in the API's shape: the author's own
/// article after a write, or any article after a (un)favorite.
fn envelope(article: EditableArticle, author: ProfileBody, favorited: bool) -> ArticleEnvelope {
    ArticleEnvelope {
        article: ArticleBody {
            item: ArticleListItem {
                slug: article.slug,
                title: article.title,
                description: article.description,
                tag_list: article.tags,
                created_at: article.created_at,
                updated_at: article.updated_at,
                favorited,
                favorites_count: article.favorites_count,
                author,
                language: article.language,
            },
            body: article.body,
        },
    }
}

/// The article `slug` as `reader` sees it after a write: whether they
/// saved it is read with it.
async fn read_back(state: &AppState, slug: &str, reader: &Account) -> Result<ArticleEnvelope, ApiError> {
    let article = editing::by_slug(&state.db, slug)
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    let favorited = favorites::saved_among(&state.db, reader.id, std::slice::from_ref(&article.slug))
        .await?
        .contains(&article.slug);
    let author = if article.user_id == reader.id {
        ProfileBody::new(reader.username.clone(), reader.bio.clone(), reader.image.clone())
    } else {
        let (_, profile) = users::profile(&state.db, &article.author)
            .await?
            .ok_or(ApiError::NotFound("article"))?;
        let following = follows::is_following(&state.db, reader.id, article.user_id).await?;
        ProfileBody::new(profile.username, profile.bio, profile.image).followed(following)
    };
    Ok(envelope(article, author, favorited))
}

/// `POST /api/articles/{slug}/favorite`: the article, saved by the caller.
pub(super) async fn favorite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ApiError> {
    set_favorite(&state, &caller.account, &slug, true).await
}

/// `DELETE /api/articles/{slug}/favorite`: the article, no longer saved.
pub(super) async fn unfavorite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ApiError> {
    set_favorite(&state, &caller.account, &slug, false).await
}

async fn set_favorite(
    state: &AppState,
    reader: &Account,
    slug: &str,
    save: bool,
) -> Result<Json<ArticleEnvelope>, ApiError> {
    if save {
        app::ssr::throttle::writing(&state.session_redis, app::ssr::throttle::Attempt::Favorite, reader.id)
            .await
            .map_err(ApiError::TooMany)?;
    }
    reading::favorite(state, reader.id, &reader.username, slug, save)
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    Ok(Json(read_back(state, slug, reader).await?))
}

/// `POST /api/articles`: 201 with the published article.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let article = object(body, "article")?;
    let title = text(&article, "title")?.unwrap_or_default();
    let description = text(&article, "description")?.unwrap_or_default();
    let body = text(&article, "body")?.unwrap_or_default();
    let tags = tag_list(&article)?.unwrap_or_default();
    // `en` or `id`; absent, the author's language.
    let language = text(&article, "language")?;
    let text =
        ArticleText::parse(&title, &description, &body, &tags, language.as_deref(), state.body_max).map_err(refused)?;
    // The API, unlike the editor, requires a description.
    if text.description.is_empty() {
        return Err(ApiError::Invalid("description", "can't be blank"));
    }
    let account = caller.account;
    app::ssr::throttle::writing(&state.session_redis, app::ssr::throttle::Attempt::Article, account.id)
        .await
        .map_err(ApiError::TooMany)?;
    let slug = publishing::create(&state, account.id, &account.username, &text, true).await?;
    let created = read_back(&state, &slug, &account).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PUT /api/articles/{slug}`: changes any of title, description, body,
/// `language` and `tagList` (absent keeps the tags, `[]` clears them). The
/// slug stays.
pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<ArticleEnvelope>, ApiError> {
    let account = caller.account;
    let current = publishing::editable(&state, account.id, &slug).await?;
    let changes = object(body, "article")?;
    let title = text(&changes, "title")?.unwrap_or_else(|| current.title.clone());
    let description = text(&changes, "description")?.unwrap_or_else(|| current.description.clone());
    let body = text(&changes, "body")?.unwrap_or_else(|| current.body.clone());
    let tags = tag_list(&changes)?.unwrap_or_else(|| current.tags.clone());
    let language = text(&changes, "language")?;
    let text =
        ArticleText::parse(&title, &description, &body, &tags, language.as_deref(), state.body_max).map_err(refused)?;
    publishing::update(&state, &current, &text, None).await?;
    Ok(Json(read_back(&state, &current.slug, &account).await?))
}

/// `DELETE /api/articles/{slug}`: 204.
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    let article = publishing::editable(&state, caller.account.id, &slug).await?;
    publishing::delete(&state, &article).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CommentView {
    id: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    body: String,
    author: ProfileBody,
}

impl From<CommentRecord> for CommentView {
    fn from(comment: CommentRecord) -> Self {
        Self {
            id: comment.id,
            created_at: comment.created_at,
            updated_at: comment.updated_at,
            body: comment.body,
            // A list carries the writer's name and picture only.
            author: ProfileBody::new(comment.author, String::new(), comment.author_image),
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct CommentEnvelope {
    comment: CommentView,
}

#[derive(Debug, Serialize)]
pub(super) struct CommentsEnvelope {
    comments: Vec<CommentView>,
}

/// `POST /api/articles/{slug}/comments`: 201 with the comment; 429 past
/// the writer's comment budget.
pub(super) async fn add_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let comment = object(body, "comment")?;
    let body = CommentBody::parse(&text(&comment, "body")?.unwrap_or_default())?;
    let added = publishing::comment(&state, caller.account.id, &slug, &body).await?;
    Ok((StatusCode::CREATED, Json(CommentEnvelope { comment: added.into() })))
}

/// How many comments a page lists by default, and at most.
const COMMENTS_PAGE: i64 = 100;

/// `?limit=&after=` of a comment list.
#[derive(Debug, serde::Deserialize)]
pub(super) struct CommentParams {
    limit: Option<String>,
    after: Option<String>,
}

/// `GET /api/articles/{slug}/comments?limit=&after=`: oldest first, a page
/// at a time (100 by default and at most). `after` is the id of the last
/// comment already seen; when more follow, a `Link: <…>; rel="next"`
/// header names the next page.
pub(super) async fn list_comments(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    params: Result<Query<CommentParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(params) = params.map_err(|_| ApiError::Invalid("query", "is not a valid query string"))?;
    let limit = match whole_number(params.limit.as_deref(), "limit")? {
        None => COMMENTS_PAGE,
        Some(limit) if limit < 1 => return Err(ApiError::Invalid("limit", "must be at least 1")),
        Some(limit) => limit.min(COMMENTS_PAGE),
    };
    let after = whole_number(params.after.as_deref(), "after")?;
    let article = publishing::commentable(&state, &slug).await?;
    // One more than the page says whether another follows.
    let mut found = reading::comments(&state, &article.slug, after, limit + 1).await?;
    let more = found.len() as i64 > limit;
    found.truncate(limit as usize);
    let next = found.last().filter(|_| more).and_then(|last| {
        HeaderValue::try_from(format!(
            "</api/articles/{}/comments?limit={limit}&after={}>; rel=\"next\"",
            article.slug, last.id
        ))
        .ok()
    });
    let mut response = Json(CommentsEnvelope {
        comments: found.into_iter().map(CommentView::from).collect(),
    })
    .into_response();
    if let Some(next) = next {
        response.headers_mut().insert(header::LINK, next);
    }
    Ok(response)
}

/// `DELETE /api/articles/{slug}/comments/{id}`: 204; its writer, the
/// article's author or a moderator may.
pub(super) async fn delete_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    // An id that is not a number names no comment (-1 names none either),
    // but an unknown article is still the article's 404.
    let id: i64 = id.parse().unwrap_or(-1);
    publishing::delete_comment(&state, caller.account.id, &slug, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
