//! What any text a person writes may hold, and what a URL may name.

use super::invalid::{Fault, Invalid};

/// Whether `c` may appear in text a person writes. Never: control
/// characters (NUL, escape, DEL, the C1 range), line breaks and tabs
/// excepted in text that has lines; nor the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text
/// display in another order than it is stored ("Trojan Source",
/// CVE-2021-42574). The marks U+200E and U+200F, which right-to-left
/// writing needs, are allowed.
pub fn allowed_character(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => multiline,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => false,
        c => !c.is_control(),
    }
}

/// `field`'s fault if `text` holds a character [`allowed_character`] refuses.
pub fn check_characters(field: &'static str, text: &str, multiline: bool) -> Result<(), Invalid> {
    match text.chars().all(|c| allowed_character(c, multiline)) {
        true => Ok(()),
        false => Err(Invalid::new(field, Fault::BadCharacters)),
    }
}

/// `field`'s fault if `text` has more than `max` characters.
pub(super) fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), Invalid> {
    match text.chars().count() > max {
        true => Err(Invalid::new(field, Fault::TooLong { max })),
        false => Ok(()),
    }
}

/// Text with lines, as a form or a client sent it: CRLF (what browsers send
/// from a textarea) becomes LF, so text is stored the same whichever way it
/// arrived.
pub(super) fn with_plain_line_feeds(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Whether `raw`, from a URL's path or query, could name something stored
/// (a slug, a username, a tag): 1 to `max` bytes of printable text. Anything
/// else (NUL, a control character, ten kilobytes) names nothing, so callers
/// answer 404 or 422 without asking the database.
pub fn could_name_something(raw: &str, max: usize) -> bool {
    !raw.is_empty() && raw.len() <= max && raw.chars().all(|c| allowed_character(c, false))
}

/// The longest slug, username or tag a URL can name (in bytes).
pub const NAME_MAX: usize = 200;

/// The longest search a reader may type, in characters.
pub const SEARCH_MAX: usize = 200;

/// Whether `next` (where signing in goes on to) is a path on this site as
/// it stands: [`crate::site::local_path`], which builds every redirect,
/// would pass it unchanged. Anything it would change (`//evil.example`,
/// `/\\evil.example`, `/\t/evil.example`, a scheme) is refused rather than
/// mended: a link carrying it was not made by this site.
///
/// Nor may it carry a form's refusal (`__err`, `__path`, `__sig`): the page
/// it leads to would be opened by the hydrated router, which reads them
/// from the URL, without the server seeing them first.
///
/// Both as it stands and without its language prefix: `/id//evil.example`
/// is a path here, but not one this site makes.
pub fn is_local_path(next: &str) -> bool {
    let lowered = next.to_ascii_lowercase();
    let (_, unprefixed) = crate::i18n::Locale::split_path(next);
    // `/id?page=2` is `?page=2` without its prefix: the front page's query.
    let unprefixed = match unprefixed.starts_with(['?', '#']) {
        true => format!("/{unprefixed}"),
        false => unprefixed.to_owned(),
    };
    crate::site::local_path(next) == next
        && crate::site::local_path(&unprefixed) == unprefixed
        && !["__err", "__path", "__sig", "%5f_", "_%5f", "%5f%5f"]
            .iter()
            .any(|key| lowered.contains(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_urls_are_short_printable_text() {
        assert!(could_name_something("hello-world", NAME_MAX));
        assert!(could_name_something("ädä", NAME_MAX));
        assert!(!could_name_something("", NAME_MAX));
        assert!(!could_name_something(&"a".repeat(NAME_MAX + 1), NAME_MAX));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in [
            "/",
            "/editor",
            "/articles/a?b=c",
            "/@ada",
            "/id",
            "/id?page=2",
            "/id/settings",
        ] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "/\u{7f}",
            "/\u{0}",
            "/é",
            "editor",
            "/register?__path=/fn/register&__err=e30=",
            "/id//evil.example",
            "/id/\\evil.example",
            "/register?%5F%5Ferr=e30=",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
