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
    match inserted {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => match error.constraint() {
            Some("users_username_key") => Err(RegisterError::Taken("username")),
            Some("users_email_key") => Err(RegisterError::Taken("email")),
            _ => Err(QueryError::from(sqlx::Error::Database(error)).into()),
        },
        Err(error) => Err(QueryError::from(error).into()),
    }
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
