//! Signing up, in and out: the server functions behind the forms, and what
//! pages know of the signed-in user.
//!
//! The forms are `ActionForm`s: with JavaScript they submit without a page
//! load; without it they are plain POSTs to `/fn/...`, answered with a
//! redirect, either onward (success) or back to the form with the error in
//! the URL, which the form's action reads back (Leptos' own mechanism). The
//! error carries what the user typed, the password excepted, so the form
//! comes back as they left it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    domain::{Fault, Invalid},
    error::for_scripts,
    forms::refused,
    i18n::Locale,
    t,
};
use crate::{error::AppError, forms::FormError};

/// The signed-in user, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
}

#[cfg(feature = "ssr")]
impl FormError {
    /// A taken username or email is the user's to fix (422); every hasher
    /// busy is a moment's wait (503 with `Retry-After`); anything else is
    /// ours, logged, with a message saying what could not be done.
    pub(crate) fn refuse_or_fail(
        mut self,
        problem: crate::ssr::accounts::AccountError,
        doing: Doing,
        locale: Locale,
    ) -> Self {
        use crate::ssr::{accounts::AccountError, passwords::PasswordError};
        match problem {
            AccountError::Taken(field) => {
                self.add_invalid(&Invalid::new(field, Fault::Taken), locale);
                refused(self)
            }
            AccountError::Password(PasswordError::Busy) => {
                for_scripts(http::StatusCode::SERVICE_UNAVAILABLE, Some(PasswordError::RETRY_AFTER));
                self.failed(t!(locale, "account-busy"))
            }
            AccountError::Password(PasswordError::Failed(error)) => {
                tracing::error!(%error, ?doing, "password hashing failed");
                self.failed(doing.failed(locale))
            }
            AccountError::Query(query) => {
                tracing::error!(error = %query, ?doing, "an account change failed");
                self.failed(doing.failed(locale))
            }
        }
    }
}

/// What an account form was doing when the server failed it, which its
/// message names.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doing {
    Register,
    /// Setting a new password from a reset link.
    ResetPassword,
    SignIn,
    SaveSettings,
    /// Checking the password a new email or password takes.
    ChangeCredentials,
    /// Checking the password signing out everywhere else takes.
    SignOutElsewhere,
    /// Ending every other session.
    SignOutEverywhere,
}

#[cfg(feature = "ssr")]
impl Doing {
    /// "We could not … just now; please try again."
    pub(crate) fn failed(self, locale: Locale) -> String {
        match self {
            Doing::Register => t!(locale, "account-register-failed"),
            Doing::ResetPassword => t!(locale, "reset-failed"),
            Doing::SignIn => t!(locale, "account-sign-in-failed"),
            Doing::SaveSettings => t!(locale, "settings-save-failed"),
            Doing::ChangeCredentials => t!(locale, "settings-credentials-failed"),
            Doing::SignOutElsewhere => t!(locale, "settings-sign-out-elsewhere-failed"),
            Doing::SignOutEverywhere => t!(locale, "settings-sign-out-everywhere-failed"),
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
        ssr::{accounts, passwords, throttle},
    };

    let locale = crate::i18n::request_locale();
    let mut error = FormError::default();
    error.keep("username", &username);
    error.keep("email", &email);
    let mut fault = |invalid: Invalid| error.add_invalid(&invalid, locale);
    let password = Password::parse(&password)
        .and_then(|password| passwords::strong_enough("password", &password, &[&username, &email]).map(|()| password))
        .map_err(&mut fault);
    let username = Username::parse(&username).map_err(&mut fault);
    let email = Email::parse(&email).map_err(&mut fault);
    let (Ok(username), Ok(email), Ok(password)) = (username, email, password) else {
        return Err(refused(error));
    };

    let state = expect_context::<crate::ssr::AppState>();
    let client = crate::ssr::client::ClientAddress::of_request();
    if let Err(refused) = throttle::registration(
        &state.session_redis,
        email.as_str(),
        client,
        state.registrations_per_address,
    )
    .await
    {
        return Err(error.refused_by(refused, locale));
    }
    let user = match accounts::register(&state.db, &state.passwords, &username, &email, &password, locale).await {
        Ok(user) => user,
        Err(problem) => return Err(error.refuse_or_fail(problem, Doing::Register, locale)),
    };
    // Where the account was made is where its owner signs in.
    throttle::signed_in(
        &state.session_redis,
        user.id,
        crate::ssr::client::ClientAddress::of_request(),
    )
    .await;
    sign_in(&user, "/", locale)
        .await
        .map_err(|message| error.failed(message))
}

/// Signs in with an email and password, then goes to `next` (a path on
/// this site) or home. Each attempt counts against the account's budget
/// (see [`crate::ssr::throttle`]) before any password is checked.
#[server(prefix = "/fn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), FormError> {
    use crate::{
        domain::is_local_path,
        ssr::{
            accounts::{self, SignInAttempt},
            client::ClientAddress,
        },
    };

