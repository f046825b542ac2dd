//! Accounts: registering, checking passwords, changing what an account
//! holds, and ending its sessions and API tokens.
//!
//! Passwords are hashed with argon2id on [`Passwords`]' own threads.
//!
//! Every account has a session generation. A browser session records the
//! generation it was started in, and a session whose generation is no
//! longer the account's is ended on its next request (the server's session
//! middleware checks). Changing the password or the email, or "sign out
//! everywhere", starts a new generation and deletes the account's API
//! tokens, so a stolen session or token stops working at once; the session
//! (or token) that made the change is kept.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::{
    domain::{Bio, Email, ImageUrl, Password, Username},
    ssr::{
        AppState,
        passwords::{PasswordError, Passwords},
        queries::QueryError,
        throttle::{self, TooMany},
    },
};

/// Why an account change did not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AccountError {
    /// Someone has this username or email already (`"username"`/`"email"`).
    #[error("{0} has already been taken")]
    Taken(&'static str),
    /// No password hasher came free in time.
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for AccountError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// Who signed in (or registered), for their new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub id: i64,
    pub username: String,
    /// The account's session generation, for the session to record.
    pub generation: i64,
}

/// Creates an account.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &PgPool,
    passwords: &Passwords,
    username: &Username,
    email: &Email,
    password: &Password,
) -> Result<SignedIn, AccountError> {
    let hash = passwords.hash(password).await?;
    let inserted = sqlx::query_as!(
        SignedIn,
        r#"INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)
           RETURNING id, username, session_generation AS generation"#,
        username.as_str(),
        email.as_str(),
        hash
    )
    .fetch_one(db)
    .await;
    inserted.map_err(taken_or_failed)
}

/// The account with `email` (any case) whose password is `password`;
/// `None` when there is no such account or the password is wrong (the two
/// are indistinguishable, in answer and in time).
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    db: &PgPool,
    passwords: &Passwords,
    email: &Email,
    password: &str,
) -> Result<Option<SignedIn>, AccountError> {
    let found = sqlx::query!(
        r#"SELECT id, username, session_generation, password_hash FROM users WHERE lower(email) = lower($1)"#,
        email.as_str()
    )
    .fetch_optional(db)
    .await?;
    let stored = found.as_ref().map(|row| row.password_hash.clone());
    let matches = passwords.verify(password, stored).await?;
    Ok(found.filter(|_| matches).map(|row| SignedIn {
        id: row.id,
        username: row.username,
        generation: row.session_generation,
    }))
}

/// What asking a signed-in user for their password came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    /// Not their password (or the account is gone).
    Wrong,
    /// The account's sign-in budget is spent: guessing the password here
    /// costs what guessing it at sign-in does.
    TooMany(TooMany),
}

/// Checks that `password` is account `id`'s, before a change that needs
/// it (email, password, signing out everywhere), counting the attempt
/// against the account's sign-in budget first.
#[tracing::instrument(skip_all)]
pub async fn confirm_password(state: &AppState, id: i64, password: &str) -> Result<Confirmation, AccountError> {
    let Some(row) = sqlx::query!("SELECT email, password_hash FROM users WHERE id = $1", id)
        .fetch_optional(&state.db)
        .await?
    else {
        return Ok(Confirmation::Wrong);
    };
    if let Err(too_many) = throttle::account(&state.redis, throttle::Attempt::SignIn, &row.email).await {
        return Ok(Confirmation::TooMany(too_many));
    }
    Ok(match state.passwords.verify(password, Some(row.password_hash)).await? {
        true => Confirmation::Confirmed,
        false => Confirmation::Wrong,
    })
}

/// An account as its owner sees it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub bio: String,
    pub image: Option<String>,
    pub generation: i64,
}

/// How long an API token lasts.
pub const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::days(30);

/// Issues a new API token for `user`: 32 random bytes, as hex. `None`
/// when the account has moved to another session generation since `user`
/// was read (its password changed, or it signed out everywhere, while this
/// sign-in was checking the old password): such a token would outlive the
/// change that should have ended it.
pub async fn issue_token(db: &PgPool, user: &SignedIn) -> Result<Option<String>, QueryError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore as _};
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let issued = sqlx::query!(
        "INSERT INTO api_tokens (token_hash, user_id, expires_at)
         SELECT $1, id, $3 FROM users WHERE id = $2 AND session_generation = $4",
        token_hash(&token),
        user.id,
        chrono::Utc::now() + TOKEN_LIFETIME,
        user.generation
    )
    .execute(db)
    .await?;
    Ok((issued.rows_affected() == 1).then_some(token))
}

