//! Getting back into an account, and showing an address is one's own:
//! password reset links and verification links, sent by email.
//!
//! A link carries a random token of 256 bits (URL-safe base64); only its
//! SHA-256 is stored (`account_links`). It works once (using it deletes
//! it), for [`LINK_LIFETIME`] from when it was made, and only while it is
//! the account's newest link of its kind: asking again replaces it, and a
//! password change deletes the reset link. Times come from the [`Clock`]
//! the code is given.
//!
//! The token is made by the worker as it sends the email ([`issue`]), not
//! by the request that asks for it: the job's payload names the account and
//! the address, never the token, so no table but `account_links` (and
//! there, only its hash) ever holds one.
//!
//! Asking for a reset link answers the same, in words and in time, whether
//! or not an account has the address: the job is queued either way and the
//! worker finds out. Budgets (per address asking and per account) keep it
//! from becoming a way to mail strangers.
//!
//! Until an account's address is verified, it is sent nothing but these
//! links: follower emails and notices wait (see
//! `queries::follows::notified_after`).

use chrono::Duration;
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};

use crate::{
    domain::{Email, Password},
    i18n::Locale,
    ssr::{
        AppState,
        client::ClientAddress,
        clock::Clock,
        jobs::{self, Task},
        queries::{
            self, QueryError,
            links::{self, Link, Purpose},
        },
        throttle::{self, Attempt, Refused},
    },
};

/// How long a link works.
pub const LINK_LIFETIME: Duration = Duration::minutes(30);

/// Email a link for `purpose`: for a reset, to the account that has
/// `email` (any case; nothing when none does); for a verification, to
/// `email` as the address (or pending address) of account `user_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendLink {
    pub purpose: Purpose,
    pub email: String,
    /// The account, for a verification; a reset is found by its email.
    pub user_id: Option<i64>,
    /// The language of the page it was asked from.
    pub locale: String,
}

impl Task for SendLink {
    const KIND: &'static str = "account_link";
}

/// Tell an account's owner that something that signs them in changed, so
/// a change they did not make does not go unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendNotice {
    pub user_id: i64,
    pub notice: Notice,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The password (told to the account's address).
    PasswordChanged,
    /// The address, from `old` to `new` (told to the old address, which
    /// can no longer be used to sign in, when it had been verified).
    EmailChanged {
        old: String,
        old_verified: bool,
        new: String,
    },
}

impl Task for SendNotice {
    const KIND: &'static str = "account_notice";
}

/// Queues a verification link for `email`, the address or pending address
/// of account `user_id`, in `locale`: inside the transaction that set it.
pub async fn queue_verification(
    tx: impl PgExecutor<'_>,
    user_id: i64,
    email: &str,
    locale: Locale,
) -> Result<(), sqlx::Error> {
    let task = SendLink {
        purpose: Purpose::Verify,
        email: email.to_owned(),
        user_id: Some(user_id),
        locale: locale.code().to_owned(),
    };
    jobs::enqueue(tx, &task).await.map(|_| ())
}

/// Queues `notice` for account `user_id`, inside the transaction that made
/// the change.
pub async fn queue_notice(tx: impl PgExecutor<'_>, user_id: i64, notice: Notice) -> Result<(), sqlx::Error> {
    jobs::enqueue(tx, &SendNotice { user_id, notice }).await.map(|_| ())
}

/// Why a request about a link was not done.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LinkError {
    /// Over a budget, or the budget cannot be counted just now.
    #[error("refused")]
    Refused(Refused),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for LinkError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// Asks for a reset link for `email` from `client`, in `locale`. Answers
/// the same whether or not an account has the address.
#[tracing::instrument(skip_all)]
pub async fn request_reset(
    state: &AppState,
    email: &Email,
    locale: Locale,
    client: Option<ClientAddress>,
) -> Result<(), LinkError> {
    throttle::link(&state.session_redis, Attempt::Reset, email.as_str(), client)
        .await
        .map_err(LinkError::Refused)?;
    let task = SendLink {
        purpose: Purpose::Reset,
        email: email.as_str().to_owned(),
        user_id: None,
        locale: locale.code().to_owned(),
    };
    jobs::enqueue(&state.db, &task).await?;
    Ok(())
}