    let locale = crate::i18n::request_locale();
    let mut error = FormError::default();
    error.keep("email", &email);
    if email.trim().is_empty() {
        error.add_invalid(&Invalid::new("email", Fault::Blank), locale);
    }
    if password.is_empty() {
        error.add_invalid(&Invalid::new("password", Fault::Blank), locale);
    }
    if !error.fields.is_empty() {
        return Err(refused(error));
    }
    let state = expect_context::<crate::ssr::AppState>();
    let user = match accounts::sign_in(&state, &email, &password, ClientAddress::of_request()).await {
        Ok(SignInAttempt::SignedIn(user)) => user,
        Ok(SignInAttempt::NoMatch) => {
            error.form = Some(t!(locale, "sign-in-no-match"));
            return Err(refused(error));
        }
        Ok(SignInAttempt::Refused(refusal)) => return Err(error.refused_by(refusal, locale)),
        Ok(SignInAttempt::Suspended) => {
            crate::error::for_scripts(http::StatusCode::FORBIDDEN, None);
            error.form = Some(t!(locale, "sign-in-suspended"));
            return Err(error);
        }
        Err(problem) => return Err(error.refuse_or_fail(problem, Doing::SignIn, locale)),
    };
    let next = next
        .filter(|next| is_local_path(next))
        .unwrap_or_else(|| "/".to_owned());
    sign_in(&user, &next, locale)
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
    crate::ssr::redirect("/");
    Ok(())
}

/// Starts a session for `user` and redirects to `to`; the message for the
/// form, in `locale`, when it cannot.
#[cfg(feature = "ssr")]
async fn sign_in(user: &crate::ssr::accounts::SignedIn, to: &str, locale: Locale) -> Result<(), String> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| t!(locale, "account-sessions-unavailable"))?;
    crate::ssr::session::sign_in(&session, user.id, &user.username, user.generation)
        .await
        .map_err(|error| {
            tracing::error!(%error, "starting a session failed");
            t!(locale, "account-sign-in-failed")
        })?;
    crate::ssr::redirect(to);
    Ok(())
}

