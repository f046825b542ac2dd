//! The JSON API, in the shapes of the RealWorld (Conduit) specification.
//!
//! Handlers call the same query layer as the pages' server functions
//! (`app::ssr::queries`); only the shapes differ.

mod error;

use app::ssr::{
    AppState,
    queries::{articles, users},
};
use axum::{
    Json, Router,
    extract::{Path, State},
    routing::{any, get},
};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use error::ApiError;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/articles/{slug}", get(article))
        .route("/api/profiles/{username}", get(profile))
        .route("/api/{*rest}", any(|| async { ApiError::NotFound("path") }))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleBody {
    slug: String,
    title: String,
    description: String,
    body: String,
    tag_list: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    favorited: bool,
    favorites_count: u64,
    author: ProfileBody,
}

#[derive(Debug, Serialize)]
struct ProfileBody {
    username: String,
    bio: Option<String>,
    image: Option<String>,
    following: bool,
}

#[derive(Debug, Serialize)]
struct ArticleEnvelope {
    article: ArticleBody,
}

#[derive(Debug, Serialize)]
struct ProfileEnvelope {
    profile: ProfileBody,
}

/// `GET /api/articles/{slug}`: one published article, with its Markdown body.
async fn article(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<ArticleEnvelope>, ApiError> {
    let record = articles::published_by_slug(&state.db, &slug)
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    Ok(Json(ArticleEnvelope {
        article: ArticleBody {
            slug: record.slug,
            title: record.title,
            description: record.description,
            body: record.body,
            tag_list: Vec::new(),
            created_at: record.created_at,
            updated_at: record.updated_at,
            favorited: false,
            favorites_count: 0,
            author: ProfileBody {
                username: record.author,
                bio: Some(record.author_bio).filter(|bio| !bio.is_empty()),
                image: record.author_image,
                following: false,
            },
        },
    }))
}

/// `GET /api/profiles/{username}`.
async fn profile(
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ApiError> {
    let (_, profile) = users::profile(&state.db, &username)
        .await?
        .ok_or(ApiError::NotFound("profile"))?;
    Ok(Json(ProfileEnvelope {
        profile: ProfileBody {
            username: profile.username,
            bio: Some(profile.bio).filter(|bio| !bio.is_empty()),
            image: profile.image,
            following: false,
        },
    }))
}
