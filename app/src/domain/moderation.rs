//! What readers and moderators fill in: a report's reason and note, the
//! reason a moderator gives for an action, and the roles.

use serde::{Deserialize, Serialize};

use super::{
    invalid::{Fault, Invalid},
    text::{check_characters, check_length, with_plain_line_feeds},
};

/// How long a report's note may be, in characters.
pub const REPORT_NOTE_MAX: usize = 1000;
/// How long a moderator's reason may be, in characters.
pub const MODERATION_REASON_MAX: usize = 500;

/// Why a reader reports an article or a comment: a short list, so the
/// queue can be read at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportReason {
    /// Advertising, scams, the same thing posted again and again.
    Spam,
    /// Harassment, hate or threats against someone.
    Abuse,
    /// Sexual content.
    Sexual,
    /// Violence, or anything else against the law.
    Violence,
    Other,
}

impl ReportReason {
    /// Every reason, in the order the form lists them.
    pub const ALL: [Self; 5] = [Self::Spam, Self::Abuse, Self::Sexual, Self::Violence, Self::Other];

    /// The name stored and posted (`spam`, `abuse`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Abuse => "abuse",
            Self::Sexual => "sexual",
            Self::Violence => "violence",
            Self::Other => "other",
        }
    }

    /// The reason named `raw`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw.trim())
            .ok_or(Invalid::new("reason", Fault::NotAChoice))
    }
}

/// What a reporter adds: up to 1,000 characters, with lines; may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportNote(String);

impl ReportNote {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let note = with_plain_line_feeds(raw.trim());
        check_length("note", &note, REPORT_NOTE_MAX)?;
        check_characters("note", &note, true)?;
        Ok(Self(note))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a moderator acts: 1 to 500 characters on one line. Every action
/// needs one, since the record is read later by someone who was not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationReason(String);

impl ModerationReason {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let reason = raw.trim();
        if reason.is_empty() {
            return Err(Invalid::new("reason", Fault::Blank));
        }
        check_length("reason", reason, MODERATION_REASON_MAX)?;
        check_characters("reason", reason, false)?;
        Ok(Self(reason.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an account may do beyond reading and writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Reader,
    /// Works the moderation queue: hides and restores, suspends and
    /// restores accounts.
    Moderator,
    /// A moderator who can also make and unmake moderators from the site.
    Admin,
}

impl Role {
    /// The name stored (`reader`, `moderator`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// The role named `raw`; an unknown name is a reader (the database
    /// holds no other).
    pub fn from_stored(raw: &str) -> Self {
        match raw {
            "admin" => Self::Admin,
            "moderator" => Self::Moderator,
            _ => Self::Reader,
        }
    }

    /// Whether this role works the moderation queue.
    pub fn moderates(self) -> bool {
        self >= Self::Moderator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_one_of_the_reasons() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Ok(reason));
        }
        assert_eq!(ReportReason::parse(" spam "), Ok(ReportReason::Spam));
        assert_eq!(
            ReportReason::parse("SPAM").unwrap_err().to_string(),
            "reason is not one of the choices"
        );
        assert!(ReportReason::parse("").is_err());
    }

    #[test]
    fn notes_and_reasons_have_limits() {
        assert_eq!(ReportNote::parse("").unwrap().as_str(), "");
        assert!(ReportNote::parse(&"n".repeat(REPORT_NOTE_MAX)).is_ok());
        assert!(ReportNote::parse(&"n".repeat(REPORT_NOTE_MAX + 1)).is_err());
        assert_eq!(
            ModerationReason::parse("  ").unwrap_err().to_string(),
            "reason can't be blank"
        );
        assert!(ModerationReason::parse(&"r".repeat(MODERATION_REASON_MAX + 1)).is_err());
        assert!(ModerationReason::parse("spam\nagain").is_err(), "one line");
        assert_eq!(ModerationReason::parse(" spam ").unwrap().as_str(), "spam");
    }

    #[test]
    fn only_moderators_and_admins_moderate() {
        assert!(!Role::from_stored("reader").moderates());
        assert!(Role::from_stored("moderator").moderates());
        assert!(Role::from_stored("admin").moderates());
        assert!(!Role::from_stored("owner").moderates());
    }
}
