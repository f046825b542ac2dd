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
        client::ClientAddress,
        passwords::{PasswordError, Passwords},
        queries::{self, QueryError, accounts::AccountUpdate},
        recovery::{self, Notice},
        throttle::{self, Refused, Target},
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

impl From<recovery::ResetError> for AccountError {
    fn from(error: recovery::ResetError) -> Self {
        match error {
            recovery::ResetError::Password(password) => Self::Password(password),
            recovery::ResetError::Query(query) => Self::Query(query),
        }
    }
}

impl From<sqlx::Error> for AccountError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// Creates an account, and queues the link that verifies its address (in
/// `locale`, the language the account reads in) in the same transaction.
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
    let mut tx = db.begin().await?;
    let inserted = queries::accounts::insert(&mut *tx, username.as_str(), email.as_str(), &hash, locale.code())
        .await
        .map_err(taken_or_failed)?;
    recovery::queue_verification(&mut *tx, inserted.id, email.as_str(), locale).await?;
    tx.commit().await?;
    Ok(inserted)
}

/// What a sign-in attempt came to.
#[derive(Debug, Clone)]
pub enum SignInAttempt {
    SignedIn(SignedIn),
    /// No account has that email, or the password is wrong: the two are
    /// indistinguishable, in answer and in time.
    NoMatch,
    /// Over a sign-in budget, or the budget could not be counted.
    Refused(Refused),
    /// The password is right, but a moderator suspended the account. Told
    /// only to whoever knows the password.
    Suspended,
}

/// Checks a sign-in with `email` (as typed) and `password` from `client`:
/// the account is looked up, the attempt counted against that account's
/// budgets ([`throttle::sign_in`]) and only then the password checked. A
/// success records `client` as an address the account signs in from.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: Option<ClientAddress>,
) -> Result<SignInAttempt, AccountError> {
    // No account has an address that is not one.
    let found = match Email::parse(email) {
        Ok(email) => queries::accounts::by_email(&state.db, email.as_str()).await?,
        Err(_) => None,
    };
    let target = match &found {
        Some(found) => Target::Account(found.user.id),
        None => Target::Nobody(email.trim().to_owned()),
    };
    if let Err(refused) = throttle::sign_in(&state.session_redis, &target, client, state.attempts_per_account).await {
        return Ok(SignInAttempt::Refused(refused));
    }
    let stored = found.as_ref().map(|found| found.password_hash.clone());
    let matches = state.passwords.verify(password, stored).await?;
    match found.filter(|_| matches) {
        Some(found) if found.suspended => Ok(SignInAttempt::Suspended),
        Some(found) => {
            throttle::signed_in(&state.session_redis, found.user.id, client).await;
            Ok(SignInAttempt::SignedIn(found.user))
        }
        None => Ok(SignInAttempt::NoMatch),
    }
}

/// What asking a signed-in user for their password came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    /// Not their password (or the account is gone).
    Wrong,
    /// The account's sign-in budget is spent (guessing the password here
    /// costs what guessing it at sign-in does), or cannot be counted.
    Refused(Refused),
}

/// Checks that `password` is account `id`'s, before a change that needs
/// it (email, password, signing out everywhere), counting the attempt
/// against the account's sign-in budgets from `client` first.
#[tracing::instrument(skip_all)]
pub async fn confirm_password(
    state: &AppState,
    id: i64,
    password: &str,
    client: Option<ClientAddress>,
) -> Result<Confirmation, AccountError> {
    let Some(password_hash) = queries::accounts::stored_password(&state.db, id).await? else {
        return Ok(Confirmation::Wrong);
    };
    if let Err(refused) = throttle::sign_in(
        &state.session_redis,
        &Target::Account(id),
        client,
        state.attempts_per_account,
    )
    .await
    {
        return Ok(Confirmation::Refused(refused));
    }
    Ok(match state.passwords.verify(password, Some(password_hash)).await? {
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
        &crate::ssr::tokens::stored_hash(&token),
        user.id,
        chrono::Utc::now() + TOKEN_LIFETIME,
        user.generation,
    )
    .await?;
    Ok(issued.then_some(token))
}

/// The account an unexpired `token` belongs to, when the token was issued,
/// and whether the account is suspended.
pub async fn by_token(db: &PgPool, token: &str) -> Result<Option<(Account, DateTime<Utc>, bool)>, QueryError> {
    Ok(queries::accounts::by_token(db, &crate::ssr::tokens::stored_hash(token)).await?)
}

/// The account with `id`.
pub async fn by_id(db: &PgPool, id: i64) -> Result<Option<Account>, QueryError> {
    Ok(queries::accounts::by_id(db, id).await?)
}

/// Account `id`'s session generation; `None` when it no longer exists.
pub async fn generation(db: &PgPool, id: i64) -> Result<Option<i64>, QueryError> {
    Ok(queries::accounts::generation(db, id).await?)
}

/// When a new email address replaces the old one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NewEmail {
    /// Once a link sent to it is opened; until then the old one signs in
    /// and is written to. What the settings form does.
    #[default]
    OnceVerified,
    /// At once, unverified (sent nothing but its verification link until
    /// then): what the RealWorld API's clients expect.
    AtOnce,
}

