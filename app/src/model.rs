//! Data shapes shared by the server and the browser.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{i18n::Locale, t};

/// An article as it appears in a listing: no body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The author's name and picture; a listing carries no more of them
    /// (a bio is the author page's), so it stays small whatever authors
    /// write about themselves.
    pub author: String,
    pub author_image: Option<String>,
    /// Views counted so far (flushed in batches, so up to a few seconds old).
    pub views: i64,
    /// How many readers saved it.
    pub favorites_count: i32,
    /// In the order the author gave them.
    pub tag_list: Vec<String>,
    /// The language it is written in (`en` or `id`; see [`Locale::code`]),
    /// which cards and feed entries mark with `lang`.
    pub language: String,
}

/// One search result: the article and a few lines of it, as pieces of
/// text, each `true` when it is a word searched for (the page marks those).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub article: ArticleSummary,
    pub snippet: Vec<(String, bool)>,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchResults {
    /// Authors and tags named like the query (the first page only).
    pub names: NameMatches,
    pub hits: Vec<SearchHit>,
    /// 1-based.
    pub page: u32,
    pub pages: u32,
    /// How many articles match, counted up to `capped_at`.
    pub total: i64,
    /// The count's cap: `total` equal to it means "this many or more".
    pub capped_at: i64,
}

/// An author a search found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorMatch {
    pub username: String,
    pub image: Option<String>,
}

/// The authors and tags whose names start with what was searched for: the
/// short section above the stories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameMatches {
    pub authors: Vec<AuthorMatch>,
    pub tags: Vec<TagCount>,
}

/// A tag and how many published articles carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub tag: String,
    pub articles: i32,
}

/// The path of the page listing the articles tagged `tag`.
pub fn tag_path(tag: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    // Everything but the characters RFC 3986 leaves unreserved.
    const PATH_SEGMENT: &percent_encoding::AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    format!("/tags/{}", utf8_percent_encode(tag, PATH_SEGMENT))
}

/// A date as readers of `locale` see it, e.g. "Mar 4, 2026".
pub fn date_label(locale: Locale, at: DateTime<Utc>) -> String {
    locale.date(at)
}

impl ArticleSummary {
    /// The publication date as readers of `locale` see it.
    pub fn date_label(&self, locale: Locale) -> String {
        date_label(locale, self.published_at)
    }

    /// The date in the machine-readable form `<time datetime>` wants.
    pub fn date_iso(&self) -> String {
        self.published_at.format("%Y-%m-%d").to_string()
    }

    /// The language it is written in.
    pub fn locale(&self) -> Locale {
        Locale::from_code(&self.language)
    }
}

/// A whole article, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The description, or the body's opening words when there is none:
    /// what search results and link previews show.
    pub summary: String,
    /// The body rendered from Markdown and sanitized on the server.
    pub body_html: String,
    pub author: String,
    pub author_bio: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reading_minutes: u32,
    pub tags: Vec<String>,
    pub cover: Option<Cover>,
    /// The author's picture (an http(s) URL), if they gave one.
    pub author_image: Option<String>,
    /// How many readers saved it, when the page was cached.
    pub favorites_count: i32,
    /// The language it is written in: its text is marked with it, whatever
    /// the language of the page around it.
    pub language: Locale,
}

/// A cover image as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    /// The largest WebP copy, or the original until copies exist.
    pub src: String,
    /// `url 320w, url 768w, …` once copies exist.
    pub srcset: Option<String>,
    pub width: u32,
    pub height: u32,
}

impl Article {
    /// The publication date as readers of `locale` see it.
    pub fn date_label(&self, locale: Locale) -> String {
        date_label(locale, self.published_at)
    }

    /// Whether the article changed noticeably after it was published.
    pub fn was_updated(&self) -> bool {
        self.updated_at - self.published_at > chrono::Duration::hours(1)
    }
}

/// A draft, as its author's page lists it (to its author only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub slug: String,
    pub title: String,
    pub updated_at: DateTime<Utc>,
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

/// One page of the latest-articles listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub articles: Vec<ArticleSummary>,
    /// 1-based.
    pub page: u32,
    /// How many pages there are (0 when nothing is published).
    pub pages: u32,
}

/// The windows `/popular` ranks over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Every published article.
    #[default]
    All,
    /// Articles published in the last seven days.
    Week,
    /// Articles published in the last thirty days.
    Month,
}

impl Period {
    /// Every period, in tab order.
    pub const ALL: [Self; 3] = [Self::All, Self::Week, Self::Month];

    /// The name used in URLs and cache keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// Reads `?period=`; `None` for anything unknown.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|period| period.as_str() == raw)
    }

    /// How far back the window reaches; `None` for all time.
    pub fn window(self) -> Option<chrono::Duration> {
        match self {
            Self::All => None,
            Self::Week => Some(chrono::Duration::days(7)),
            Self::Month => Some(chrono::Duration::days(30)),
        }
    }

    /// The tab's label in `locale`.
    pub fn label(self, locale: Locale) -> String {
        match self {
            Self::All => t!(locale, "period-all"),
            Self::Week => t!(locale, "period-week"),
            Self::Month => t!(locale, "period-month"),
        }
    }
}

/// How many pages `total` items make at `per_page` a page.
pub fn page_count(total: i64, per_page: i64) -> u32 {
    u32::try_from((total.max(0) + per_page - 1) / per_page).unwrap_or(u32::MAX)
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

    #[test]
    fn tag_paths_are_one_encoded_segment() {
        assert_eq!(tag_path("rust"), "/tags/rust");
        assert_eq!(tag_path("c++/web dev?#"), "/tags/c%2B%2B%2Fweb%20dev%3F%23");
        assert_eq!(tag_path("kopi-ō"), "/tags/kopi-%C5%8D");
    }

    #[test]
    fn pages_round_up() {
        assert_eq!(page_count(0, 20), 0);
        assert_eq!(page_count(1, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
    }

    #[test]
    fn periods_read_back_what_they_write() {
        for period in Period::ALL {
            assert_eq!(Period::parse(period.as_str()), Some(period));
        }
        assert_eq!(Period::parse("year"), None);
    }
}
