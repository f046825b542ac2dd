//! Signing up, in and out: the server functions behind the forms, and what
//! pages know of the signed-in user.
//!
//! The forms are `ActionForm`s: with JavaScript they submit without a page
//! load; without it they are plain POSTs to `/fn/...`, answered with a
//! redirect, either onward (success) or back to the form with the error in
//! the URL, which the form's action reads back (Leptos' own mechanism). The
//! error carries what the user typed, the password excepted, so the form
//! comes back as they left it.

use leptos::{
    prelude::*,
    server_fn::{
        codec::JsonEncoding,
        error::{FromServerFnError, ServerFnErrorErr},
    },
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::{error_status, for_scripts};

/// The signed-in user, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
}

/// A refused form: a message per field at fault, what the user typed, and,
/// when the server itself failed, a message for the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the form was not accepted")]
pub struct FormError {
    /// `(field, message)`, e.g. `("email", "has already been taken")`.
    pub fields: Vec<(String, String)>,
    /// `(field, value)` as submitted (never a password).
    pub values: Vec<(String, String)>,
    /// A failure that is nobody's typing mistake.
    pub form: Option<String>,
}

impl FormError {
    /// The message for `field`, if it was at fault.
    pub fn message(&self, field: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(name, message)| format!("{} {message}", capitalized(&name.replace('_', " "))))
    }

    /// What the user had typed into `field`.
    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
    }

    /// A refusal that is nobody's typing mistake.
    pub fn failure(message: &str) -> Self {
        Self {
            form: Some(message.to_owned()),
            ..Self::default()
        }
    }

    #[cfg(feature = "ssr")]
    pub(crate) fn keep(&mut self, field: &str, value: &str) {
        self.values.push((field.to_owned(), value.to_owned()));
    }

    #[cfg(feature = "ssr")]
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push((field.to_owned(), message.into()));
    }

    #[cfg(feature = "ssr")]
    fn failed(mut self, message: &str) -> Self {
        self.form = Some(message.to_owned());
        self
    }

    /// A taken username or email is the user's to fix (422); every hasher
    /// busy is a moment's wait (503 with `Retry-After`); anything else is
    /// ours, logged, with a message saying what could not be done.
    #[cfg(feature = "ssr")]
    fn refuse_or_fail(mut self, problem: crate::ssr::accounts::AccountError, doing: &str) -> Self {
        use crate::ssr::{accounts::AccountError, passwords::PasswordError};
        match problem {
            AccountError::Taken(field) => {
                self.add(field, "has already been taken");
                refused(self)
            }
            AccountError::Password(PasswordError::Busy) => {
                for_scripts(http::StatusCode::SERVICE_UNAVAILABLE, Some(PasswordError::RETRY_AFTER));
                self.failed("Warta is busy signing other people in. Please try again in a few seconds.")
            }
            AccountError::Password(PasswordError::Failed(error)) => {
                tracing::error!(%error, doing, "password hashing failed");
                self.failed(&format!("We could not {doing} just now; please try again."))
            }
            AccountError::Query(query) => {
                tracing::error!(error = %query, doing, "an account change failed");
                self.failed(&format!("We could not {doing} just now; please try again."))
            }
        }
    }

    /// An attempt over its budget: 429 with `Retry-After` for scripts, the
    /// message on the form either way.
    #[cfg(feature = "ssr")]
    fn too_many(self, too_many: crate::ssr::throttle::TooMany) -> Self {
        for_scripts(http::StatusCode::TOO_MANY_REQUESTS, Some(too_many.retry_after));
        self.failed(&too_many.message())
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl FromServerFnError for FormError {
    type Encoder = JsonEncoding;

    /// Encodes the refusal for the client, and makes sure its status is not
    /// server_fn's blanket 500: a form with faults is 422, anything else a
    /// moment's unavailability (503), unless the server function said more.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        error_status(match self.fields.is_empty() {
            true => http::StatusCode::SERVICE_UNAVAILABLE,
            false => http::StatusCode::UNPROCESSABLE_ENTITY,
        });
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self).unwrap_or_default()
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        crate::error::refuse_unreadable_call(&value);
        Self {
            form: Some(match value {
                ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                    "We could not reach Warta; check your connection and try again.".to_owned()
                }
                unreadable if crate::error::is_unreadable_call(&unreadable) => {
                    "This form could not be read; please reload the page and try again.".to_owned()
                }
                _ => "Something went wrong on our side; please try again.".to_owned(),
            }),
            ..Self::default()
        }
    }
}

