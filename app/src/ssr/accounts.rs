//! Accounts: registering and checking passwords.
//!
//! Passwords are hashed with argon2id (the argon2 crate's defaults: 19 MiB,
//! two passes, OWASP's recommendation) on the blocking thread pool, so a
//! hash's tens of milliseconds never stall the async workers.

use std::sync::LazyLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _,
    password_hash::{SaltString, rand_core::OsRng},
};
use sqlx::PgPool;

use crate::{
    domain::{Email, Password, Username},
    ssr::queries::QueryError,
};

/// Why a registration did not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RegisterError {
    /// Someone has this username or email already (`"username"`/`"email"`).
    #[error("{0} has already been taken")]
    Taken(&'static str),
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// Creates an account and returns its id.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &PgPool,
    username: &Username,
    email: &Email,
    password: &Password,
) -> Result<i64, RegisterError> {
    let hash = hash(password.clone()).await?;
    let inserted = sqlx::query_scalar!(
        "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING id",
        username.as_str(),
        email.as_str(),
        hash
    )
    .fetch_one(db)
    .await;
    inserted.map_err(taken_or_failed)
}

/// The id and username of the account with `email` (any case) whose
/// password is `password`; `None` when there is no such account or the
/// password is wrong (the two are indistinguishable, in answer and in time).
#[tracing::instrument(skip_all)]
pub async fn authenticate(db: &PgPool, email: &str, password: &str) -> Result<Option<(i64, String)>, QueryError> {
    let found = sqlx::query!(
        "SELECT id, username, password_hash FROM users WHERE lower(email) = lower($1)",
        email.trim()
    )
    .fetch_optional(db)
    .await?;
    let (id, stored) = match found {
        Some(row) => (Some((row.id, row.username)), row.password_hash),
        // Verify against a real hash anyway, so an unknown email costs as
        // long as a wrong password.
        None => (None, DUMMY_HASH.clone()),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|error| QueryError::Encoding(format!("password check: {error}").into()))?;
    Ok(id.filter(|_| matches))
}

/// A hash of a password nobody has, for [`authenticate`]'s unknown emails.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no account has this password", &SaltString::generate(&mut OsRng))
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// An argon2id PHC string for `password`, with a fresh random salt.
pub async fn hash(password: Password) -> Result<String, QueryError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|hash| hash.to_string())
            .map_err(|error| QueryError::Encoding(format!("hashing: {error}").into()))
    })
    .await
    .map_err(|error| QueryError::Encoding(format!("hashing: {error}").into()))?
}

/// An account as its owner sees it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub bio: String,
    pub image: Option<String>,
}

/// How long an API token lasts.
pub const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::days(30);

/// Issues a new API token for `user_id`: 32 random bytes, URL-safe.
pub async fn issue_token(db: &PgPool, user_id: i64) -> Result<String, QueryError> {
    use argon2::password_hash::rand_core::RngCore as _;
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    sqlx::query!(
        "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        token_hash(&token),
        user_id,
        chrono::Utc::now() + TOKEN_LIFETIME
    )
    .execute(db)
    .await?;
    Ok(token)
}

/// The account an unexpired `token` belongs to.
pub async fn by_token(db: &PgPool, token: &str) -> Result<Option<Account>, QueryError> {
    Ok(sqlx::query_as!(
        Account,
        "SELECT u.id, u.username, u.email, u.bio, u.image
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.expires_at > now()",
        token_hash(token)
    )
    .fetch_optional(db)
    .await?)
}

/// The account with `id`.
pub async fn by_id(db: &PgPool, id: i64) -> Result<Option<Account>, QueryError> {
    Ok(sqlx::query_as!(
        Account,
        "SELECT id, username, email, bio, image FROM users WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await?)
}

/// What a settings change may touch; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes {
    pub username: Option<Username>,
    pub email: Option<Email>,
    pub password: Option<Password>,
    /// `Some("")` clears the bio.
    pub bio: Option<String>,
    /// `Some(None)` clears the image.
    pub image: Option<Option<String>>,
}

/// Applies `changes` to account `id`.
pub async fn update(db: &PgPool, id: i64, changes: Changes) -> Result<Option<Account>, RegisterError> {
    let password_hash = match changes.password {
        Some(password) => Some(hash(password).await?),
        None => None,
    };
    let (set_image, image) = match changes.image {
        Some(image) => (true, image),
        None => (false, None),
    };
    let updated = sqlx::query_as!(
        Account,
        "UPDATE users SET
             username = coalesce($2, username),
             email = coalesce($3, email),
             password_hash = coalesce($4, password_hash),
             bio = coalesce($5, bio),
             image = CASE WHEN $6 THEN $7 ELSE image END,
             updated_at = now()
         WHERE id = $1
         RETURNING id, username, email, bio, image",
        id,
        changes.username.as_ref().map(Username::as_str),
        changes.email.as_ref().map(Email::as_str),
        password_hash,
        changes.bio,
        set_image,
        image
    )
    .fetch_optional(db)
    .await;
    updated.map_err(taken_or_failed)
}

fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// A unique violation on a username or email is the user's to fix (by the
/// constraint's name, not the message's text); anything else is ours.
fn taken_or_failed(error: sqlx::Error) -> RegisterError {
    if let sqlx::Error::Database(database) = &error
        && database.is_unique_violation()
    {
        match database.constraint() {
            Some("users_username_key") => return RegisterError::Taken("username"),
            Some("users_email_key") => return RegisterError::Taken("email"),
            _ => {}
        }
    }
    QueryError::from(error).into()
}
