//! A refusal: which field, and what is wrong with its value, in the API's
//! English and in a reader's language.

use crate::i18n::Locale;

/// A value a form or API field cannot take, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {fault}")]
pub struct Invalid {
    /// The field, as forms and the API name it.
    pub field: &'static str,
    /// What is wrong with its value.
    pub fault: Fault,
}

/// What is wrong with a value. `Display` is the phrase that follows the
/// field's name in the words the RealWorld API uses (`can't be blank`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("can't be blank")]
    Blank,
    /// Over a limit in characters.
    #[error("is too long (at most {max} characters)")]
    TooLong { max: usize },
    /// Over a limit in kilobytes.
    #[error("is too long (at most {max_kb} KB)")]
    TooLarge { max_kb: usize },
    #[error("is too short (at least {min} characters)")]
    TooShort { min: usize },
    /// A character [`allowed_character`](super::allowed_character) refuses.
    #[error("may not contain control characters or bidirectional overrides")]
    BadCharacters,
    /// A username with more than letters, digits, `_` and `-`.
    #[error("may contain only letters, digits, _ and -")]
    NotAName,
    #[error("is not an email address")]
    NotAnEmail,
    #[error("must be an http(s) URL")]
    NotAWebUrl,
    #[error("must each be at most {max} characters")]
    TagTooLong { max: usize },
    /// A tag with a character besides letters, digits, `_`, spaces and hyphens
    /// (see `domain::article::canonical_tag`), or none at all.
    #[error("may hold only letters, digits, _, spaces and hyphens")]
    NotATag,
    #[error("are too many (at most {max})")]
    TooManyTags { max: usize },
    /// A username or email someone else has.
    #[error("has already been taken")]
    Taken,
    /// A password that is not the account's.
    #[error("is not right")]
    Wrong,
    /// A password among the most common, or made of the account's own
    /// name or address (see `ssr::passwords::too_easy`).
    #[error("is too easy to guess")]
    TooEasy,
    /// A value a list of choices does not hold (a report's reason).
    #[error("is not one of the choices")]
    NotAChoice,
}

impl Invalid {
    /// `field`'s `fault`.
    pub fn new(field: &'static str, fault: Fault) -> Self {
        Self { field, fault }
    }

    /// The refusal as a form shows it in `locale`: a sentence that starts
    /// with the field's name, "Username can't be blank". In English it is
    /// the API's message with the name capitalized.
    pub fn localized(&self, locale: Locale) -> String {
        let field = field_name(locale, self.field);
        let text = match self.fault {
            Fault::Blank => crate::t!(locale, "fault-blank", field = field),
            Fault::TooLong { max } => crate::t!(locale, "fault-too-long", field = field, max = max),
            Fault::TooLarge { max_kb } => crate::t!(locale, "fault-too-large", field = field, max = max_kb),
            Fault::TooShort { min } => crate::t!(locale, "fault-too-short", field = field, min = min),
            Fault::BadCharacters => crate::t!(locale, "fault-bad-characters", field = field),
            Fault::NotAName => crate::t!(locale, "fault-not-a-name", field = field),
            Fault::NotAnEmail => crate::t!(locale, "fault-not-an-email", field = field),
            Fault::NotAWebUrl => crate::t!(locale, "fault-not-a-web-url", field = field),
            Fault::TagTooLong { max } => crate::t!(locale, "fault-tag-too-long", field = field, max = max),
            Fault::NotATag => crate::t!(locale, "fault-not-a-tag", field = field),
            Fault::TooManyTags { max } => crate::t!(locale, "fault-too-many-tags", field = field, max = max),
            Fault::Taken => crate::t!(locale, "fault-taken", field = field),
            Fault::Wrong => crate::t!(locale, "fault-wrong", field = field),
            Fault::TooEasy => crate::t!(locale, "fault-too-easy", field = field),
            Fault::NotAChoice => crate::t!(locale, "fault-not-a-choice", field = field),
        };
        capitalized(&text)
    }
}

