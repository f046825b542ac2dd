//! What a valid username, email, password and article are. Parse, don't validate:
//! each type can only hold a value that passed its rules, and the same rules
//! run in the browser (for instant messages) and on the server (the only
//! check that counts).

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
        }) && !email.chars().any(|c| c.is_whitespace() || c.is_control());
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
        } else if title.chars().count() > TITLE_MAX {
            faults.push(Invalid::new(
                "title",
                format!("is too long (at most {TITLE_MAX} characters)"),
            ));
        }
        let description = description.trim();
        if description.chars().count() > DESCRIPTION_MAX {
            faults.push(Invalid::new(
                "description",
                format!("is too long (at most {DESCRIPTION_MAX} characters)"),
            ));
        }
        // Browsers send a form's line breaks as CRLF; stored as LF, a body
        // is the same whichever way it arrived. Not trimmed at the start:
        // leading spaces can be Markdown.
        let body = body.replace("\r\n", "\n");
        let body = body.trim_end();
        if body.trim_start().is_empty() {
            faults.push(Invalid::new("body", "can't be blank"));
        } else if let Some(fault) = body_too_long(body.len(), body_max) {
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
        if tag.chars().any(char::is_control) {
            return Err(Invalid::new("tags", "may not contain control characters"));
        }
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
}
