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