/// What `/settings` shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub username: String,
    pub email: String,
    pub bio: String,
    pub image: String,
    /// The language of their emails, as its code.
    pub email_locale: String,
    /// Whether `email` has been verified.
    pub email_verified: bool,
    /// A new address waiting for its verification link to be opened.
    pub pending_email: Option<String>,
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
        email_locale: account.locale,
        email_verified: account.email_verified,
        pending_email: account.pending_email,
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
    email_locale: Option<String>,
) -> Result<(), FormError> {
    use crate::{
        domain::{Bio, Email, ImageUrl, Password, Username},
        ssr::{
            accounts::{self, Changes},
            passwords, session, throttle,
        },
    };

    let locale = crate::i18n::request_locale();
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
        return Err(error.failed(t!(locale, "account-sessions-unavailable")));
    };
    let Some((id, old_username)) = session::user(&session).await else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(());
    };

    let mut fault = |invalid: Invalid| error.add_invalid(&invalid, locale);
    let password = match password.is_empty() {
        true => Ok(None),
        false => Password::parse(&password)
            .and_then(|password| {
                passwords::strong_enough("password", &password, &[&username, &email, &old_username]).map(|()| password)
            })
            .map(Some)
            .map_err(&mut fault),
    };
    let username = Username::parse(&username).map_err(&mut fault);
    let email = Email::parse(&email).map_err(&mut fault);
    let bio = Bio::parse(&bio).map_err(&mut fault);
    let image = ImageUrl::parse(&image).map_err(&mut fault);
    let (Ok(username), Ok(email), Ok(password), Ok(bio), Ok(image)) = (username, email, password, bio, image) else {
        return Err(refused(error));
    };

    let state = expect_context::<crate::ssr::AppState>();
    let account = match accounts::by_id(&state.db, id).await {
        Ok(Some(account)) => account,
        Ok(None) => return Err(error.failed(t!(locale, "account-gone"))),
        Err(query) => return Err(error.refuse_or_fail(query.into(), Doing::SaveSettings, locale)),
    };
    let changes = Changes {
        username: Some(username),
        email: Some(email),
        password,
        bio: Some(bio),
        image: Some(image),
        // Anything but a language we write in is English.
        locale: email_locale.as_deref().map(Locale::from_code),
        // A new address replaces the old once a link sent to it is opened.
        new_email: accounts::NewEmail::OnceVerified,
    };
    let credentials = changes.touch_credentials(&account);
    if credentials {
        let current = current_password.unwrap_or_default();
        error = confirm(&state, id, &current, Doing::ChangeCredentials, error, locale).await?;
    }
    if changes.changes_email(&account) {
        // Each new address is sent a link: within the account's budget.
        let client = crate::ssr::client::ClientAddress::of_request();
        if let Err(refusal) = throttle::link(
            &state.session_redis,
            throttle::Attempt::Verify,
            &format!("id:{id}"),
            client,
        )
        .await
        {
            return Err(error.refused_by(refusal, locale));
        }
    }
    let updated = match accounts::update(&state.db, &state.passwords, &account, changes, None).await {
        Ok(Some(updated)) => updated,
        Ok(None) => return Err(error.failed(t!(locale, "account-gone"))),
        Err(problem) => return Err(error.refuse_or_fail(problem, Doing::SaveSettings, locale)),
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

/// Checks the password a form asked for before it may do what `doing`
/// says (`current_password` to change credentials, `your_password` to sign
/// out everywhere else); gives `error` back when it is right, and the
/// form's refusal otherwise.
#[cfg(feature = "ssr")]
async fn confirm(
    state: &crate::ssr::AppState,
    id: i64,
    password: &str,
    doing: Doing,
    mut error: FormError,
    locale: Locale,
) -> Result<FormError, FormError> {
    use crate::ssr::accounts::{self, Confirmation};
    let (field, needed) = match doing {
        Doing::SignOutElsewhere => ("your_password", t!(locale, "settings-your-password-needed")),
        _ => ("current_password", t!(locale, "settings-current-password-needed")),
    };
    if password.is_empty() {
        error.add(field, needed);
        return Err(refused(error));
    }
    let client = crate::ssr::client::ClientAddress::of_request();
    match accounts::confirm_password(state, id, password, client).await {
        Ok(Confirmation::Confirmed) => Ok(error),
        Ok(Confirmation::Wrong) => {
            error.add_invalid(&Invalid::new(field, Fault::Wrong), locale);
            Err(refused(error))
        }
        Ok(Confirmation::Refused(refusal)) => Err(error.refused_by(refusal, locale)),
        Err(problem) => Err(error.refuse_or_fail(problem, doing, locale)),
    }
}

/// Ends every session and API token of the signed-in account but this
/// session. It takes the account's password: otherwise a stolen session
/// could sign its owner out everywhere and stay.
#[server(prefix = "/fn", endpoint = "sign-out-everywhere")]
pub async fn sign_out_everywhere(your_password: String) -> Result<(), FormError> {
    use crate::ssr::{accounts, session};

    let locale = crate::i18n::request_locale();
    let error = FormError::default();
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Err(error.failed(t!(locale, "account-sessions-unavailable")));
    };
    let Some(id) = session::user_id(&session).await else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(());
    };
    let state = expect_context::<crate::ssr::AppState>();
    let error = confirm(&state, id, &your_password, Doing::SignOutElsewhere, error, locale).await?;
    let generation = match accounts::sign_out_everywhere(&state.db, id, None).await {
        Ok(Some(generation)) => generation,
        Ok(None) => return Err(error.failed(t!(locale, "account-gone"))),
        Err(query) => return Err(error.refuse_or_fail(query.into(), Doing::SignOutEverywhere, locale)),
    };
    if let Err(problem) = session::carry_over(&session, generation).await {
        tracing::error!(error = %problem, "keeping this session after signing out everywhere failed");
        return Err(error.failed(t!(locale, "settings-session-lost")));
    }
    crate::ssr::redirect("/settings?signed_out=1");
    Ok(())
}
