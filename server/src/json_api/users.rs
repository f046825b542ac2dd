//! `POST /api/users`, `POST /api/users/login`, `GET` and `PUT /api/user`:
//! accounts through the JSON API, authenticated by `Authorization: Token`.
//!
//! Tokens are opaque, stored hashed in Postgres (`api_tokens`), valid for
//! 30 days and revocable by deleting their row; changing the email or the
//! password deletes every token of the account but the caller's.
//!
//! Changing the email or the password takes the current password
//! (`currentPassword`), as the settings form does, unless the token making
//! the change was issued by a sign-in or registration in the last
//! [`RECENT_SIGN_IN`]: proof enough that the caller knows the password, and
//! what the RealWorld API's own clients rely on (they send no current
//! password). A token stolen later cannot take the account over.
//!
//! With `WARTA_API_STRICT=true` the API holds accounts to the forms' rules
//! instead: a password too easy to guess is refused (422), every email or
//! password change needs `currentPassword`, and a new email takes effect
//! once the link sent to it is opened. Off, a new email takes effect at
//! once, unverified: Warta sends it nothing but its verification link
//! until it is verified, and tells the old address.

use app::{
    domain::{Bio, Email, ImageUrl, Password, Username},
    i18n::Locale,
    ssr::{
        AppState,
        accounts::{self, Account, Changes, Confirmation, NewEmail, SignInAttempt},
        client::ClientAddress,
        passwords, reading, throttle,
    },
};
use axum::{
    Extension, Json,
    extract::{FromRequestParts, State, rejection::JsonRejection},
    http::{StatusCode, header, request::Parts},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{
    error::ApiError,
    params::{object, text},
};

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

/// How recently a token must have been issued by a sign-in to change the
/// email or password without sending the current password.
pub(super) const RECENT_SIGN_IN: chrono::Duration = chrono::Duration::minutes(10);

/// The signed-in caller of an API request, from `Authorization: Token …`.
pub(super) struct Caller {
    pub(super) account: Account,
    pub(super) token: String,
    /// When the token was issued (by a sign-in or registration).
    pub(super) issued_at: DateTime<Utc>,
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
        // Longer than any token we issue, or holding what no token holds:
        // not worth a lookup.
        if token.len() > 128 || !token.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
            return Err(ApiError::Unauthorized("token", "is invalid"));
        }
        let (account, issued_at, suspended) = accounts::by_token(&state.db, &token)
            .await?
            .ok_or(ApiError::Unauthorized("token", "is invalid"))?;
        if suspended {
            return Err(ApiError::Suspended);
        }
        Ok(Self {
            account,
            token,
            issued_at,
        })
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

/// `POST /api/users`: 201 with the new user and a token.
pub(super) async fn register(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddress>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let user = object(body, "user")?;
    let username = Username::parse(&text(&user, "username")?.unwrap_or_default())?;
    let email = Email::parse(&text(&user, "email")?.unwrap_or_default())?;
    let password = Password::parse(&text(&user, "password")?.unwrap_or_default())?;
    if state.api_strict {
        passwords::strong_enough("password", &password, &[username.as_str(), email.as_str()])?;
    }
    let client = client.map(|Extension(client)| client);
    throttle::registration(
        &state.session_redis,
        email.as_str(),
        client,
        state.registrations_per_address,
    )
    .await?;
    // The API has no page to take a language from: English, until the
    // reader changes it in their settings.
    let user = accounts::register(&state.db, &state.passwords, &username, &email, &password, Locale::En).await?;
    throttle::signed_in(&state.session_redis, user.id, client).await;
    let account = accounts::by_id(&state.db, user.id)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    let token = accounts::issue_token(&state.db, &user)
        .await?
        .ok_or(ApiError::Unauthorized("credentials", "invalid"))?;
    Ok((StatusCode::CREATED, Json(UserEnvelope::new(account, token))))
}

/// `POST /api/users/login`: the user and a new token; 401 for a wrong
/// email or password. Each attempt counts against the account's budget
/// before the password is checked.
pub(super) async fn login(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddress>>,
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
    let user = match accounts::sign_in(&state, &email, &password, client.map(|Extension(client)| client)).await? {
        SignInAttempt::SignedIn(user) => user,
        SignInAttempt::NoMatch => return Err(ApiError::Unauthorized("credentials", "invalid")),
        SignInAttempt::Refused(refused) => return Err(refused.into()),
        SignInAttempt::Suspended => return Err(ApiError::Suspended),
    };
    let account = accounts::by_id(&state.db, user.id)
        .await?
        .ok_or(ApiError::Unauthorized("credentials", "invalid"))?;
    let token = accounts::issue_token(&state.db, &user)
        .await?
        .ok_or(ApiError::Unauthorized("credentials", "invalid"))?;
    Ok(Json(UserEnvelope::new(account, token)))
}

/// `GET /api/user`: the caller.
pub(super) async fn current(caller: Caller) -> Json<UserEnvelope> {
    Json(UserEnvelope::new(caller.account, caller.token))
}

/// `PUT /api/user`: changes any of username, email, password, bio, image
/// (`""` or `null` clears bio and image; username, email and password cannot
/// be cleared). Changing the email or password needs `currentPassword` or a
/// recent sign-in (see the module documentation), and ends every other
/// session and token of the account.
pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    client: Option<Extension<ClientAddress>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<UserEnvelope>, ApiError> {
    let client = client.map(|Extension(client)| client);
    let user = object(body, "user")?;
    let changes = Changes {
        username: text(&user, "username")?.map(|raw| Username::parse(&raw)).transpose()?,
        email: text(&user, "email")?.map(|raw| Email::parse(&raw)).transpose()?,
        password: text(&user, "password")?.map(|raw| Password::parse(&raw)).transpose()?,
        bio: match user.get("bio") {
            None => None,
            Some(Value::Null) => Some(Bio::parse("")?),
            Some(Value::String(bio)) => Some(Bio::parse(bio)?),
            Some(_) => return Err(ApiError::Invalid("bio", "must be text")),
        },
        image: match user.get("image") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(image)) => Some(ImageUrl::parse(image)?),
            Some(_) => return Err(ApiError::Invalid("image", "must be text")),
        },
        // Not part of the RealWorld API: the settings page changes it.
        locale: None,
        // RealWorld clients read the new address back at once; held to the
        // forms' rules, it waits for its verification link instead.
        new_email: if state.api_strict {
            NewEmail::OnceVerified
        } else {
            NewEmail::AtOnce
        },
    };
    if state.api_strict
        && let Some(password) = &changes.password
    {
        passwords::strong_enough("password", password, &[&caller.account.username, &caller.account.email])?;
    }
    if changes.touch_credentials(&caller.account) {
        let current = match user.get("currentPassword") {
            None | Some(Value::Null) => None,
            Some(Value::String(current)) => Some(current.as_str()),
            Some(_) => return Err(ApiError::Invalid("currentPassword", "must be text")),
        };
        match current {
            Some(current) => match accounts::confirm_password(&state, caller.account.id, current, client).await? {
                Confirmation::Confirmed => {}
                Confirmation::Wrong => return Err(ApiError::Invalid("currentPassword", "is not right")),
                Confirmation::Refused(refused) => return Err(refused.into()),
            },
            None if !state.api_strict && Utc::now() - caller.issued_at <= RECENT_SIGN_IN => {}
            None => {
                return Err(ApiError::Invalid(
                    "currentPassword",
                    "is needed to change the email or password (or sign in again)",
                ));
            }
        }
    }
    if changes.changes_email(&caller.account) {
        // Each new address is sent a link: within the account's budget.
        let id = caller.account.id;
        throttle::link(
            &state.session_redis,
            throttle::Attempt::Verify,
            &format!("id:{id}"),
            client,
        )
        .await?;
    }
    let account = accounts::update(
        &state.db,
        &state.passwords,
        &caller.account,
        changes,
        Some(&caller.token),
    )
    .await?
    .ok_or(ApiError::Unauthorized("token", "is invalid"))?;
    // The author page shows the profile, under the old name and the new.
    reading::forget_authors(&state.cache, &[&caller.account.username, &account.username]).await;
    Ok(Json(UserEnvelope::new(account, caller.token)))
}
