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
            .map(|(name, message)| format!("{} {message}", capitalized(name)))
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

    /// A taken username or email is the user's to fix (422); anything else
    /// is ours, logged, with a message saying what could not be done.
    #[cfg(feature = "ssr")]
    fn refuse_or_fail(mut self, problem: crate::ssr::accounts::RegisterError, doing: &str) -> Self {
        match problem {
            crate::ssr::accounts::RegisterError::Taken(field) => {
                self.add(field, "has already been taken");
                refused(self)
            }
            crate::ssr::accounts::RegisterError::Query(query) => {
                tracing::error!(error = %query, doing, "an account change failed");
                self.failed(&format!("We could not {doing} just now; please try again."))
            }
        }
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

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self {
            form: Some(match value {
                ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                    "We could not reach Warta; check your connection and try again.".to_owned()
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
    Ok(crate::ssr::session::current(&session).await)
}

/// Creates an account and signs its owner in.
#[server(prefix = "/fn", endpoint = "register")]
pub async fn register(username: String, email: String, password: String) -> Result<(), FormError> {
    use crate::{
        domain::{Email, Password, Username},
        ssr::accounts,
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
    let id = match accounts::register(&state.db, &username, &email, &password).await {
        Ok(id) => id,
        Err(problem) => return Err(error.refuse_or_fail(problem, "create your account")),
    };
    sign_in(id, username.as_str(), "/")
        .await
        .map_err(|message| error.failed(message))
}

/// Signs in with an email and password, then goes to `next` (a path on
/// this site) or home.
#[server(prefix = "/fn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), FormError> {
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
    let found = crate::ssr::accounts::authenticate(&state.db, &email, &password).await;
    let (id, username) = match found {
        Ok(Some(user)) => user,
        Ok(None) => {
            error.form = Some("That email and password do not match an account.".to_owned());
            return Err(refused(error));
        }
        Err(query) => {
            tracing::error!(error = %query, "signing in failed");
            return Err(error.failed("We could not sign you in just now; please try again."));
        }
    };
    let next = next
        .filter(|next| is_local_path(next))
        .unwrap_or_else(|| "/".to_owned());
    sign_in(id, &username, &next)
        .await
        .map_err(|message| error.failed(message))
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
    leptos_axum::redirect("/");
    Ok(())
}

/// Starts a session for `id` and redirects to `to`.
#[cfg(feature = "ssr")]
async fn sign_in(id: i64, username: &str, to: &str) -> Result<(), &'static str> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| "Sessions are unavailable just now; please try again.")?;
    crate::ssr::session::sign_in(&session, id, username)
        .await
        .map_err(|error| {
            tracing::error!(%error, "starting a session failed");
            "We could not sign you in just now; please try again."
        })?;
    leptos_axum::redirect(to);
    Ok(())
}

/// A refusal the user can fix: 422 for the hydrated form, not a server
/// error. A plain form post (it accepts HTML) keeps Leptos' redirect back
/// to the form.
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: FormError) -> FormError {
    let accepts_html = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if !accepts_html && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    error
}

/// Whether `next` is a path on this site (not `//evil.example`, not a URL),
/// so signing in can never send anyone elsewhere.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/", "/editor", "/articles/a?b=c"] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "editor",
            "/x?u=http://e",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }

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
        leptos_axum::redirect("/login?next=/settings");
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

/// How long a bio may be, in characters.
pub const BIO_MAX: usize = 1000;

/// Saves the settings form. An empty password field keeps the password.
#[server(prefix = "/fn", endpoint = "save-settings")]
pub async fn save_settings(
    username: String,
    email: String,
    bio: String,
    image: String,
    password: String,
) -> Result<(), FormError> {
    use crate::{
        domain::{Email, Password, Username},
        ssr::accounts::{self, Changes},
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
    let Some((id, old_username)) = crate::ssr::session::user(&session).await else {
        leptos_axum::redirect("/login?next=/settings");
        return Ok(());
    };

    let username = Username::parse(&username).map_err(|invalid| error.add(invalid.field, invalid.message));
    let email = Email::parse(&email).map_err(|invalid| error.add(invalid.field, invalid.message));
    let password = match password.is_empty() {
        true => Ok(None),
        false => Password::parse(&password)
            .map(Some)
            .map_err(|invalid| error.add(invalid.field, invalid.message)),
    };
    let bio = bio.trim().to_owned();
    if bio.chars().count() > BIO_MAX {
        error.add("bio", format!("is too long (at most {BIO_MAX} characters)"));
    }
    let image = image.trim().to_owned();
    let web_address = image.starts_with("https://") || image.starts_with("http://");
    if !image.is_empty() && !web_address {
        error.add("image", "must be an http(s) URL");
    }
    let (Ok(username), Ok(email), Ok(password)) = (username, email, password) else {
        return Err(refused(error));
    };
    if !error.fields.is_empty() {
        return Err(refused(error));
    }

    let state = expect_context::<crate::ssr::AppState>();
    let changes = Changes {
        username: Some(username),
        email: Some(email),
        password,
        bio: Some(bio),
        image: Some(Some(image).filter(|image| !image.is_empty())),
    };
    let account = match accounts::update(&state.db, id, changes).await {
        Ok(Some(account)) => account,
        Ok(None) => return Err(error.failed("Your account no longer exists.")),
        Err(problem) => return Err(error.refuse_or_fail(problem, "save your settings")),
    };
    // The author page shows the profile, under the old name and the new.
    crate::ssr::reading::forget_authors(&state.cache, &[&old_username, &account.username]).await;
    if let Err(problem) = crate::ssr::session::rename(&session, &account.username).await {
        tracing::warn!(error = %problem, "updating the session's username failed");
    }
    leptos_axum::redirect("/settings?saved=1");
    Ok(())
}
