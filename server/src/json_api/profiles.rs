//! Profiles, following, and the feed of followed authors' articles.

use app::ssr::{
    AppState,
    queries::{QueryError, follows, users},
};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};

use super::{
    error::ApiError,
    params::{ListParams, shallow},
    shapes::{ArticleListItem, ArticlesEnvelope, ProfileBody, ProfileEnvelope},
    users::Caller,
};

/// The user called `username`, with their id; 404 when there is none.
async fn find(state: &AppState, username: &str) -> Result<(i64, app::model::Profile), ApiError> {
    users::profile(&state.db, username)
        .await
        .map_err(QueryError::from)?
        .ok_or(ApiError::NotFound("profile"))
}

/// `GET /api/profiles/{username}`: `following` says whether the caller (if
/// any) follows them.
pub(super) async fn profile(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ApiError> {
    let (id, profile) = find(&state, &username).await?;
    let following = match caller {
        Some(caller) => follows::is_following(&state.db, caller.account.id, id)
            .await
            .map_err(QueryError::from)?,
        None => false,
    };
    Ok(Json(ProfileEnvelope {
        profile: ProfileBody::new(profile.username, profile.bio, profile.image).followed(following),
    }))
}

/// `POST /api/profiles/{username}/follow`.
pub(super) async fn follow(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ApiError> {
    let (id, profile) = find(&state, &username).await?;
    app::ssr::throttle::writing(
        &state.session_redis,
        app::ssr::throttle::Attempt::Follow,
        caller.account.id,
    )
    .await
    .map_err(ApiError::TooMany)?;
    match follows::follow(&state.db, caller.account.id, id)
        .await
        .map_err(QueryError::from)?
    {
        follows::Followed::Yes => {}
        follows::Followed::Oneself => return Err(ApiError::Invalid("profile", "cannot follow yourself")),
        follows::Followed::Blocked => return Err(ApiError::Blocked("profile")),
    }
    Ok(Json(ProfileEnvelope {
        profile: ProfileBody::new(profile.username, profile.bio, profile.image).followed(true),
    }))
}

/// `DELETE /api/profiles/{username}/follow`.
pub(super) async fn unfollow(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ApiError> {
    let (id, profile) = find(&state, &username).await?;
    follows::unfollow(&state.db, caller.account.id, id)
        .await
        .map_err(QueryError::from)?;
    Ok(Json(ProfileEnvelope {
        profile: ProfileBody::new(profile.username, profile.bio, profile.image).followed(false),
    }))
}

/// `GET /api/articles/feed?limit=&offset=`: articles by the authors the
/// caller follows, newest first.
pub(super) async fn feed(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ArticlesEnvelope>, ApiError> {
    let Query(params) = params.map_err(|_| ApiError::Invalid("query", "is not valid"))?;
    let (offset, limit) = params.window()?;
    let offset = shallow(offset)?;
    let (articles, total) = follows::feed(&state.db, caller.account.id, limit, offset)
        .await
        .map_err(QueryError::from)?;
    Ok(Json(ArticlesEnvelope {
        articles: articles
            .into_iter()
            .map(|article| {
                let mut item = ArticleListItem::from(article);
                item.author.following = true;
                item
            })
            .collect(),
        articles_count: total,
    }))
}
