//! Reading articles.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::{
    model::{Article, ArticleSummary},
    ssr::markdown,
};

/// The `limit` most recently published articles, newest first.
///
/// Served by the partial index `articles_published_recent_idx`
/// (`published_at DESC, id DESC WHERE status = 'published'`) on every
/// partition, merged in order, so it reads `limit` rows whatever the table size.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn latest_published(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ArticleSummary>> {
    sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, u.username AS author,
               a.published_at AS "published_at!"
        FROM articles a
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $1
        "#,
        limit
    )
    .fetch_all(db)
    .await
}

/// An article as stored, with its author: what the JSON API returns and
/// what the article page renders.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// Markdown, as the author wrote it.
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub author: String,
    pub author_bio: String,
    pub author_image: Option<String>,
}

impl ArticleRecord {
    /// The page's view: the body rendered to safe HTML.
    pub fn into_page(self) -> Article {
        Article {
            reading_minutes: markdown::reading_minutes(&self.body),
            body_html: markdown::to_safe_html(&self.body),
            slug: self.slug,
            title: self.title,
            description: self.description,
            author: self.author,
            author_bio: self.author_bio,
            published_at: self.published_at,
            updated_at: self.updated_at,
        }
    }
}

/// The published article that has (or once had) `slug`.
///
/// The slug registry gives the article's partition key, so Postgres reads a
/// single partition.
#[tracing::instrument(skip_all)]
pub async fn published_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<ArticleRecord>> {
    sqlx::query_as!(
        ArticleRecord,
        r#"
        SELECT a.slug, a.title, a.description, a.body, a.created_at,
               a.published_at AS "published_at!", a.updated_at,
               u.username AS author, u.bio AS author_bio, u.image AS author_image
        FROM article_slugs s
        JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
        JOIN users u ON u.id = a.user_id
        WHERE s.slug = $1 AND a.status = 'published'
        "#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// An author's published articles, newest first: `limit` of them after
/// skipping `offset`.
///
/// Served by `articles_author_published_idx`, merged across partitions in
/// order. Authorship is heavy-tailed: most authors have a handful of
/// articles, a few have tens of thousands. A generic (cached) plan assumes
/// the average author and sorts every row; for a prolific one that costs
/// 100 ms instead of 2. So this query is always planned for the actual
/// author (`plan_cache_mode = force_custom_plan`, in its own transaction).
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn published_by_author(
    db: &PgPool,
    author_id: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ArticleSummary>> {
    let mut tx = db.begin().await?;
    sqlx::query!("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let articles = sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, u.username AS author,
               a.published_at AS "published_at!"
        FROM articles a
        JOIN users u ON u.id = a.user_id
        WHERE a.user_id = $1 AND a.status = 'published'
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $2 OFFSET $3
        "#,
        author_id,
        limit,
        offset
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(articles)
}
