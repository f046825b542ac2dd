//! What an author writes: an article's title, description, body and tags.

use crate::i18n::Locale;

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
/// bytes), up to ten distinct tags and the language it is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    pub title: String,
    pub description: String,
    pub body: String,
    pub tags: Vec<String>,
    /// `None` when the writer did not say: a new article is then in its
    /// author's language, an edited one keeps its own.
    pub language: Option<Locale>,
}

impl ArticleText {
    /// Checks every field, reporting every fault at once so a form can
    /// mark them all. A language, when given, is `en` or `id`.
    pub fn parse(
        title: &str,
        description: &str,
        body: &str,
        tags: &[String],
        language: Option<&str>,
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
        let language = match language.map(str::trim) {
            None => None,
            Some(code) => match Locale::ALL.into_iter().find(|locale| locale.code() == code) {
                Some(locale) => Some(locale),
                None => {
                    faults.push(Invalid::new("language", Fault::NotAChoice));
                    None
                }
            },
        };
        if !faults.is_empty() {
            return Err(faults);
        }
        Ok(Self {
            title: title.to_owned(),
            description: description.to_owned(),
            body: body.to_owned(),
            tags,
            language,
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

/// A tag's one spelling: lower case (Unicode's folding), letters and
/// digits of any script and `_`, words joined by single hyphens, 1 to
/// [`TAG_MAX`] characters. Spaces, `-`, `.` and `/` between words become
/// one hyphen ("Web Development" and "web--development" are
/// `web-development`, "Node.js" is `node-js`); any other character is
/// refused, and so is a tag that is nothing but separators.
///
/// The database holds every stored tag to the ASCII part of this (the
/// `article_tags_tag_canonical` check); the pages answer any other spelling
/// of a tag with a redirect to this one.
pub fn canonical_tag(raw: &str) -> Result<String, Fault> {
    let mut tag = String::with_capacity(raw.len());
    let mut pending_hyphen = false;
    for c in raw.trim().chars() {
        if c.is_whitespace() || matches!(c, '-' | '.' | '/') {
            pending_hyphen = !tag.is_empty();
        } else if c.is_alphanumeric() || c == '_' {
            if pending_hyphen {
                tag.push('-');
                pending_hyphen = false;
            }
            tag.extend(c.to_lowercase());
        } else {
            return Err(Fault::NotATag);
        }
        // Bounded work for any input: a tag that is already too long.
        if tag.len() > 4 * TAG_MAX {
            return Err(Fault::TagTooLong { max: TAG_MAX });
        }
    }
    match tag.chars().count() {
        0 => Err(Fault::NotATag),
        n if n > TAG_MAX => Err(Fault::TagTooLong { max: TAG_MAX }),
        _ => Ok(tag),
    }
}

/// Puts each tag in its [canonical](canonical_tag) spelling, drops empty
/// ones and repeats (keeping the author's order) and checks what is left.
fn tidy_tags(tags: &[String]) -> Result<Vec<String>, Invalid> {
    let mut tidy: Vec<String> = Vec::new();
    for tag in tags.iter().map(|tag| tag.trim()).filter(|tag| !tag.is_empty()) {
        check_characters("tags", tag, false)?;
        let tag = canonical_tag(tag).map_err(|fault| Invalid::new("tags", fault))?;
        if !tidy.contains(&tag) {
            // Stop at once: the work per request stays bounded however
            // many tags arrive.
            if tidy.len() == TAGS_MAX {
                return Err(Invalid::new("tags", Fault::TooManyTags { max: TAGS_MAX }));
            }
            tidy.push(tag);
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
        let faults = ArticleText::parse(" ", &"d".repeat(301), "  \n ", &[], None, 1024).unwrap_err();
        let fields: Vec<_> = faults.iter().map(ToString::to_string).collect();
        assert_eq!(
            fields,
            [
                "title can't be blank",
                "description is too long (at most 300 characters)",
                "body can't be blank",
            ]
        );
        let long = ArticleText::parse(&"t".repeat(201), "", &"b".repeat(2049), &[], None, 2048).unwrap_err();
        assert_eq!(long[0].fault.to_string(), "is too long (at most 200 characters)");
        assert_eq!(long[1].fault.to_string(), "is too long (at most 2 KB)");
        assert!(ArticleText::parse(&"é".repeat(200), &"é".repeat(300), "b", &[], None, 1).is_ok());
    }

    #[test]
    fn tags_are_trimmed_deduplicated_in_order_and_limited() {
        let text = ArticleText::parse("T", "", "b", &split_tags(" rust, Web ,,rust, web, RUST "), None, 10).unwrap();
        assert_eq!(text.tags, ["rust", "web"]);
        assert_eq!(join_tags(&text.tags), "rust, web");
        let many: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
        assert_eq!(
            ArticleText::parse("T", "", "b", &many, None, 10).unwrap_err()[0]
                .fault
                .to_string(),
            "are too many (at most 10)"
        );
        assert_eq!(
            ArticleText::parse("T", "", "b", &["x".repeat(41)], None, 10).unwrap_err()[0].to_string(),
            "tags must each be at most 40 characters"
        );
        let repeats = vec!["same".to_owned(); 100_000];
        assert_eq!(
            ArticleText::parse("T", "", "b", &repeats, None, 10).unwrap().tags,
            ["same"]
        );
    }

    #[test]
    fn a_tag_has_one_spelling() {
        for (typed, canonical) in [
            ("Bersepeda", "bersepeda"),
            ("  Web Development ", "web-development"),
            ("web--development", "web-development"),
            ("h_1765148400abc123", "h_1765148400abc123"),
            ("--web -- development--", "web-development"),
            ("Node.js", "node-js"),
            ("CI/CD", "ci-cd"),
            ("ÉCOLE", "école"),
            ("Ωμέγα", "ωμέγα"),
            ("日本語", "日本語"),
            ("2026", "2026"),
        ] {
            assert_eq!(canonical_tag(typed), Ok(canonical.to_owned()), "{typed}");
            assert_eq!(
                canonical_tag(canonical),
                Ok(canonical.to_owned()),
                "{canonical} is its own spelling"
            );
        }
        for refused in ["c++", "c#", "rock&roll", "<b>", "a,b", "🚲", "", " - . / "] {
            assert!(canonical_tag(refused).is_err(), "{refused:?}");
        }
        assert_eq!(canonical_tag(&"x".repeat(40)), Ok("x".repeat(40)));
        assert_eq!(canonical_tag(&"x".repeat(41)), Err(Fault::TagTooLong { max: 40 }));
        assert_eq!(
            canonical_tag(&"x".repeat(1_000_000)),
            Err(Fault::TagTooLong { max: 40 }),
            "a huge tag is refused as soon as it is too long"
        );
        let faults = ArticleText::parse("T", "", "b", &split_tags("rust, c++"), None, 10).unwrap_err();
        assert_eq!(
            faults[0].to_string(),
            "tags may hold only letters, digits, _, spaces and hyphens"
        );
        let same = ArticleText::parse(
            "T",
            "",
            "b",
            &split_tags("Web Development, web-development, WEB.DEVELOPMENT"),
            None,
            10,
        );
        assert_eq!(same.unwrap().tags, ["web-development"]);
    }

    #[test]
    fn an_article_is_in_english_or_indonesian() {
        let parse = |language| ArticleText::parse("T", "", "b", &[], language, 10);
        assert_eq!(parse(Some("id")).unwrap().language, Some(Locale::Id));
        assert_eq!(parse(Some("en")).unwrap().language, Some(Locale::En));
        assert_eq!(
            parse(None).unwrap().language,
            None,
            "not said: decided where it is saved"
        );
        for other in ["fr", "", "EN", "english"] {
            let faults = parse(Some(other)).unwrap_err();
            assert_eq!(faults[0].to_string(), "language is not one of the choices", "{other:?}");
        }
    }

    #[test]
    fn bodies_are_stored_with_plain_line_feeds() {
        let text = ArticleText::parse("T", "", "one\r\ntwo\r\n", &[], None, 100).unwrap();
        assert_eq!(text.body, "one\ntwo");
    }
}
