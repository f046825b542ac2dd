//! Getting back into an account, and showing an address is one's own: the
//! server functions behind "Forgot your password?", the reset page, the
//! verification page and the settings' "send the link again" (the flows
//! themselves are [`crate::ssr::recovery`]'s).
//!
//! Pages that carry a link's token in their URL are nobody's to keep: they
//! answer `Cache-Control: no-store` and `Referrer-Policy: same-origin`, so
//! neither a cache nor another site's logs ever hold a token. (Not
//! `no-referrer`: the forms on these pages need their `Referer`, which
//! names the page a refusal goes back to and the language it answers in.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, forms::FormError};

/// What a page holding a link's token shows: whether the link works, and
/// for a verification link the address it proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    pub works: bool,
    pub email: Option<String>,
}

/// Marks the answer to a request carrying a token as nobody's to keep or
/// to pass on.
#[cfg(feature = "ssr")]
fn keep_the_token_private() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
        response.insert_header(
            http::HeaderName::from_static("referrer-policy"),
            http::HeaderValue::from_static("same-origin"),
        );
    }
}

/// Asks for a link that sets a new password, sent to `email` if an account
/// has it. Answers the same either way (the page then says a link is on its
/// way if the address is known), and within a budget per address asking
/// and per account.
#[server(prefix = "/fn", endpoint = "forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), FormError> {
    use crate::{
        domain::Email,
        ssr::{
            client::ClientAddress,
            recovery::{self, LinkError},
        },
        t,
    };
    let locale = crate::i18n::request_locale();
    let mut error = FormError::default();
    error.keep("email", &email);
    let email = match Email::parse(&email) {
        Ok(email) => email,
        Err(invalid) => {
            error.add_invalid(&invalid, locale);
            return Err(crate::forms::refused(error));
        }
    };
    let state = expect_context::<crate::ssr::AppState>();
    match recovery::request_reset(&state, &email, locale, ClientAddress::of_request()).await {
        Ok(()) => {
            crate::ssr::redirect("/forgot-password?sent=1");
            Ok(())
        }
        Err(LinkError::Refused(refused)) => Err(error.refused_by(refused, locale)),
        Err(LinkError::Query(query)) => {
            tracing::error!(error = %query, "queuing a reset link failed");
            Err(error.failed(t!(locale, "forgot-failed")))
        }
    }
}

/// Whether the reset link with `token` works.
#[server(prefix = "/fn", endpoint = "reset-link")]
pub async fn reset_link(token: String) -> Result<LinkState, AppError> {
    use crate::ssr::{queries::links::Purpose, recovery};
    keep_the_token_private();
    let state = expect_context::<crate::ssr::AppState>();
    let link = recovery::find(&state, Purpose::Reset, &token).await?;
    Ok(LinkState {
        works: link.is_some(),
        email: None,
    })
}

/// Sets `password` on the account the reset link with `token` belongs to.
/// Every session and API token of the account ends, and the owner is told
/// by email; then they sign in with it.
#[server(prefix = "/fn", endpoint = "reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), FormError> {
    use crate::{
        auth::Doing,
        ssr::{
            client::ClientAddress,
            recovery::{self, Reset},
        },
        t,
    };
    keep_the_token_private();
    let locale = crate::i18n::request_locale();
    let mut error = FormError::default();
    let state = expect_context::<crate::ssr::AppState>();
    match recovery::reset_password(&state, &token, &password, ClientAddress::of_request()).await {
        Ok(Reset::Done(_)) => {
            crate::ssr::redirect("/login?reset=1");
            Ok(())
        }
        Ok(Reset::Refused(invalid)) => {
            error.add_invalid(&invalid, locale);
            Err(crate::forms::refused(error))
        }
        Ok(Reset::Invalid) => Err(crate::forms::refused(error.failed(t!(locale, "reset-link-dead")))),
        Err(problem) => Err(error.refuse_or_fail(problem.into(), Doing::ResetPassword, locale)),
    }
}

/// Whether the verification link with `token` works, and the address it
/// proves.
#[server(prefix = "/fn", endpoint = "verification-link")]
pub async fn verification_link(token: String) -> Result<LinkState, AppError> {
    use crate::ssr::{queries::links::Purpose, recovery};
    keep_the_token_private();
    let state = expect_context::<crate::ssr::AppState>();
    let link = recovery::find(&state, Purpose::Verify, &token).await?;
    Ok(LinkState {
        works: link.is_some(),
        email: link.map(|link| link.email),
    })
}

/// Verifies the address the link with `token` was sent to. A new address
/// from the settings replaces the old one now.
#[server(prefix = "/fn", endpoint = "verify-email")]
pub async fn confirm_email(token: String) -> Result<(), FormError> {
    use crate::{
        ssr::{
            recovery::{self, Verification},
            session,
        },
        t,
    };
    keep_the_token_private();
    let locale = crate::i18n::request_locale();
    let error = FormError::default();
    let state = expect_context::<crate::ssr::AppState>();
    match recovery::verify(&state, &token).await {
        Ok(Verification::Done(id)) => {
            // The account's own session goes back to its settings; anyone
            // else (another browser) to signing in.
            let signed_in = session::signed_in().await.is_some_and(|(reader, _)| reader == id);
            crate::ssr::redirect(if signed_in {
                "/settings?verified=1"
            } else {
                "/login?verified=1"
            });
            Ok(())
        }
        Ok(Verification::Invalid) => Err(crate::forms::refused(error.failed(t!(locale, "verify-link-dead")))),
        Ok(Verification::Taken) => Err(crate::forms::refused(error.failed(t!(locale, "verify-taken")))),
        Err(query) => {
            tracing::error!(error = %query, "verifying an address failed");
            Err(error.failed(t!(locale, "verify-failed")))
        }
    }
}

/// Sends the signed-in account's verification link again.
#[server(prefix = "/fn", endpoint = "resend-verification")]
pub async fn resend_verification() -> Result<(), FormError> {
    use crate::{
        ssr::{
            client::ClientAddress,
            recovery::{self, LinkError},
            session,
        },
        t,
    };
    let locale = crate::i18n::request_locale();
    let error = FormError::default();
    let Some((id, _)) = session::signed_in().await else {
        crate::ssr::redirect("/login?next=/settings");
        return Ok(());
    };
    let state = expect_context::<crate::ssr::AppState>();
    match recovery::resend_verification(&state, id, locale, ClientAddress::of_request()).await {
        Ok(_) => {
            crate::ssr::redirect("/settings?link_sent=1");
            Ok(())
        }
        Err(LinkError::Refused(refused)) => Err(error.refused_by(refused, locale)),
        Err(LinkError::Query(query)) => {
            tracing::error!(error = %query, "queuing a verification link failed");
            Err(error.failed(t!(locale, "verify-resend-failed")))
        }
    }
}
