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