/// Who is signed in, if anyone.
#[server(prefix = "/fn", endpoint = "me")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Ok(None);
    };
    // Built here rather than in `ssr::session`: session storage sits below
    // the pages and knows nothing of what they show.
    Ok(crate::ssr::session::user(&session)
        .await
        .map(|(_, username)| SignedInUser { username }))
}

/// Creates an account and signs its owner in.
#[server(prefix = "/fn", endpoint = "register")]
pub async fn register(username: String, email: String, password: String) -> Result<(), FormError> {
    use crate::{
        domain::{Email, Password, Username},
        ssr::{accounts, throttle},
    };

    let mut error = FormError::default();
    error.keep("username", &username);
    error.keep("email", &email);
    let username = Username::parse(&username).map_err(|invalid| error.add(invalid.field, invalid.message));
    let email = Email::parse(&email).map_err(|invalid| error.add(invalid.field, invalid.message));
    let password = Password::parse(&password).map_err(|invalid| error.add(invalid.field, invalid.message));
    let (Ok(username), Ok(email), Ok(password)) = (username, email, password) else {
        return Err(refused(error));
    };

    let state = expect_context::<crate::ssr::AppState>();
    if let Err(too_many) = throttle::account(&state.redis, throttle::Attempt::Register, email.as_str()).await {
        return Err(error.too_many(too_many));
    }
    let user = match accounts::register(&state.db, &state.passwords, &username, &email, &password).await {
        Ok(user) => user,
        Err(problem) => return Err(error.refuse_or_fail(problem, "create your account")),
    };
    sign_in(&user, "/").await.map_err(|message| error.failed(message))
}

/// Signs in with an email and password, then goes to `next` (a path on
/// this site) or home. Each attempt counts against the account's budget
/// (see [`crate::ssr::throttle`]) before any password is checked.
#[server(prefix = "/fn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), FormError> {
    use crate::{
        domain::{Email, is_local_path},
        ssr::{accounts, throttle},
    };

    let mut error = FormError::default();
    error.keep("email", &email);
    if email.trim().is_empty() {
        error.add("email", "can't be blank");
    }
    if password.is_empty() {
        error.add("password", "can't be blank");
    }
    if !error.fields.is_empty() {
        return Err(refused(error));
    }
    let state = expect_context::<crate::ssr::AppState>();
    if let Err(too_many) = throttle::account(&state.redis, throttle::Attempt::SignIn, &email).await {
        return Err(error.too_many(too_many));
    }
    // No account has an address that is not one.
    let found = match Email::parse(&email) {
        Ok(email) => accounts::authenticate(&state.db, &state.passwords, &email, &password).await,
        Err(_) => Ok(None),
    };
    let user = match found {
        Ok(Some(user)) => user,
        Ok(None) => {
            error.form = Some("That email and password do not match an account.".to_owned());
            return Err(refused(error));
        }
        Err(problem) => return Err(error.refuse_or_fail(problem, "sign you in")),
    };
    let next = next
        .filter(|next| is_local_path(next))
        .unwrap_or_else(|| "/".to_owned());
    sign_in(&user, &next).await.map_err(|message| error.failed(message))
}

/// Signs out: the session is deleted from Redis and its cookie expired.
#[server(prefix = "/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    if let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await
        && let Err(error) = session.flush().await
    {
        tracing::error!(%error, "deleting a session failed");
        return Err(AppError::Internal);
    }
    crate::ssr::redirect("/");
    Ok(())
}

