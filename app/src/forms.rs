//! A refused form: what every `ActionForm`'s server function answers when
//! it does not do what was asked, with and without JavaScript.
//!
//! With JavaScript the hydrated form reads the refusal from the response
//! (JSON, with a status: 422 for faults, 429 or 503 with `Retry-After`);
//! without it Leptos sends the browser back to the form with the refusal in
//! the URL (`?__err=`), and the form reads it back from there. The refusal
//! carries what the user typed, passwords excepted, so the form comes back
//! as they left it.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::{error_status, for_scripts};
use crate::{domain::Invalid, i18n::Locale, t};

/// A refused form: a message per field at fault, what the user typed, and,
/// when the server itself failed, a message for the whole form. Messages
/// are whole sentences in the language of the page the form is on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the form was not accepted")]
pub struct FormError {
    /// `(field, message)`, e.g. `("email", "Email has already been taken")`.
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
            .map(|(_, message)| message.clone())
    }

    /// Marks `invalid`'s field with its message in `locale`.
    pub fn add_invalid(&mut self, invalid: &Invalid, locale: Locale) {
        self.fields.push((invalid.field.to_owned(), invalid.localized(locale)));
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

    /// Marks `field` with `message`, a whole sentence in the form's language.
    #[cfg(feature = "ssr")]
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push((field.to_owned(), message.into()));
    }

    /// The form refused with `message`, a failure nobody typed.
    #[cfg(feature = "ssr")]
    pub(crate) fn failed(mut self, message: String) -> Self {
        self.form = Some(message);
        self
    }

    /// An attempt over its budget (429), or one whose budget cannot be
    /// counted just now (503), with `Retry-After` for scripts; the message
    /// on the form either way.
    #[cfg(feature = "ssr")]
    pub(crate) fn refused_by(self, refused: crate::ssr::throttle::Refused, locale: Locale) -> Self {
        use crate::ssr::throttle::Refused;
        let status = match refused {
            Refused::TooMany(_) => http::StatusCode::TOO_MANY_REQUESTS,
            Refused::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
        };
        for_scripts(status, Some(refused.retry_after()));
        self.failed(refused.message(locale))
    }
}

/// The language of the page a call came from: the request's on the
/// server; in the browser the address bar's, since a failed call is
/// reported outside any component.
#[cfg(feature = "ssr")]
fn calling_locale() -> Locale {
    crate::i18n::request_locale()
}

#[cfg(not(feature = "ssr"))]
fn calling_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    if let Some(path) = web_sys::window().and_then(|window| window.location().pathname().ok()) {
        return Locale::from_path(&path);
    }
    crate::i18n::use_locale()
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
        let locale = calling_locale();
        Self {
            form: Some(match value {
                ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => t!(locale, "form-unreachable"),
                unreadable if crate::error::is_unreadable_call(&unreadable) => t!(locale, "form-unreadable"),
                _ => t!(locale, "form-failed"),
            }),
            ..Self::default()
        }
    }
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
    use crate::domain::Fault;

    #[test]
    fn form_errors_name_the_field_and_keep_the_values() {
        let mut error = FormError {
            values: vec![("username".to_owned(), "ada".to_owned())],
            ..FormError::default()
        };
        error.add_invalid(&Invalid::new("email", Fault::Taken), Locale::En);
        assert_eq!(error.message("email").as_deref(), Some("Email has already been taken"));
        assert_eq!(error.message("username"), None);
        assert_eq!(error.value("username").as_deref(), Some("ada"));
        let mut error = FormError::default();
        error.add_invalid(&Invalid::new("current_password", Fault::Wrong), Locale::En);
        assert_eq!(
            error.message("current_password").as_deref(),
            Some("Current password is not right"),
            "field names read as words"
        );
        let mut error = FormError::default();
        error.add_invalid(&Invalid::new("email", Fault::Taken), Locale::Id);
        assert_eq!(error.message("email").as_deref(), Some("Email sudah dipakai"));
    }
}