/// A form field's name as a message in `locale` uses it, in lower case.
fn field_name(locale: Locale, field: &str) -> String {
    match field {
        "username" => crate::t!(locale, "field-username"),
        "email" => crate::t!(locale, "field-email"),
        "password" => crate::t!(locale, "field-password"),
        "current_password" => crate::t!(locale, "field-current-password"),
        "your_password" => crate::t!(locale, "field-your-password"),
        "bio" => crate::t!(locale, "field-bio"),
        "image" => crate::t!(locale, "field-image"),
        "title" => crate::t!(locale, "field-title"),
        "description" => crate::t!(locale, "field-description"),
        "body" => crate::t!(locale, "field-body"),
        "tags" => crate::t!(locale, "field-tags"),
        "language" => crate::t!(locale, "field-language"),
        "reason" => crate::t!(locale, "field-reason"),
        "note" => crate::t!(locale, "field-note"),
        // A field no form shows (the API's `q`): as the code names it.
        other => other.replace('_', " "),
    }
}

/// `text` with a capital first letter, as a sentence starts.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fault, for the tests that go through them all.
    const FAULTS: [Fault; 15] = [
        Fault::Blank,
        Fault::TooLong { max: 1000 },
        Fault::TooLarge { max_kb: 100 },
        Fault::TooShort { min: 8 },
        Fault::BadCharacters,
        Fault::NotAName,
        Fault::NotAnEmail,
        Fault::NotAWebUrl,
        Fault::TagTooLong { max: 40 },
        Fault::NotATag,
        Fault::TooManyTags { max: 10 },
        Fault::Taken,
        Fault::Wrong,
        Fault::TooEasy,
        Fault::NotAChoice,
    ];

    /// Every field a form shows a message beside.
    const FIELDS: [&str; 14] = [
        "username",
        "email",
        "password",
        "current_password",
        "your_password",
        "bio",
        "image",
        "title",
        "description",
        "body",
        "tags",
        "language",
        "reason",
        "note",
    ];

    #[test]
    fn the_api_reads_the_field_then_the_phrase() {
        assert_eq!(
            Invalid::new("username", Fault::Blank).to_string(),
            "username can't be blank"
        );
        assert_eq!(
            Invalid::new("body", Fault::TooLarge { max_kb: 8 }).to_string(),
            "body is too long (at most 8 KB)"
        );
        assert_eq!(
            Invalid::new("q", Fault::BadCharacters).to_string(),
            "q may not contain control characters or bidirectional overrides"
        );
    }

    /// Forms said "{Field} {phrase}" before they had languages, and English
    /// pages still say exactly that.
    #[test]
    fn english_forms_capitalize_the_api_message() {
        for field in FIELDS {
            for fault in FAULTS {
                let invalid = Invalid::new(field, fault);
                let expected = format!("{} {fault}", capitalized(&field.replace('_', " ")));
                assert_eq!(invalid.localized(Locale::En), expected);
            }
        }
        assert_eq!(
            Invalid::new("current_password", Fault::Wrong).localized(Locale::En),
            "Current password is not right"
        );
    }

    #[test]
    fn indonesian_forms_name_the_field_in_indonesian() {
        assert_eq!(
            Invalid::new("username", Fault::Blank).localized(Locale::Id),
            "Nama pengguna tidak boleh kosong"
        );
        assert_eq!(
            Invalid::new("bio", Fault::TooLong { max: 1000 }).localized(Locale::Id),
            "Bio terlalu panjang (maksimal 1000 karakter)"
        );
        for field in FIELDS {
            for fault in FAULTS {
                let text = Invalid::new(field, fault).localized(Locale::Id);
                assert!(!text.contains("fault-") && !text.contains("field-"), "{text}");
                assert!(text.starts_with(char::is_uppercase), "{text}");
            }
        }
    }
}