/// Starts a session for `user` and redirects to `to`.
#[cfg(feature = "ssr")]
async fn sign_in(user: &crate::ssr::accounts::SignedIn, to: &str) -> Result<(), &'static str> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| "Sessions are unavailable just now; please try again.")?;
    crate::ssr::session::sign_in(&session, user.id, &user.username, user.generation)
        .await
        .map_err(|error| {
            tracing::error!(%error, "starting a session failed");
            "We could not sign you in just now; please try again."
        })?;
    crate::ssr::redirect(to);
    Ok(())
}

/// A refusal the user can fix: 422 for the hydrated form, not a server
/// error (see [`for_scripts`]).
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: FormError) -> FormError {
    for_scripts(http::StatusCode::UNPROCESSABLE_ENTITY, None);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_errors_name_the_field_and_keep_the_values() {
        let error = FormError {
            fields: vec![("email".to_owned(), "has already been taken".to_owned())],
            values: vec![("username".to_owned(), "ada".to_owned())],
            form: None,
        };
        assert_eq!(error.message("email").as_deref(), Some("Email has already been taken"));
        assert_eq!(error.message("username"), None);
        assert_eq!(error.value("username").as_deref(), Some("ada"));
        let error = FormError {
            fields: vec![("current_password".to_owned(), "is not right".to_owned())],
            ..FormError::default()
        };
        assert_eq!(
            error.message("current_password").as_deref(),
            Some("Current password is not right"),
            "field names read as words"
        );
    }
}

/// What `/settings` shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub username: String,
    pub email: String,
    pub bio: String,
    pub image: String,
}

/// The signed-in user's settings; `None` (and a redirect to sign in) when
/// nobody is signed in.
#[server(prefix = "/fn", endpoint = "settings")]
pub async fn my_settings() -> Result<Option<Settings>, AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>().await.ok();
    let id = match &session {
        Some(session) => crate::ssr::session::user_id(session).await,
        None => None,
    };
    let Some(id) = id else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(None);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let account = crate::ssr::accounts::by_id(&state.db, id).await?;
    Ok(account.map(|account| Settings {
        username: account.username,
        email: account.email,
        bio: account.bio,
        image: account.image.unwrap_or_default(),
    }))
}

