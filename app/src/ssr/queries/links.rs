//! Links sent by email that act on an account: password resets and
//! address verifications (see [`crate::ssr::recovery`]). Tokens arrive here
//! as their SHA-256; times come from the caller's clock.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// What a link is for: the `purpose` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Setting a new password.
    Reset,
    /// Showing an address is the account's.
    Verify,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Verify => "verify",
        }
    }
}

/// A live link: whose, and the address it was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub user_id: i64,
    pub email: String,
}

/// Stores account `user_id`'s link for `purpose`, sent to `email`, valid
/// from `now` until `expires_at`, replacing any earlier one: only the
/// newest link works.
/// Shards: one (account_links.user_id).
#[tracing::instrument(skip_all)]
pub async fn replace(
    db: impl PgExecutor<'_>,
    user_id: i64,
    purpose: Purpose,
    token_hash: &[u8],
    email: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO account_links (user_id, purpose, token_hash, email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, purpose) DO UPDATE
             SET token_hash = excluded.token_hash, email = excluded.email,
                 created_at = excluded.created_at, expires_at = excluded.expires_at",
        user_id,
        purpose.as_str(),
        token_hash,
        email,
        now,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The live link for `purpose` with `token_hash` at `now`, left in place
/// (for the page that asks to use it).
/// Shards: all — a link is found by its token alone; opening a reset or verification link, rare.
#[tracing::instrument(skip_all)]
pub async fn find(
    db: impl PgExecutor<'_>,
    purpose: Purpose,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Link>> {
    sqlx::query_as!(
        Link,
        "SELECT user_id, email FROM account_links WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
        token_hash,
        purpose.as_str(),
        now
    )
    .fetch_optional(db)
    .await
}

/// Uses up the live link for `purpose` with `token_hash` at `now`: it is
/// deleted, so it works once.
/// Shards: all — a link is found by its token alone; using a reset or verification link, rare.
#[tracing::instrument(skip_all)]
pub async fn take(
    db: impl PgExecutor<'_>,
    purpose: Purpose,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Link>> {
    sqlx::query_as!(
        Link,
        "DELETE FROM account_links WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3
         RETURNING user_id, email",
        token_hash,
        purpose.as_str(),
        now
    )
    .fetch_optional(db)
    .await
}

/// Deletes account `user_id`'s link for `purpose`, if any (a password
/// change ends the reset link).
/// Shards: one (account_links.user_id).
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64, purpose: Purpose) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM account_links WHERE user_id = $1 AND purpose = $2",
        user_id,
        purpose.as_str()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes every link that expired before `now`; how many.
/// Shards: all — the daily sweep finds expired links by their expiry, on every shard.
#[tracing::instrument(skip_all)]
pub async fn delete_expired(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let deleted = sqlx::query!("DELETE FROM account_links WHERE expires_at <= $1", now)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected())
}
