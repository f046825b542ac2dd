//! `POST /api/users`, `POST /api/users/login`, `GET` and `PUT /api/user`:
//! accounts through the JSON API, authenticated by `Authorization: Token`.
//!
//! Tokens are opaque, stored hashed in Postgres (`api_tokens`), valid for
//! 30 days and revocable by deleting their row.

use app::{
    domain::{Email, Password, Username},
    ssr::{
        AppState,
        accounts::{self, Account, Changes, RegisterError},
        reading,
    },
};
use axum::{
    Json,
    extract::{FromRequestParts, State, rejection::JsonRejection},
    http::{StatusCode, header, request::Parts},
    response::IntoResponse,
};
use serde::Serialize;
use serde_json::Value;

use super::{ApiError, object, text};

#[derive(Debug, Serialize)]
struct UserBody {
    username: String,
    email: String,
    bio: Option<String>,
    image: Option<String>,
    token: String,
}

#[derive(Debug, Serialize)]
pub(super) struct UserEnvelope {
    user: UserBody,
}

impl UserEnvelope {
    fn new(account: Account, token: String) -> Self {
        Self {
            user: UserBody {
                username: account.username,
                email: account.email,
                bio: Some(account.bio).filter(|bio| !bio.is_empty()),
                image: account.image.filter(|image| !image.is_empty()),
                token,
            },
        }
    }
}

/// The signed-in caller of an API request, from `Authorization: Token …`.
pub(super) struct Caller {
    pub(super) account: Account,
    pub(super) token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Token ").or_else(|| value.strip_prefix("Bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthorized("token", "is missing"))?
            .to_owned();
        let account = accounts::by_token(&state.db, &token)
            .await?
            .ok_or(ApiError::Unauthorized("token", "is invalid"))?;
        Ok(Self { account, token })
    }
}

/// Credentials are optional on public reads, but when sent they must be
/// good: a bad token is a 401, not a silent anonymous read.
impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            <Self as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
}

fn taken(error: RegisterError) -> ApiError {
    match error {
        RegisterError::Taken(field) => ApiError::Conflict(field),
        RegisterError::Query(query) => query.into(),
    }
}

/// `POST /api/users`: 201 with the new user and a token.
pub(super) async fn register(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let user = object(body, "user")?;
    let username = Username::parse(&text(&user, "username")?.unwrap_or_default()).map_err(ApiError::from)?;
    let email = Email::parse(&text(&user, "email")?.unwrap_or_default()).map_err(ApiError::from)?;
    let password = Password::parse(&text(&user, "password")?.unwrap_or_default()).map_err(ApiError::from)?;
    let id = accounts::register(&state.db, &username, &email, &password)
        .await
        .map_err(taken)?;
    let account = accounts::by_id(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    let token = accounts::issue_token(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(UserEnvelope::new(account, token))))
}

/// `POST /api/users/login`: the user and a new token; 401 for a wrong
/// email or password.
pub(super) async fn login(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<UserEnvelope>, ApiError> {
    let user = object(body, "user")?;
    let email = text(&user, "email")?.unwrap_or_default();
    let password = text(&user, "password")?.unwrap_or_default();
    if email.trim().is_empty() {
        return Err(ApiError::Invalid("email", "can't be blank"));
    }
    if password.is_empty() {
        return Err(ApiError::Invalid("password", "can't be blank"));
    }
    let (id, _) = accounts::authenticate(&state.db, &email, &password)
        .await?
        .ok_or(ApiError::Unauthorized("credentials", "invalid"))?;
    let account = accounts::by_id(&state.db, id)
        .await?
        .ok_or(ApiError::Unauthorized("credentials", "invalid"))?;
    let token = accounts::issue_token(&state.db, id).await?;
    Ok(Json(UserEnvelope::new(account, token)))
}

/// `GET /api/user`: the caller.
pub(super) async fn current(caller: Caller) -> Json<UserEnvelope> {
    Json(UserEnvelope::new(caller.account, caller.token))
}

/// `PUT /api/user`: changes any of username, email, password, bio, image
/// (`""` or `null` clears bio and image; username, email and password cannot
/// be cleared).
pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<UserEnvelope>, ApiError> {
    let user = object(body, "user")?;
    let changes = Changes {
        username: text(&user, "username")?
            .map(|raw| Username::parse(&raw))
            .transpose()
            .map_err(ApiError::from)?,
        email: text(&user, "email")?
            .map(|raw| Email::parse(&raw))
            .transpose()
            .map_err(ApiError::from)?,
        password: text(&user, "password")?
            .map(|raw| Password::parse(&raw))
            .transpose()
            .map_err(ApiError::from)?,
        bio: match user.get("bio") {
            None => None,
            Some(Value::Null) => Some(String::new()),
            Some(Value::String(bio)) => Some(bio.clone()),
            Some(_) => return Err(ApiError::Invalid("bio", "must be text")),
        },
        image: match user.get("image") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(image)) => Some(Some(image.trim().to_owned()).filter(|image| !image.is_empty())),
            Some(_) => return Err(ApiError::Invalid("image", "must be text")),
        },
    };
    if let Some(Some(image)) = &changes.image
        && !(image.starts_with("https://") || image.starts_with("http://"))
    {
        return Err(ApiError::Invalid("image", "must be an http(s) URL"));
    }
    let account = accounts::update(&state.db, caller.account.id, changes)
        .await
        .map_err(taken)?
        .ok_or(ApiError::Unauthorized("token", "is invalid"))?;
    // The author page shows the profile, under the old name and the new.
    reading::forget_authors(&state.cache, &[&caller.account.username, &account.username]).await;
    Ok(Json(UserEnvelope::new(account, caller.token)))
}