/// Saves the settings form. An empty password field keeps the password.
/// Changing the email or the password takes the current password, and
/// ends every other session and API token of the account.
#[server(prefix = "/fn", endpoint = "save-settings")]
pub async fn save_settings(
    username: String,
    email: String,
    bio: String,
    image: String,
    password: String,
    current_password: Option<String>,
) -> Result<(), FormError> {
    use crate::{
        domain::{Bio, Email, ImageUrl, Password, Username},
        ssr::{
            accounts::{self, Changes},
            session,
        },
    };

    let mut error = FormError::default();
    for (field, value) in [
        ("username", &username),
        ("email", &email),
        ("bio", &bio),
        ("image", &image),
    ] {
        error.keep(field, value);
    }
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Err(error.failed("Sessions are unavailable just now; please try again."));
    };
    let Some((id, old_username)) = session::user(&session).await else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(());
    };

    let mut fault = |invalid: crate::domain::Invalid| error.add(invalid.field, invalid.message);
    let username = Username::parse(&username).map_err(&mut fault);
    let email = Email::parse(&email).map_err(&mut fault);
    let password = match password.is_empty() {
        true => Ok(None),
        false => Password::parse(&password).map(Some).map_err(&mut fault),
    };
    let bio = Bio::parse(&bio).map_err(&mut fault);
    let image = ImageUrl::parse(&image).map_err(&mut fault);
    let (Ok(username), Ok(email), Ok(password), Ok(bio), Ok(image)) = (username, email, password, bio, image) else {
        return Err(refused(error));
    };

    let state = expect_context::<crate::ssr::AppState>();
    let account = match accounts::by_id(&state.db, id).await {
        Ok(Some(account)) => account,
        Ok(None) => return Err(error.failed("Your account no longer exists.")),
        Err(query) => return Err(error.refuse_or_fail(query.into(), "save your settings")),
    };
    let changes = Changes {
        username: Some(username),
        email: Some(email),
        password,
        bio: Some(bio),
        image: Some(image),
    };
    let credentials = changes.touch_credentials(&account);
    if credentials {
        let current = current_password.unwrap_or_default();
        error = confirm(
            &state,
            id,
            &current,
            "current_password",
            "change your email or password",
            error,
        )
        .await?;
    }
    let updated = match accounts::update(&state.db, &state.passwords, &account, changes, None).await {
        Ok(Some(updated)) => updated,
        Ok(None) => return Err(error.failed("Your account no longer exists.")),
        Err(problem) => return Err(error.refuse_or_fail(problem, "save your settings")),
    };
    // Only this change's own new generation keeps this session: one that
    // "sign out everywhere" started meanwhile ends it like the others.
    if credentials && let Err(problem) = session::carry_over(&session, updated.generation).await {
        tracing::warn!(error = %problem, "keeping the session through a password change failed");
    }
    // The author page shows the profile, under the old name and the new.
    crate::ssr::reading::forget_authors(&state.cache, &[&old_username, &updated.username]).await;
    if let Err(problem) = session::rename(&session, &updated.username).await {
        tracing::warn!(error = %problem, "updating the session's username failed");
    }
    crate::ssr::redirect("/settings?saved=1");
    Ok(())
}

/// Checks the password a form asked for in `field` before it may `doing`;
/// gives `error` back when it is right, and the form's refusal otherwise.
#[cfg(feature = "ssr")]
async fn confirm(
    state: &crate::ssr::AppState,
    id: i64,
    password: &str,
    field: &str,
    doing: &str,
    mut error: FormError,
) -> Result<FormError, FormError> {
    use crate::ssr::accounts::{self, Confirmation};
    if password.is_empty() {
        error.add(field, format!("is needed to {doing}"));
        return Err(refused(error));
    }
    match accounts::confirm_password(state, id, password).await {
        Ok(Confirmation::Confirmed) => Ok(error),
        Ok(Confirmation::Wrong) => {
            error.add(field, "is not right");
            Err(refused(error))
        }
        Ok(Confirmation::TooMany(too_many)) => Err(error.too_many(too_many)),
        Err(problem) => Err(error.refuse_or_fail(problem, doing)),
    }
}

/// Ends every session and API token of the signed-in account but this
/// session. It takes the account's password: otherwise a stolen session
/// could sign its owner out everywhere and stay.
#[server(prefix = "/fn", endpoint = "sign-out-everywhere")]
pub async fn sign_out_everywhere(your_password: String) -> Result<(), FormError> {
    use crate::ssr::{accounts, session};

    let error = FormError::default();
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Err(error.failed("Sessions are unavailable just now; please try again."));
    };
    let Some(id) = session::user_id(&session).await else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(());
    };
    let state = expect_context::<crate::ssr::AppState>();
    let error = confirm(
        &state,
        id,
        &your_password,
        "your_password",
        "sign out everywhere else",
        error,
    )
    .await?;
    let generation = match accounts::sign_out_everywhere(&state.db, id, None).await {
        Ok(Some(generation)) => generation,
        Ok(None) => return Err(error.failed("Your account no longer exists.")),
        Err(query) => return Err(error.refuse_or_fail(query.into(), "sign you out everywhere")),
    };
    if let Err(problem) = session::carry_over(&session, generation).await {
        tracing::error!(error = %problem, "keeping this session after signing out everywhere failed");
        return Err(
            error.failed("Every other session has ended, but this one could not be kept; please sign in again.")
        );
    }
    crate::ssr::redirect("/settings?signed_out=1");
    Ok(())
}
