//! The fields of an account and its public profile: username, email,
//! password, bio and picture.

use std::fmt;

use super::{
    invalid::{Fault, Invalid},
    text::{allowed_character, check_characters, check_length, with_plain_line_feeds},
};

/// How long a username may be.
pub const USERNAME_MAX: usize = 40;
/// Password length limits, in characters. Longer passwords are refused, not
/// truncated: a user must be able to sign in with exactly what they chose.
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 64;
/// The longest address RFC 5321 allows.
pub const EMAIL_MAX: usize = 254;
/// How long a bio may be, in characters.
pub const BIO_MAX: usize = 1000;
/// How long a picture's address may be, in bytes.
pub const IMAGE_URL_MAX: usize = 2048;

/// A username: 1 to 40 letters, digits, `_` or `-`; unique regardless of
/// case, spelled as its owner chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new("username", Fault::Blank));
        }
        if name.chars().count() > USERNAME_MAX {
            return Err(Invalid::new("username", Fault::TooLong { max: USERNAME_MAX }));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(Invalid::new("username", Fault::NotAName));
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
            return Err(Invalid::new("email", Fault::Blank));
        }
        if email.len() > EMAIL_MAX {
            return Err(Invalid::new("email", Fault::TooLong { max: EMAIL_MAX }));
        }
        let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !email.chars().any(|c| c.is_whitespace() || !allowed_character(c, false));
        if !well_formed {
            return Err(Invalid::new("email", Fault::NotAnEmail));
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
            return Err(Invalid::new("password", Fault::Blank));
        }
        if length < PASSWORD_MIN {
            return Err(Invalid::new("password", Fault::TooShort { min: PASSWORD_MIN }));
        }
        if length > PASSWORD_MAX {
            return Err(Invalid::new("password", Fault::TooLong { max: PASSWORD_MAX }));
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
                Fault::TooLarge {
                    max_kb: IMAGE_URL_MAX / 1024,
                },
            ));
        }
        let lowercase = url.to_ascii_lowercase();
        let Some(rest) = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| lowercase.strip_prefix(scheme))
        else {
            return Err(Invalid::new("image", Fault::NotAWebUrl));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let printable = url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^'));
        if host.is_empty() || host.contains('@') || !printable {
            return Err(Invalid::new("image", Fault::NotAWebUrl));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_short_and_plain() {
        assert_eq!(Username::parse("  ada_l-1 ").unwrap().as_str(), "ada_l-1");
        assert_eq!(Username::parse("").unwrap_err().fault, Fault::Blank);
        assert_eq!(
            Username::parse("   ").unwrap_err().to_string(),
            "username can't be blank"
        );
        assert!(Username::parse(&"a".repeat(40)).is_ok());
        assert_eq!(
            Username::parse(&"a".repeat(41)).unwrap_err().to_string(),
            "username is too long (at most 40 characters)"
        );
        for bad in ["ada lovelace", "ada@home", "<script>", "ädä"] {
            assert_eq!(
                Username::parse(bad).unwrap_err(),
                Invalid::new("username", Fault::NotAName),
                "{bad}"
            );
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(Email::parse(" Ada@Example.org ").unwrap().as_str(), "Ada@Example.org");
        assert_eq!(Email::parse("").unwrap_err().fault, Fault::Blank);
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
                Email::parse(bad).unwrap_err().to_string(),
                "email is not an email address",
                "{bad}"
            );
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_are_8_to_64_characters_never_truncated_or_printed() {
        assert_eq!(Password::parse("").unwrap_err().fault, Fault::Blank);
        assert_eq!(
            Password::parse("1234567").unwrap_err().to_string(),
            "password is too short (at least 8 characters)"
        );
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(64)).is_ok(), "characters, not bytes");
        assert_eq!(
            Password::parse(&"x".repeat(65)).unwrap_err().to_string(),
            "password is too long (at most 64 characters)"
        );
        assert_eq!(Password::parse("  spaced  ").unwrap().expose(), "  spaced  ");
        assert_eq!(
            format!("{:?}", Password::parse("secret-password").unwrap()),
            "Password([redacted])"
        );
    }

    #[test]
    fn bios_have_a_limit_and_plain_line_feeds() {
        assert!(Bio::parse(&"é".repeat(BIO_MAX)).is_ok());
        assert_eq!(
            Bio::parse(&"é".repeat(BIO_MAX + 1)).unwrap_err().to_string(),
            "bio is too long (at most 1000 characters)"
        );
        assert_eq!(Bio::parse("  ").unwrap().as_str(), "");
        assert_eq!(Bio::parse("one\r\ntwo").unwrap().as_str(), "one\ntwo");
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
        assert_eq!(
            ImageUrl::parse(&long).unwrap_err().to_string(),
            "image is too long (at most 2 KB)"
        );
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
            assert_eq!(
                ImageUrl::parse(bad).unwrap_err().to_string(),
                "image must be an http(s) URL",
                "{bad}"
            );
        }
    }
}
