//! Accounts as their owners use them: credentials, session generations and
//! API tokens (see [`crate::ssr::accounts`] for how they fit together).
//!
//! Passwords arrive here hashed and tokens as their SHA-256: neither is
//! ever stored, or seen by this module, in the clear.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Who signed in (or registered), for their new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub id: i64,
    pub username: String,
    /// The account's session generation, for the session to record.
    pub generation: i64,
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
    /// The language emails to them are in (`en` or `id`).
    pub locale: String,
    /// Whether `email` has been shown to be theirs (a link sent to it was
    /// opened).
    pub email_verified: bool,
    /// A new address waiting to be verified before it replaces `email`.
    pub pending_email: Option<String>,
}

/// What an update sets; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountUpdate<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub bio: Option<&'a str>,
    /// `Some(None)` clears the image.
    pub image: Option<Option<&'a str>>,
    /// Starts a new session generation.
    pub new_generation: bool,
    /// The language of their emails (`en` or `id`).
    pub locale: Option<&'a str>,
    /// Whether the (new) address counts as verified.
    pub email_verified: Option<bool>,
    /// `Some(None)` drops a pending address; `Some(Some(_))` sets one.
    pub pending_email: Option<Option<&'a str>>,
}

/// Inserts an account reading Warta in `locale` (`en` or `id`). A taken
/// username or email is a unique violation on `users_username_key` or
/// `users_email_key`.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    username: &str,
    email: &str,
    password_hash: &str,
    locale: &str,
) -> sqlx::Result<SignedIn> {
    sqlx::query_as!(
        SignedIn,
        r#"INSERT INTO users (username, email, password_hash, locale) VALUES ($1, $2, $3, $4)
           RETURNING id, username, session_generation AS generation"#,
        username,
        email,
        password_hash,
        locale
    )
    .fetch_one(db)
    .await
}

/// The account with `email` (any case) as a sign-in finds it.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: SignedIn,
    pub password_hash: String,
    /// Suspended accounts cannot sign in.
    pub suspended: bool,
}

/// The account with `email` (any case), its password hash and whether it
/// is suspended.
/// Shards: one (user_emails.email, users.id).
#[tracing::instrument(skip_all)]
pub async fn by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<Credentials>> {
    let row = sqlx::query!(
        r#"SELECT id, username, session_generation, password_hash, suspended_at IS NOT NULL AS "suspended!"
           FROM users WHERE id = user_id_by_email($1)"#,
        email
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Credentials {
        user: SignedIn {
            id: row.id,
            username: row.username,
            generation: row.session_generation,
        },
        password_hash: row.password_hash,
        suspended: row.suspended,
    }))
}

/// Account `id`'s password hash.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn stored_password(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id)
        .fetch_optional(db)
        .await
}

/// Stores the token with `token_hash` for account `user_id` until
/// `expires_at`, if the account is still in session `generation`; `false`
/// when it is not (or is gone).
/// Shards: one (api_tokens.token_hash, users.id).
#[tracing::instrument(skip_all)]
pub async fn insert_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    user_id: i64,
    expires_at: DateTime<Utc>,
    generation: i64,
) -> sqlx::Result<bool> {
    let issued = sqlx::query!(
        "INSERT INTO api_tokens (token_hash, user_id, expires_at)
         SELECT $1, id, $3 FROM users WHERE id = $2 AND session_generation = $4",
        token_hash,
        user_id,
        expires_at,
        generation
    )
    .execute(db)
    .await?;
    Ok(issued.rows_affected() == 1)
}

/// The account whose unexpired token has `token_hash`, when the token was
/// issued, and whether the account is suspended (its tokens are refused
/// until it is restored, which deletes them).
/// Shards: one (api_tokens.token_hash, users.id).
#[tracing::instrument(skip_all)]
pub async fn by_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<(Account, DateTime<Utc>, bool)>> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.username, u.email, u.bio, u.image, u.session_generation, u.locale,
                  u.email_verified, u.pending_email, t.created_at AS issued_at,
                  u.suspended_at IS NOT NULL AS "suspended!"
           FROM api_tokens t JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = $1 AND t.expires_at > now()"#,
        token_hash
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
            locale: row.locale,
            email_verified: row.email_verified,
            pending_email: row.pending_email,
        };
        (account, row.issued_at, row.suspended)
    }))
}

/// The account with `id`.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"SELECT id, username, email, bio, image, session_generation AS generation, locale, email_verified, pending_email
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Account `id`'s session generation; `None` when it is gone or suspended
/// (either ends its sessions).
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn generation(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT session_generation FROM users WHERE id = $1 AND suspended_at IS NULL",
        id
    )
    .fetch_optional(db)
    .await
}

