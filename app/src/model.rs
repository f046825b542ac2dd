//! Data shapes shared by the server and the browser.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An article as it appears in a listing: no body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published_at: DateTime<Utc>,
}

impl ArticleSummary {
    /// The publication date as readers see it, e.g. "Mar 4, 2026".
    pub fn date_label(&self) -> String {
        self.published_at.format("%b %-d, %Y").to_string()
    }

    /// The date in the machine-readable form `<time datetime>` wants.
    pub fn date_iso(&self) -> String {
        self.published_at.format("%Y-%m-%d").to_string()
    }
}

/// A whole article, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The body rendered from Markdown and sanitized on the server.
    pub body_html: String,
    pub author: String,
    pub author_bio: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reading_minutes: u32,
}

impl Article {
    /// The publication date as readers see it.
    pub fn date_label(&self) -> String {
        self.published_at.format("%b %-d, %Y").to_string()
    }

    /// Whether the article changed noticeably after it was published.
    pub fn was_updated(&self) -> bool {
        self.updated_at - self.published_at > chrono::Duration::hours(1)
    }
}

/// A writer, as their page introduces them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub username: String,
    pub bio: String,
    pub image: Option<String>,
}

/// One page of an author's published articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorPage {
    pub profile: Profile,
    pub articles: Vec<ArticleSummary>,
    /// 1-based.
    pub page: u32,
    pub has_more: bool,
}

/// Reads a `?page=` value: anything that is not a whole number from 1 up
/// (`abc`, `-1`, `0`, too large) means the first page.
pub fn parse_page(raw: Option<&str>) -> u32 {
    raw.and_then(|raw| raw.trim().parse::<u32>().ok())
        .filter(|page| *page >= 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_page_values_mean_the_first_page() {
        for raw in [None, Some("abc"), Some("-1"), Some("0"), Some("99999999999"), Some("")] {
            assert_eq!(parse_page(raw), 1, "{raw:?}");
        }
        assert_eq!(parse_page(Some("7")), 7);
    }
}
