//! What an author writes: an article's title, description, body and tags.

use super::{
    invalid::{Fault, Invalid},
    text::{check_characters, check_length, with_plain_line_feeds},
};

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
            faults.push(Invalid::new("title", Fault::Blank));
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
            faults.push(Invalid::new("body", Fault::Blank));
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
            return Err(Invalid::new("tags", Fault::TagTooLong { max: TAG_MAX }));
        }
        check_characters("tags", tag, false)?;
        let folded = tag.to_lowercase();
        if !seen.contains(&folded) {
            // Stop at once: the work per request stays bounded however
            // many tags arrive.
            if tidy.len() == TAGS_MAX {
                return Err(Invalid::new("tags", Fault::TooManyTags { max: TAGS_MAX }));
            }
            seen.push(folded);
            tidy.push(tag.to_owned());
        }
    }
    Ok(tidy)
}

/// The fault of a body of `bytes` bytes, if it is over `body_max`.
pub fn body_too_long(bytes: usize, body_max: usize) -> Option<Invalid> {
    (bytes > body_max).then(|| {
        Invalid::new(
            "body",
            Fault::TooLarge {
                max_kb: body_max / 1024,
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_report_every_fault_at_once() {
        let faults = ArticleText::parse(" ", &"d".repeat(301), "  \n ", &[], 1024).unwrap_err();
        let fields: Vec<_> = faults.iter().map(ToString::to_string).collect();
        assert_eq!(
            fields,
            [
                "title can't be blank",
                "description is too long (at most 300 characters)",
                "body can't be blank",
            ]
        );
        let long = ArticleText::parse(&"t".repeat(201), "", &"b".repeat(2049), &[], 2048).unwrap_err();
        assert_eq!(long[0].fault.to_string(), "is too long (at most 200 characters)");
        assert_eq!(long[1].fault.to_string(), "is too long (at most 2 KB)");
        assert!(ArticleText::parse(&"é".repeat(200), &"é".repeat(300), "b", &[], 1).is_ok());
    }

    #[test]
    fn tags_are_trimmed_deduplicated_in_order_and_limited() {
        let text = ArticleText::parse("T", "", "b", &split_tags(" rust, Web ,,rust, web, RUST "), 10).unwrap();
        assert_eq!(text.tags, ["rust", "Web"]);
        assert_eq!(join_tags(&text.tags), "rust, Web");
        let many: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
        assert_eq!(
            ArticleText::parse("T", "", "b", &many, 10).unwrap_err()[0]
                .fault
                .to_string(),
            "are too many (at most 10)"
        );
        assert_eq!(
            ArticleText::parse("T", "", "b", &["x".repeat(41)], 10).unwrap_err()[0].to_string(),
            "tags must each be at most 40 characters"
        );
        let repeats = vec!["same".to_owned(); 100_000];
        assert_eq!(ArticleText::parse("T", "", "b", &repeats, 10).unwrap().tags, ["same"]);
    }

    #[test]
    fn bodies_are_stored_with_plain_line_feeds() {
        let text = ArticleText::parse("T", "", "one\r\ntwo\r\n", &[], 100).unwrap();
        assert_eq!(text.body, "one\ntwo");
    }
}