/// What a settings change may touch; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes {
    pub username: Option<Username>,
    pub email: Option<Email>,
    /// When a changed `email` takes effect.
    pub new_email: NewEmail,
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
        self.password.is_some() || self.changes_email(account)
    }

    /// Whether these changes give `account` another email address (which is
    /// sent a verification link).
    pub fn changes_email(&self, account: &Account) -> bool {
        self.email
            .as_ref()
            .is_some_and(|email| email.as_str().to_lowercase() != account.email.to_lowercase())
    }
}

/// Applies `changes` to `account`. When they touch its credentials, a new
/// session generation starts and every API token but `keep_token` is
/// deleted, in the same transaction. A new password also ends the reset
/// link and tells the owner by email; a new address is sent its
/// verification link and, taking effect at once, is unverified, ends the
/// reset link and the old address is told. The account's own address given
/// again withdraws a change waiting for its link. Callers count an email
/// change against the account's link budget first
/// ([`crate::ssr::throttle::link`]): each sends an email.
pub async fn update(
    db: &PgPool,
    passwords: &Passwords,
    account: &Account,
    changes: Changes,
    keep_token: Option<&str>,
) -> Result<Option<Account>, AccountError> {
    let credentials = changes.touch_credentials(account);
    let new_email = changes.email.as_ref().filter(|_| changes.changes_email(account));
    if let (Some(email), NewEmail::OnceVerified) = (new_email, changes.new_email)
        && queries::accounts::email_taken(db, email.as_str(), account.id).await?
    {
        return Err(AccountError::Taken("email"));
    }
    let password_hash = match &changes.password {
        Some(password) => Some(passwords.hash(password).await?),
        None => None,
    };
    // The account's own address again while a change waits for its link:
    // the change is withdrawn (a mistyped address must not stay one click
    // away from taking the account).
    let withdrawn = new_email.is_none() && changes.email.is_some() && account.pending_email.is_some();
    let (email, email_verified, pending_email) = match (new_email, changes.new_email) {
        (None, _) if withdrawn => (None, None, Some(None)),
        (None, _) => (None, None, None),
        (Some(email), NewEmail::AtOnce) => (Some(email.as_str()), Some(false), Some(None)),
        (Some(email), NewEmail::OnceVerified) => (None, None, Some(Some(email.as_str()))),
    };
    let update = AccountUpdate {
        username: changes.username.as_ref().map(Username::as_str),
        email,
        password_hash: password_hash.as_deref(),
        bio: changes.bio.as_ref().map(Bio::as_str),
        image: changes.image.as_ref().map(|image| image.as_ref().map(ImageUrl::as_str)),
        new_generation: credentials,
        locale: changes.locale.map(Locale::code),
        email_verified,
        pending_email,
    };
    let mut tx = db.begin().await?;
    let Some(updated) = queries::accounts::update(&mut *tx, account.id, update)
        .await
        .map_err(taken_or_failed)?
    else {
        return Ok(None);
    };
    if credentials {
        delete_tokens(&mut tx, account.id, keep_token).await?;
    }
    if password_hash.is_some() {
        queries::links::delete(&mut *tx, account.id, queries::links::Purpose::Reset).await?;
        recovery::queue_notice(&mut *tx, account.id, Notice::PasswordChanged).await?;
    }
    if withdrawn || new_email.is_some() {
        // A verification link for an address no longer wanted works no more.
        queries::links::delete(&mut *tx, account.id, queries::links::Purpose::Verify).await?;
    }
    if new_email.is_some() && changes.new_email == NewEmail::AtOnce {
        // Nor a reset link sent to the address the account has left.
        queries::links::delete(&mut *tx, account.id, queries::links::Purpose::Reset).await?;
    }
    if let Some(email) = new_email {
        let locale = Locale::from_code(&updated.locale);
        recovery::queue_verification(&mut *tx, account.id, email.as_str(), locale).await?;
        if changes.new_email == NewEmail::AtOnce {
            let notice = Notice::EmailChanged {
                old: account.email.clone(),
                old_verified: account.email_verified,
                new: email.as_str().to_owned(),
            };
            recovery::queue_notice(&mut *tx, account.id, notice).await?;
        }
    }
    tx.commit().await?;
    Ok(Some(updated))
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
    queries::accounts::delete_tokens(
        &mut **tx,
        user_id,
        keep_token.map(crate::ssr::tokens::stored_hash).as_deref(),
    )
    .await
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
