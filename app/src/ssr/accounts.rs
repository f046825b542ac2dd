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

pub use crate::ssr::queries::accounts::{Account, SignedIn};
use crate::{
    domain::{Bio, Email, ImageUrl, Password, Username},
    i18n::Locale,
    ssr::{
        AppState,
        passwords::{PasswordError, Passwords},
        queries::{self, QueryError, accounts::AccountUpdate},
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

/// Creates an account.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &PgPool,
    passwords: &Passwords,
    username: &Username,
    email: &Email,
    password: &Password,
    locale: Locale,
) -> Result<SignedIn, AccountError> {
    let hash = passwords.hash(password).await?;
    let inserted = queries::accounts::insert(db, username.as_str(), email.as_str(), &hash, locale.code()).await;
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
    let found = queries::accounts::by_email(db, email.as_str()).await?;
    let stored = found.as_ref().map(|(_, hash)| hash.clone());
    let matches = passwords.verify(password, stored).await?;
    Ok(found.filter(|_| matches).map(|(user, _)| user))
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
    let Some(row) = queries::accounts::stored_password(&state.db, id).await? else {
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
    let issued = queries::accounts::insert_token(
        db,
        &token_hash(&token),
        user.id,
        chrono::Utc::now() + TOKEN_LIFETIME,
        user.generation,
    )
    .await?;
    Ok(issued.then_some(token))
}

/// The account an unexpired `token` belongs to, and when the token was
/// issued.
pub async fn by_token(db: &PgPool, token: &str) -> Result<Option<(Account, DateTime<Utc>)>, QueryError> {
    Ok(queries::accounts::by_token(db, &token_hash(token)).await?)
}

/// The account with `id`.
pub async fn by_id(db: &PgPool, id: i64) -> Result<Option<Account>, QueryError> {
    Ok(queries::accounts::by_id(db, id).await?)
}

/// Account `id`'s session generation; `None` when it no longer exists.
pub async fn generation(db: &PgPool, id: i64) -> Result<Option<i64>, QueryError> {
    Ok(queries::accounts::generation(db, id).await?)
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
    /// The language of their emails.
    pub locale: Option<Locale>,
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
    let update = AccountUpdate {
        username: changes.username.as_ref().map(Username::as_str),
        email: changes.email.as_ref().map(Email::as_str),
        password_hash: password_hash.as_deref(),
        bio: changes.bio.as_ref().map(Bio::as_str),
        image: changes.image.as_ref().map(|image| image.as_ref().map(ImageUrl::as_str)),
        new_generation: credentials,
        locale: changes.locale.map(Locale::code),
    };
    let mut tx = db.begin().await?;
    let updated = queries::accounts::update(&mut *tx, account.id, update)
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
    let generation = queries::accounts::next_generation(&mut *tx, id).await?;
    delete_tokens(&mut tx, id, keep_token).await?;
    tx.commit().await?;
    Ok(generation)
}

async fn delete_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: i64,
    keep_token: Option<&str>,
) -> Result<(), sqlx::Error> {
    queries::accounts::delete_tokens(&mut **tx, user_id, keep_token.map(token_hash).as_deref()).await
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