/// Sends account `user_id` its verification link again (the "send again"
/// button), for its pending address if it has one, else its address;
/// `false` when there is nothing to verify.
#[tracing::instrument(skip_all)]
pub async fn resend_verification(
    state: &AppState,
    user_id: i64,
    locale: Locale,
    client: Option<ClientAddress>,
) -> Result<bool, LinkError> {
    let Some(account) = queries::accounts::by_id(&state.db, user_id).await? else {
        return Ok(false);
    };
    let address = match (&account.pending_email, account.email_verified) {
        (Some(pending), _) => pending.clone(),
        (None, false) => account.email.clone(),
        (None, true) => return Ok(false),
    };
    throttle::link(&state.session_redis, Attempt::Verify, &format!("id:{user_id}"), client)
        .await
        .map_err(LinkError::Refused)?;
    queue_verification(&state.db, user_id, &address, locale).await?;
    Ok(true)
}

/// Makes account `user_id` a new link for `purpose`, to be sent to
/// `email`: a fresh token, stored hashed, replacing the account's earlier
/// link of its kind, valid for [`LINK_LIFETIME`] from `clock`'s now.
/// Returns the token, for the email (and nowhere else).
pub async fn issue(
    db: &PgPool,
    clock: &Clock,
    user_id: i64,
    purpose: Purpose,
    email: &str,
) -> Result<String, QueryError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore as _};
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = clock.now();
    links::replace(
        db,
        user_id,
        purpose,
        &crate::ssr::tokens::stored_hash(&token),
        email,
        now,
        now + LINK_LIFETIME,
    )
    .await?;
    Ok(token)
}

/// The live link for `purpose` that `token` (from a URL) names, left in
/// place: for the page that offers to use it.
pub async fn find(state: &AppState, purpose: Purpose, token: &str) -> Result<Option<Link>, QueryError> {
    if !plausible(token) {
        return Ok(None);
    }
    Ok(links::find(
        &state.db,
        purpose,
        &crate::ssr::tokens::stored_hash(token),
        state.clock.now(),
    )
    .await?)
}

/// What using a reset link came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reset {
    /// The password is changed, every session and API token of the account
    /// ended; the account's username.
    Done(String),
    /// The link is unknown, used, replaced or expired.
    Invalid,
    /// The new password breaks a rule (too short, too easy to guess); the
    /// link still works.
    Refused(crate::domain::Invalid),
}

/// Why a password could not be set.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResetError {
    /// No password hasher came free in time.
    #[error(transparent)]
    Password(#[from] crate::ssr::passwords::PasswordError),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for ResetError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// Sets `password` (as typed) on the account a reset `token` names, using
/// the link up, once it passes the rules a new password must (not too easy
/// to guess, the link's address counting as the account's own words).
/// Every session and API token of the account ends; the owner is told by
/// email, and `client` counts as an address the account signs in from.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &str,
    client: Option<ClientAddress>,
) -> Result<Reset, ResetError> {
    // Looked up before hashing, so a made-up token costs no hash.
    let Some(link) = find(state, Purpose::Reset, token).await? else {
        return Ok(Reset::Invalid);
    };
    let password = match Password::parse(password).and_then(|password| {
        crate::ssr::passwords::strong_enough("password", &password, &[&link.email]).map(|()| password)
    }) {
        Ok(password) => password,
        Err(invalid) => return Ok(Reset::Refused(invalid)),
    };
    let hash = state.passwords.hash(&password).await?;
    let mut tx = state.db.begin().await?;
    // Taken for good inside the change: two uses at once, one wins.
    let Some(link) = links::take(
        &mut *tx,
        Purpose::Reset,
        &crate::ssr::tokens::stored_hash(token),
        state.clock.now(),
    )
    .await?
    else {
        return Ok(Reset::Invalid);
    };
    let Some(username) = queries::accounts::reset_password(&mut *tx, link.user_id, &hash, &link.email).await? else {
        return Ok(Reset::Invalid);
    };
    queries::accounts::delete_tokens(&mut *tx, link.user_id, None).await?;
    queue_notice(&mut *tx, link.user_id, Notice::PasswordChanged).await?;
    tx.commit().await?;
    // Who opened the link reached the account's mailbox: strangers' wrong
    // guesses must not keep them out where they sign in next.
    throttle::signed_in(&state.session_redis, link.user_id, client).await;
    Ok(Reset::Done(username))
}

