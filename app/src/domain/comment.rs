//! What a reader says under an article.

use super::{
    invalid::{Fault, Invalid},
    text::{check_characters, check_length, with_plain_line_feeds},
};

/// How long a comment may be, in characters.
pub const COMMENT_MAX: usize = 5000;

/// A comment: 1 to 5,000 characters, with lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let body = with_plain_line_feeds(raw.trim());
        if body.is_empty() {
            return Err(Invalid::new("body", Fault::Blank));
        }
        check_length("body", &body, COMMENT_MAX)?;
        check_characters("body", &body, true)?;
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_have_limits() {
        assert!(CommentBody::parse(&"c".repeat(COMMENT_MAX)).is_ok());
        assert_eq!(
            CommentBody::parse(&"c".repeat(COMMENT_MAX + 1))
                .unwrap_err()
                .to_string(),
            "body is too long (at most 5000 characters)"
        );
        assert_eq!(
            CommentBody::parse(" \n ").unwrap_err().to_string(),
            "body can't be blank"
        );
    }
}