/// Applies `update` to account `id`; the account afterwards, `None` when
/// it is gone. A taken username or email is a unique violation, as in
/// [`insert`].
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn update(db: impl PgExecutor<'_>, id: i64, update: AccountUpdate<'_>) -> sqlx::Result<Option<Account>> {
    let (set_image, image) = match update.image {
        Some(image) => (true, image),
        None => (false, None),
    };
    let (set_pending, pending) = match update.pending_email {
        Some(pending) => (true, pending),
        None => (false, None),
    };
    sqlx::query_as!(
        Account,
        r#"UPDATE users SET
             username = coalesce($2, username),
             email = coalesce($3, email),
             password_hash = coalesce($4, password_hash),
             bio = coalesce($5, bio),
             image = CASE WHEN $6 THEN $7 ELSE image END,
             session_generation = session_generation + CASE WHEN $8 THEN 1 ELSE 0 END,
             locale = coalesce($9, locale),
             email_verified = coalesce($10, email_verified),
             pending_email = CASE WHEN $11 THEN $12 ELSE pending_email END,
             updated_at = now()
         WHERE id = $1
         RETURNING id, username, email, bio, image, session_generation AS generation, locale,
                   email_verified, pending_email"#,
        id,
        update.username,
        update.email,
        update.password_hash,
        update.bio,
        set_image,
        image,
        update.new_generation,
        update.locale,
        update.email_verified,
        set_pending,
        pending
    )
    .fetch_optional(db)
    .await
}

/// Starts a new session generation for account `id`; the new generation,
/// `None` when the account is gone.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn next_generation(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1 RETURNING session_generation",
        id
    )
    .fetch_optional(db)
    .await
}

/// Deletes account `user_id`'s API tokens but the one with `keep_hash`.
/// Shards: all — tokens are keyed by hash, so an account's are on every shard; password changes, signing out everywhere.
#[tracing::instrument(skip_all)]
pub async fn delete_tokens(db: impl PgExecutor<'_>, user_id: i64, keep_hash: Option<&[u8]>) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM api_tokens WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
        user_id,
        keep_hash
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Where a link about account `email` (any case) goes: the account's id,
/// its address as stored, whether that is verified, and its language.
#[derive(Debug, Clone)]
pub struct LinkRecipient {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub locale: String,
}

/// The account with `email` (any case), as a link is sent to it.
/// Shards: one (user_emails.email, users.id).
#[tracing::instrument(skip_all)]
pub async fn link_recipient(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<LinkRecipient>> {
    sqlx::query_as!(
        LinkRecipient,
        "SELECT id, username, email, email_verified, locale FROM users
         WHERE id = user_id_by_email($1)",
        email
    )
    .fetch_optional(db)
    .await
}

/// The account `id`, as a link or a notice is sent to it.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn link_recipient_by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<LinkRecipient>> {
    sqlx::query_as!(
        LinkRecipient,
        "SELECT id, username, email, email_verified, locale FROM users WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

/// Whether an address other than account `id`'s own is taken (any case):
/// an email change is refused before its verification link is sent.
/// Shards: one (user_emails.email).
#[tracing::instrument(skip_all)]
pub async fn email_taken(db: impl PgExecutor<'_>, email: &str, id: i64) -> sqlx::Result<bool> {
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM user_emails WHERE email = lower($1) AND user_id <> $2) AS "taken!""#,
        email,
        id
    )
    .fetch_one(db)
    .await?;
    Ok(taken)
}

/// What verifying an address changed.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The account's address now.
    pub email: String,
    /// The address it replaced, when the verified one was a pending change,
    /// and whether that one had been verified.
    pub replaced: Option<(String, bool)>,
}

/// Marks `email` verified on account `id`: its address (when it is that
/// address), or its pending address, which then replaces the old one.
/// `None` when the account has neither any more (changed since the link
/// was sent). Taking a pending address someone else registered meanwhile
/// is a unique violation on `users_email_key`.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn verify_email(db: impl PgExecutor<'_>, id: i64, email: &str) -> sqlx::Result<Option<Verified>> {
    let row = sqlx::query!(
        r#"UPDATE users u SET
             email = CASE WHEN lower(u.email) = lower($2) THEN u.email ELSE u.pending_email END,
             pending_email = CASE WHEN lower(u.email) = lower($2) THEN u.pending_email ELSE NULL END,
             email_verified = true,
             updated_at = now()
           FROM (SELECT email, email_verified FROM users WHERE id = $1) old
           WHERE u.id = $1 AND (lower(u.email) = lower($2) OR lower(u.pending_email) = lower($2))
           RETURNING u.email, old.email AS "old_email!", old.email_verified AS "old_verified!""#,
        id,
        email
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Verified {
        replaced: (row.old_email.to_lowercase() != row.email.to_lowercase())
            .then_some((row.old_email, row.old_verified)),
        email: row.email,
    }))
}

/// Sets account `id`'s password hash from a reset link sent to `email`:
/// starts a new session generation (every session ends) and, since the
/// link reached `email`, marks that address verified. `None` when the
/// account is gone or `email` is no longer its address (a link sent to an
/// address the account has left does not open it).
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    db: impl PgExecutor<'_>,
    id: i64,
    password_hash: &str,
    email: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "UPDATE users SET
             password_hash = $2,
             session_generation = session_generation + 1,
             email_verified = true,
             updated_at = now()
         WHERE id = $1 AND lower(email) = lower($3)
         RETURNING username",
        id,
        password_hash,
        email
    )
    .fetch_optional(db)
    .await
}

/// Deletes up to `batch` API tokens that expired before `now`; how many.
/// Shards: all — the daily sweep finds expired tokens by their expiry, on every shard.
#[tracing::instrument(skip_all)]
pub async fn delete_expired_tokens(db: impl PgExecutor<'_>, now: DateTime<Utc>, batch: i64) -> sqlx::Result<u64> {
    let deleted = sqlx::query!(
        "DELETE FROM api_tokens WHERE token_hash IN (
             SELECT token_hash FROM api_tokens WHERE expires_at <= $1 LIMIT $2
         )",
        now,
        batch
    )
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}