/// What using a verification link came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The address is verified (and, for a pending change, now the
    /// account's); the account's id.
    Done(i64),
    /// The link is unknown, used, replaced or expired, or the address is no
    /// longer the account's.
    Invalid,
    /// The pending address was registered by someone else meanwhile.
    Taken,
}

/// Verifies the address a verification `token` names, using the link up.
/// A pending address replaces the old one, whose owner is told.
#[tracing::instrument(skip_all)]
pub async fn verify(state: &AppState, token: &str) -> Result<Verification, QueryError> {
    if !plausible(token) {
        return Ok(Verification::Invalid);
    }
    let mut tx = state.db.begin().await?;
    let Some(link) = links::take(
        &mut *tx,
        Purpose::Verify,
        &crate::ssr::tokens::stored_hash(token),
        state.clock.now(),
    )
    .await?
    else {
        return Ok(Verification::Invalid);
    };
    let verified = match queries::accounts::verify_email(&mut *tx, link.user_id, &link.email).await {
        Ok(Some(verified)) => verified,
        Ok(None) => return Ok(Verification::Invalid),
        Err(sqlx::Error::Database(database))
            if database.is_unique_violation() && database.constraint() == Some("users_email_key") =>
        {
            return Ok(Verification::Taken);
        }
        Err(error) => return Err(error.into()),
    };
    if let Some((old, old_verified)) = verified.replaced {
        // A reset link sent to the address left behind opens nothing now.
        links::delete(&mut *tx, link.user_id, Purpose::Reset).await?;
        let notice = Notice::EmailChanged {
            old,
            old_verified,
            new: verified.email,
        };
        queue_notice(&mut *tx, link.user_id, notice).await?;
    }
    tx.commit().await?;
    Ok(Verification::Done(link.user_id))
}

/// Deletes the links and API tokens that expired before `clock`'s now, the
/// tokens a batch at a time; how many of each.
pub async fn delete_expired(db: &PgPool, clock: &Clock) -> Result<(u64, u64), sqlx::Error> {
    const BATCH: i64 = 10_000;
    let now = clock.now();
    let links = links::delete_expired(db, now).await?;
    let mut tokens = 0;
    loop {
        let deleted = queries::accounts::delete_expired_tokens(db, now, BATCH).await?;
        tokens += deleted;
        if deleted < BATCH as u64 {
            return Ok((links, tokens));
        }
    }
}

/// Whether `token` could be one of ours: 43 characters of URL-safe base64.
/// Anything else is not looked up.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_our_shape_are_looked_up() {
        assert!(plausible(&"a".repeat(43)));
        assert!(plausible("AbC-_0123456789abcdefghijklmnopqrstuvwxyzAB"));
        for junk in [
            "",
            "short",
            &"a".repeat(44),
            "AbC+/0123456789abcdefghijklmnopqrstuvwxyzAB",
            &"é".repeat(22),
        ] {
            assert!(!plausible(junk), "{junk:?}");
        }
    }

    #[test]
    fn a_notice_is_stored_as_tagged_json() {
        let notice = SendNotice {
            user_id: 7,
            notice: Notice::EmailChanged {
                old: "a@example.org".to_owned(),
                old_verified: true,
                new: "b@example.org".to_owned(),
            },
        };
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["notice"]["kind"], "email_changed");
        assert_eq!(serde_json::from_value::<SendNotice>(json).unwrap(), notice);
    }
}
