//! What every field a user fills in may hold. Parse, don't validate: each
//! type can only hold a value that passed its rules, and the same rules run
//! in the browser (for instant messages), in the forms' server functions and
//! in the JSON API (the checks that count). The database repeats the limits
//! as `CHECK` constraints, the last line should a new path forget them.
//!
//! Two rules hold for all text: a length limit, and no character that can
//! make text misbehave where it is shown ([`check_characters`]).

use std::fmt;

/// A value a form or API field cannot take, and why, in the words the
/// RealWorld API uses (`can't be blank`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct Invalid {
    /// The field, as forms and the API name it.
    pub field: &'static str,
    /// What is wrong, as a phrase that follows the field's name.
    pub message: String,
}

impl Invalid {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Why a character is refused, as a phrase that follows the field's name.
const BAD_CHARACTERS: &str = "may not contain control characters or bidirectional overrides";

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
        false => Err(Invalid::new(field, BAD_CHARACTERS)),
    }
}

/// `field`'s fault if `text` has more than `max` characters.
fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), Invalid> {
    match text.chars().count() > max {
        true => Err(Invalid::new(field, format!("is too long (at most {max} characters)"))),
        false => Ok(()),
    }
}

/// Text with lines, as a form or a client sent it: CRLF (what browsers send
/// from a textarea) becomes LF, so text is stored the same whichever way it
/// arrived.
fn with_plain_line_feeds(text: &str) -> String {
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

/// How long a username may be.
pub const USERNAME_MAX: usize = 40;
/// Password length limits, in characters. Longer passwords are refused, not
/// truncated: a user must be able to sign in with exactly what they chose.
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 64;
/// The longest address RFC 5321 allows.
pub const EMAIL_MAX: usize = 254;

/// A username: 1 to 40 letters, digits, `_` or `-`; unique regardless of
/// case, spelled as its owner chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new("username", "can't be blank"));
        }
        if name.chars().count() > USERNAME_MAX {
            return Err(Invalid::new(
                "username",
                format!("is too long (at most {USERNAME_MAX} characters)"),
            ));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(Invalid::new("username", "may contain only letters, digits, _ and -"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, as far as syntax can tell: something@domain.tld,
/// without spaces. Whether it receives mail only a sent message can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim();
        if email.is_empty() {
            return Err(Invalid::new("email", "can't be blank"));
        }
        if email.len() > EMAIL_MAX {
            return Err(Invalid::new(
                "email",
                format!("is too long (at most {EMAIL_MAX} characters)"),
            ));
        }
        let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !email.chars().any(|c| c.is_whitespace() || !allowed_character(c, false));
        if !well_formed {
            return Err(Invalid::new("email", "is not an email address"));
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the length rules. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        // Not trimmed: spaces are characters the user chose.
        let length = raw.chars().count();
        if length == 0 {
            return Err(Invalid::new("password", "can't be blank"));
        }
        if length < PASSWORD_MIN {
            return Err(Invalid::new(
                "password",
                format!("is too short (at least {PASSWORD_MIN} characters)"),
            ));
        }
        if length > PASSWORD_MAX {
            return Err(Invalid::new(
                "password",
                format!("is too long (at most {PASSWORD_MAX} characters)"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself; only for hashing and verifying.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// Article limits: a title, an optional description, tags.
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 300;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 10;
/// The default limit on a body, in bytes of Markdown
/// (`WARTA_ARTICLE_MAX_KB` changes it).
pub const BODY_MAX_DEFAULT: usize = 100 * 1024;

/// What an author wrote, checked: a title (1 to 200 characters), a
/// description (up to 300), a Markdown body (not blank, at most `body_max`
/// bytes) and up to ten distinct tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    pub title: String,
    pub description: String,
    pub body: String,
    pub tags: Vec<String>,
}

impl ArticleText {
    /// Checks every field, reporting every fault at once so a form can
    /// mark them all.
    pub fn parse(
        title: &str,
        description: &str,
        body: &str,
        tags: &[String],
        body_max: usize,
    ) -> Result<Self, Vec<Invalid>> {
        let mut faults = Vec::new();
        let title = title.trim();
        if title.is_empty() {
            faults.push(Invalid::new("title", "can't be blank"));
        } else if let Err(fault) =
            check_length("title", title, TITLE_MAX).and_then(|()| check_characters("title", title, false))
        {
            faults.push(fault);
        }
        let description = description.trim();
        if let Err(fault) = check_length("description", description, DESCRIPTION_MAX)
            .and_then(|()| check_characters("description", description, false))
        {
            faults.push(fault);
        }
        // Not trimmed at the start: leading spaces can be Markdown.
        let body = with_plain_line_feeds(body);
        let body = body.trim_end();
        if body.trim_start().is_empty() {
            faults.push(Invalid::new("body", "can't be blank"));
        } else if let Some(fault) = body_too_long(body.len(), body_max) {
            faults.push(fault);
        } else if let Err(fault) = check_characters("body", body, true) {
            faults.push(fault);
        }
        let tags = match tidy_tags(tags) {
            Ok(tags) => tags,
            Err(fault) => {
                faults.push(fault);
                Vec::new()
            }
        };
        if !faults.is_empty() {
            return Err(faults);
        }
        Ok(Self {
            title: title.to_owned(),
            description: description.to_owned(),
            body: body.to_owned(),
            tags,
        })
    }
}

/// The tags in a comma-separated field, as typed (see [`ArticleText`] for
/// the rules they must then meet).
pub fn split_tags(raw: &str) -> Vec<String> {
    raw.split(',').map(str::to_owned).collect()
}

/// The tags written back as a field.
pub fn join_tags(tags: &[String]) -> String {
    tags.join(", ")
}

/// Trims tags, drops empty ones and repeats (regardless of case, keeping
/// the first spelling and the author's order) and checks what is left.
fn tidy_tags(tags: &[String]) -> Result<Vec<String>, Invalid> {
    let mut tidy: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for tag in tags.iter().map(|tag| tag.trim()).filter(|tag| !tag.is_empty()) {
        if tag.chars().count() > TAG_MAX {
            return Err(Invalid::new(
                "tags",
                format!("must each be at most {TAG_MAX} characters"),
            ));
        }
        check_characters("tags", tag, false)?;
        let folded = tag.to_lowercase();
        if !seen.contains(&folded) {
            // Stop at once: the work per request stays bounded however
            // many tags arrive.
            if tidy.len() == TAGS_MAX {
                return Err(Invalid::new("tags", format!("are too many (at most {TAGS_MAX})")));
            }
            seen.push(folded);
            tidy.push(tag.to_owned());
        }
    }
    Ok(tidy)
}

/// The fault of a body of `bytes` bytes, if it is over `body_max`.
pub fn body_too_long(bytes: usize, body_max: usize) -> Option<Invalid> {
    (bytes > body_max).then(|| Invalid::new("body", format!("is too long (at most {} KB)", body_max / 1024)))
}

/// How long a bio may be, in characters.
pub const BIO_MAX: usize = 1000;
/// How long a picture's address may be, in bytes.
pub const IMAGE_URL_MAX: usize = 2048;
/// How long a comment may be, in characters.
pub const COMMENT_MAX: usize = 5000;
/// The longest search a reader may type, in characters.
pub const SEARCH_MAX: usize = 200;

/// What a writer says about themself on their page: up to 1,000
/// characters, with lines; empty when they say nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bio = with_plain_line_feeds(raw.trim());
        check_length("bio", &bio, BIO_MAX)?;
        check_characters("bio", &bio, true)?;
        Ok(Self(bio))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The address of a writer's picture: an absolute `http` or `https` URL
/// with a host and no credentials, at most 2 KB, nothing a URL never holds
/// (spaces, quotes, angle brackets, control characters). Pages show it as
/// an image source, so no other scheme (`javascript:`, `data:`) can pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUrl(String);

impl ImageUrl {
    /// `None` for an empty field (no picture).
    pub fn parse(raw: &str) -> Result<Option<Self>, Invalid> {
        let url = raw.trim();
        if url.is_empty() {
            return Ok(None);
        }
        if url.len() > IMAGE_URL_MAX {
            return Err(Invalid::new(
                "image",
                format!("is too long (at most {} KB)", IMAGE_URL_MAX / 1024),
            ));
        }
        let lowercase = url.to_ascii_lowercase();
        let Some(rest) = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| lowercase.strip_prefix(scheme))
        else {
            return Err(Invalid::new("image", "must be an http(s) URL"));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let printable = url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^'));
        if host.is_empty() || host.contains('@') || !printable {
            return Err(Invalid::new("image", "must be an http(s) URL"));
        }
        Ok(Some(Self(url.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A comment: 1 to 5,000 characters, with lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let body = with_plain_line_feeds(raw.trim());
        if body.is_empty() {
            return Err(Invalid::new("body", "can't be blank"));
        }
        check_length("body", &body, COMMENT_MAX)?;
        check_characters("body", &body, true)?;
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `next` (where signing in goes on to) is a path on this site and
/// nothing else: it starts with one `/` (not `//`, a host), holds no `\`
/// (which browsers read as `/`), and only printable ASCII, since browsers
/// drop tabs and line breaks from URLs (`/\t/evil.example` is
/// `//evil.example` to them) and a header cannot carry the rest.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 2048
        && next.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_short_and_plain() {
        assert_eq!(Username::parse("  ada_l-1 ").unwrap().as_str(), "ada_l-1");
        assert_eq!(Username::parse("").unwrap_err().message, "can't be blank");
        assert_eq!(Username::parse("   ").unwrap_err().message, "can't be blank");
        assert!(Username::parse(&"a".repeat(40)).is_ok());
        assert!(
            Username::parse(&"a".repeat(41))
                .unwrap_err()
                .message
                .contains("too long")
        );
        for bad in ["ada lovelace", "ada@home", "<script>", "ädä"] {
            assert_eq!(Username::parse(bad).unwrap_err().field, "username", "{bad}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(Email::parse(" Ada@Example.org ").unwrap().as_str(), "Ada@Example.org");
        assert_eq!(Email::parse("").unwrap_err().message, "can't be blank");
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "a da@example.org",
            "ada@.org",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().message,
                "is not an email address",
                "{bad}"
            );
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_are_8_to_64_characters_never_truncated_or_printed() {
        assert_eq!(Password::parse("").unwrap_err().message, "can't be blank");
        assert!(Password::parse("1234567").unwrap_err().message.contains("too short"));
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(64)).is_ok(), "characters, not bytes");
        assert!(
            Password::parse(&"x".repeat(65))
                .unwrap_err()
                .message
                .contains("too long")
        );
        assert_eq!(Password::parse("  spaced  ").unwrap().expose(), "  spaced  ");
        assert_eq!(
            format!("{:?}", Password::parse("secret-password").unwrap()),
            "Password([redacted])"
        );
    }
    #[test]
    fn articles_report_every_fault_at_once() {
        let faults = ArticleText::parse(" ", &"d".repeat(301), "  \n ", &[], 1024).unwrap_err();
        let fields: Vec<_> = faults
            .iter()
            .map(|fault| (fault.field, fault.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("title", "can't be blank"),
                ("description", "is too long (at most 300 characters)"),
                ("body", "can't be blank"),
            ]
        );
        let long = ArticleText::parse(&"t".repeat(201), "", &"b".repeat(2049), &[], 2048).unwrap_err();
        assert_eq!(long[0].message, "is too long (at most 200 characters)");
        assert_eq!(long[1].message, "is too long (at most 2 KB)");
        assert!(ArticleText::parse(&"é".repeat(200), &"é".repeat(300), "b", &[], 1).is_ok());
    }

    #[test]
    fn tags_are_trimmed_deduplicated_in_order_and_limited() {
        let text = ArticleText::parse("T", "", "b", &split_tags(" rust, Web ,,rust, web, RUST "), 10).unwrap();
        assert_eq!(text.tags, ["rust", "Web"]);
        assert_eq!(join_tags(&text.tags), "rust, Web");
        let many: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
        assert_eq!(
            ArticleText::parse("T", "", "b", &many, 10).unwrap_err()[0].message,
            "are too many (at most 10)"
        );
        assert!(ArticleText::parse("T", "", "b", &["x".repeat(41)], 10).is_err());
        let repeats = vec!["same".to_owned(); 100_000];
        assert_eq!(ArticleText::parse("T", "", "b", &repeats, 10).unwrap().tags, ["same"]);
    }

    #[test]
    fn bodies_are_stored_with_plain_line_feeds() {
        let text = ArticleText::parse("T", "", "one\r\ntwo\r\n", &[], 100).unwrap();
        assert_eq!(text.body, "one\ntwo");
    }

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
            let faults = ArticleText::parse(bad, bad, bad, &[bad.to_owned()], 1024).unwrap_err();
            let fields: Vec<_> = faults.iter().map(|fault| fault.field).collect();
            assert_eq!(fields, ["title", "description", "body", "tags"], "{bad:?}");
            assert_eq!(faults[0].message, BAD_CHARACTERS);
            assert_eq!(Bio::parse(bad).unwrap_err().field, "bio", "{bad:?}");
            assert_eq!(CommentBody::parse(bad).unwrap_err().field, "body", "{bad:?}");
            assert!(Email::parse(&format!("{bad}@example.org")).is_err(), "{bad:?}");
            assert!(!could_name_something(bad, NAME_MAX), "{bad:?}");
        }
        // Lines and tabs belong in text that has lines, and nowhere else;
        // right-to-left marks are writing, not tricks.
        assert!(ArticleText::parse("T", "", "one\n\ttwo\r\n", &[], 100).is_ok());
        assert_eq!(
            ArticleText::parse("a\nb", "", "b", &[], 100).unwrap_err()[0].field,
            "title"
        );
        assert_eq!(Bio::parse("one\r\ntwo").unwrap().as_str(), "one\ntwo");
        assert!(ArticleText::parse("\u{5e9}\u{200F}\u{5dc}", "", "b", &[], 100).is_ok());
    }

    #[test]
    fn bios_and_comments_have_limits() {
        assert!(Bio::parse(&"é".repeat(BIO_MAX)).is_ok());
        assert!(
            Bio::parse(&"é".repeat(BIO_MAX + 1))
                .unwrap_err()
                .message
                .contains("too long")
        );
        assert_eq!(Bio::parse("  ").unwrap().as_str(), "");
        assert!(CommentBody::parse(&"c".repeat(COMMENT_MAX)).is_ok());
        assert!(CommentBody::parse(&"c".repeat(COMMENT_MAX + 1)).is_err());
        assert_eq!(CommentBody::parse(" \n ").unwrap_err().message, "can't be blank");
    }

    #[test]
    fn picture_addresses_are_short_web_urls() {
        assert_eq!(ImageUrl::parse("  "), Ok(None));
        for good in [
            "https://example.com/photo.jpg",
            "http://example.com",
            "HTTPS://x.org/a?b=c&d=%20#e",
        ] {
            assert_eq!(ImageUrl::parse(good).unwrap().unwrap().as_str(), good);
        }
        let long = format!("https://example.com/{}", "a".repeat(IMAGE_URL_MAX));
        assert!(ImageUrl::parse(&long).unwrap_err().message.contains("too long"));
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "//example.com/a.png",
            "https://",
            "https:///path",
            "https://user:pass@example.com/a.png",
            "https://example.com/a b.png",
            "https://example.com/\"onerror=\"x",
            "https://example.com/<script>",
            "https://example.com/\u{0}",
            "https://exämple.com/",
        ] {
            assert_eq!(ImageUrl::parse(bad).unwrap_err().field, "image", "{bad}");
        }
    }

    #[test]
    fn names_in_urls_are_short_printable_text() {
        assert!(could_name_something("hello-world", NAME_MAX));
        assert!(could_name_something("ädä", NAME_MAX));
        assert!(!could_name_something("", NAME_MAX));
        assert!(!could_name_something(&"a".repeat(NAME_MAX + 1), NAME_MAX));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/", "/editor", "/articles/a?b=c", "/@ada"] {
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
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
