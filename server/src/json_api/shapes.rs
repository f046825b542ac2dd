//! The API's response bodies, in RealWorld's shapes: articles, profiles
//! and their envelopes.
//!
//! A leaf beside the handlers rather than in `json_api/mod.rs`: the handler
//! modules all build these, and the router in `mod.rs` depends on the
//! handler modules, so shapes kept there would make every handler import
//! its own parent.

use app::{
    model::ArticleSummary,
    ssr::{
        AppState,
        queries::{QueryError, favorites},
    },
};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{error::ApiError, users::Caller};

/// A whole article: a list item plus its Markdown body.
#[derive(Debug, Serialize)]
pub(super) struct ArticleBody {
    #[serde(flatten)]
    pub(super) item: ArticleListItem,
    pub(super) body: String,
}

/// An article in a list: everything but the body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArticleListItem {
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) tag_list: Vec<String>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) favorited: bool,
    pub(super) favorites_count: i32,
    pub(super) author: ProfileBody,
    /// `en` or `id` (beyond the RealWorld specification).
    pub(super) language: String,
}

impl From<ArticleSummary> for ArticleListItem {
    fn from(article: ArticleSummary) -> Self {
        Self {
            slug: article.slug,
            title: article.title,
            description: article.description,
            tag_list: article.tag_list,
            created_at: article.created_at,
            updated_at: article.updated_at,
            favorited: false,
            favorites_count: article.favorites_count,
            // A listing carries the author's name and picture only.
            author: ProfileBody::new(article.author, String::new(), article.author_image),
            language: article.language,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArticlesEnvelope {
    pub(super) articles: Vec<ArticleListItem>,
    pub(super) articles_count: i64,
}

impl ArticlesEnvelope {
    /// A page of articles as `caller` sees it: `favorited` set on those
    /// they saved, in one query for the page.
    pub(super) async fn seen_by(
        state: &AppState,
        caller: Option<&Caller>,
        articles: Vec<ArticleSummary>,
        total: i64,
    ) -> Result<Self, ApiError> {
        let mut articles: Vec<ArticleListItem> = articles.into_iter().map(ArticleListItem::from).collect();
        if let Some(caller) = caller.filter(|_| !articles.is_empty()) {
            let slugs: Vec<String> = articles.iter().map(|article| article.slug.clone()).collect();
            let saved = favorites::saved_among(&state.db, caller.account.id, &slugs)
                .await
                .map_err(QueryError::from)?;
            for article in &mut articles {
                article.favorited = saved.contains(&article.slug);
            }
        }
        Ok(Self {
            articles,
            articles_count: total,
        })
    }
}

#[derive(Debug, Serialize)]
pub(super) struct ProfileBody {
    pub(super) username: String,
    pub(super) bio: Option<String>,
    pub(super) image: Option<String>,
    pub(super) following: bool,
}

impl ProfileBody {
    /// The profile as a reader who does (or does not) follow it sees it.
    pub(super) fn followed(mut self, following: bool) -> Self {
        self.following = following;
        self
    }

    /// A profile as an anonymous reader sees it (an empty bio is `null`).
    pub(super) fn new(username: String, bio: String, image: Option<String>) -> Self {
        Self {
            username,
            bio: Some(bio).filter(|bio| !bio.is_empty()),
            image,
            following: false,
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct ArticleEnvelope {
    pub(super) article: ArticleBody,
}

#[derive(Debug, Serialize)]
pub(super) struct ProfileEnvelope {
    pub(super) profile: ProfileBody,
}
