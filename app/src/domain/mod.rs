//! What every field a user fills in may hold. Parse, don't validate: each
//! type can only hold a value that passed its rules, and the same rules run
//! in the browser (for instant messages), in the forms' server functions and
//! in the JSON API (the checks that count). The database repeats the limits
//! as `CHECK` constraints, the last line should a new path forget them.
//!
//! Two rules hold for all text: a length limit, and no character that can
//! make text misbehave where it is shown ([`check_characters`]).
//!
//! A refusal is an [`Invalid`]: the field and a typed [`Fault`]. Its
//! `Display` is the English the JSON API answers with (`username can't be
//! blank`); [`Invalid::localized`] is the sentence a form shows its reader,
//! in the page's language (`Username can't be blank`).

mod account;
mod article;
mod comment;
mod invalid;
mod moderation;
mod text;

pub use account::{
    BIO_MAX, Bio, EMAIL_MAX, Email, IMAGE_URL_MAX, ImageUrl, PASSWORD_MAX, PASSWORD_MIN, Password, USERNAME_MAX,
    Username,
};
pub use article::{
    ArticleText, BODY_MAX_DEFAULT, DESCRIPTION_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, body_too_long, canonical_tag,
    join_tags, split_tags,
};
pub use comment::{COMMENT_MAX, CommentBody};
pub use invalid::{Fault, Invalid};
pub use moderation::{MODERATION_REASON_MAX, ModerationReason, REPORT_NOTE_MAX, ReportNote, ReportReason, Role};
pub use text::{NAME_MAX, SEARCH_MAX, allowed_character, check_characters, could_name_something, is_local_path};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_override_characters_are_refused_everywhere() {
        for bad in [
            "a\u{0}b",
            "a\u{1b}[31mb",
            "a\u{7f}",
            "a\u{85}b",
            "abc\u{202E}fed",
            "a\u{2066}b",
        ] {
            let faults = ArticleText::parse(bad, bad, bad, &[bad.to_owned()], None, 1024).unwrap_err();
            let fields: Vec<_> = faults.iter().map(|fault| fault.field).collect();
            assert_eq!(fields, ["title", "description", "body", "tags"], "{bad:?}");
            assert_eq!(faults[0].fault, Fault::BadCharacters);
            assert_eq!(
                faults[0].to_string(),
                "title may not contain control characters or bidirectional overrides"
            );
            assert_eq!(Bio::parse(bad).unwrap_err().field, "bio", "{bad:?}");
            assert_eq!(CommentBody::parse(bad).unwrap_err().field, "body", "{bad:?}");
            assert!(Email::parse(&format!("{bad}@example.org")).is_err(), "{bad:?}");
            assert!(!could_name_something(bad, NAME_MAX), "{bad:?}");
        }
        // Lines and tabs belong in text that has lines, and nowhere else;
        // right-to-left marks are writing, not tricks.
        assert!(ArticleText::parse("T", "", "one\n\ttwo\r\n", &[], None, 100).is_ok());
        assert_eq!(
            ArticleText::parse("a\nb", "", "b", &[], None, 100).unwrap_err()[0].field,
            "title"
        );
        assert!(ArticleText::parse("\u{5e9}\u{200F}\u{5dc}", "", "b", &[], None, 100).is_ok());
    }
}