/// The account an unexpired `token` belongs to, and when the token was
/// issued.
pub async fn by_token(db: &PgPool, token: &str) -> Result<Option<(Account, DateTime<Utc>)>, QueryError> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.username, u.email, u.bio, u.image, u.session_generation, t.created_at AS issued_at
           FROM api_tokens t JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = $1 AND t.expires_at > now()"#,
        token_hash(token)
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let account = Account {
            id: row.id,
            username: row.username,
            email: row.email,
            bio: row.bio,
            image: row.image,
            generation: row.session_generation,
        };
        (account, row.issued_at)
    }))
}

/// The account with `id`.
pub async fn by_id(db: &PgPool, id: i64) -> Result<Option<Account>, QueryError> {
    Ok(sqlx::query_as!(
        Account,
        r#"SELECT id, username, email, bio, image, session_generation AS generation FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?)
}

/// Account `id`'s session generation; `None` when it no longer exists.
pub async fn generation(db: &PgPool, id: i64) -> Result<Option<i64>, QueryError> {
    Ok(
        sqlx::query_scalar!("SELECT session_generation FROM users WHERE id = $1", id)
            .fetch_optional(db)
            .await?,
    )
}

/// What a settings change may touch; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes {
    pub username: Option<Username>,
    pub email: Option<Email>,
    pub password: Option<Password>,
    pub bio: Option<Bio>,
    /// `Some(None)` clears the image.
    pub image: Option<Option<ImageUrl>>,
}

impl Changes {
    /// Whether these changes touch what signing in takes (the email or the
    /// password) of `account`: such a change needs the current password
    /// and ends the account's other sessions.
    pub fn touch_credentials(&self, account: &Account) -> bool {
        self.password.is_some()
            || self
                .email
                .as_ref()
                .is_some_and(|email| email.as_str().to_lowercase() != account.email.to_lowercase())
    }
}

/// Applies `changes` to `account`. When they touch its credentials, a new
/// session generation starts and every API token but `keep_token` is
/// deleted, in the same transaction.
pub async fn update(
    db: &PgPool,
    passwords: &Passwords,
    account: &Account,
    changes: Changes,
    keep_token: Option<&str>,
) -> Result<Option<Account>, AccountError> {
    let credentials = changes.touch_credentials(account);
    let password_hash = match &changes.password {
        Some(password) => Some(passwords.hash(password).await?),
        None => None,
    };
    let (set_image, image) = match changes.image {
        Some(image) => (true, image.map(ImageUrl::into_string)),
        None => (false, None),
    };
    let mut tx = db.begin().await?;
    let updated = sqlx::query_as!(
        Account,
        r#"UPDATE users SET
             username = coalesce($2, username),
             email = coalesce($3, email),
             password_hash = coalesce($4, password_hash),
             bio = coalesce($5, bio),
             image = CASE WHEN $6 THEN $7 ELSE image END,
             session_generation = session_generation + CASE WHEN $8 THEN 1 ELSE 0 END,
             updated_at = now()
         WHERE id = $1
         RETURNING id, username, email, bio, image, session_generation AS generation"#,
        account.id,
        changes.username.as_ref().map(Username::as_str),
        changes.email.as_ref().map(Email::as_str),
        password_hash,
        changes.bio.as_ref().map(Bio::as_str),
        set_image,
        image,
        credentials
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(taken_or_failed)?;
    if credentials && updated.is_some() {
        delete_tokens(&mut tx, account.id, keep_token).await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// Starts a new session generation for account `id` and deletes its API
/// tokens but `keep_token`: every session and token but the caller's ends.
/// Returns the new generation (`None` when the account is gone).
pub async fn sign_out_everywhere(db: &PgPool, id: i64, keep_token: Option<&str>) -> Result<Option<i64>, QueryError> {
    let mut tx = db.begin().await?;
    let generation = sqlx::query_scalar!(
        "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1 RETURNING session_generation",
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    delete_tokens(&mut tx, id, keep_token).await?;
    tx.commit().await?;
    Ok(generation)
}

async fn delete_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: i64,
    keep_token: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM api_tokens WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
        user_id,
        keep_token.map(token_hash)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// A unique violation on a username or email is the user's to fix (by the
/// constraint's name, not the message's text); anything else is ours.
fn taken_or_failed(error: sqlx::Error) -> AccountError {
    if let sqlx::Error::Database(database) = &error
        && database.is_unique_violation()
    {
        match database.constraint() {
            Some("users_username_key") => return AccountError::Taken("username"),
            Some("users_email_key") => return AccountError::Taken("email"),
            _ => {}
        }
    }
    QueryError::from(error).into()
}
