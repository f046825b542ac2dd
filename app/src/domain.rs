//! What a valid username, email and password are. Parse, don't validate:
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
}
