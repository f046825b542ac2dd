//! Writing articles: what the editor and the JSON API change.
//!
//! An article is addressed by `(id, created_at)`, the partition key, so
//! every write reaches one partition. Callers run these inside one
//! transaction per change (see [`crate::ssr::publishing`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor};

use crate::{domain::ArticleText, i18n::Locale, model::DraftSummary};

/// An article as its author edits it, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableArticle {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub user_id: i64,
    pub author: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub body: String,
    pub tags: Vec<String>,
    pub published: bool,
    /// Published, but withheld by moderation (hidden, or its author
    /// suspended): public to nobody until restored.
    pub withheld: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub favorites_count: i32,
    /// `en` or `id`.
    pub language: String,
}

/// The article with `slug` (current or former), published or not. A slug
/// no article can have (NUL, overlong) is not looked up.
/// Shards: one (article_slugs.slug, articles.id, users.id).
#[tracing::instrument(skip_all)]
pub async fn by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<EditableArticle>> {
    if !crate::domain::could_name_something(slug, crate::domain::NAME_MAX) {
        return Ok(None);
    }
    sqlx::query_as!(
        EditableArticle,
        r#"
        SELECT a.id, a.created_at, a.user_id, u.username AS author, a.slug, a.title, a.description,
               a.body, a.status = 'published' AS "published!", a.status = 'withheld' AS "withheld!",
               a.published_at, a.updated_at,
               a.favorites_count, article_tag_list(a.id, a.created_at) AS "tags!", a.language
        FROM article_slugs s
        JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
        JOIN users u ON u.id = a.user_id
        WHERE s.slug = $1
        "#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// Inserts an article with `text` under a provisional `slug` (see
/// [`claim_slug`]) and returns its key. Without a language, it is its
/// author's (`users.locale`).
/// Shards: one (articles.id, users.id).
#[tracing::instrument(skip_all)]
pub async fn insert(
    db: &mut PgConnection,
    user_id: i64,
    slug: &str,
    text: &ArticleText,
    publish: bool,
) -> sqlx::Result<(i64, DateTime<Utc>)> {
    let row = sqlx::query!(
        r#"
        INSERT INTO articles (user_id, slug, title, description, body, status, published_at, language)
        VALUES ($1, $2, $3, $4, $5,
                CASE WHEN $6 THEN 'published' ELSE 'draft' END,
                CASE WHEN $6 THEN now() END,
                coalesce($7, (SELECT locale FROM users WHERE id = $1)))
        RETURNING id, created_at
        "#,
        user_id,
        slug,
        text.title,
        text.description,
        text.body,
        publish,
        text.language.map(Locale::code)
    )
    .fetch_one(db)
    .await?;
    Ok((row.id, row.created_at))
}

/// Gives the article `(id, created_at)` the slug `slug` if no article has
/// ever had it; `false` when it is taken. The registry's primary key makes
/// this safe against a concurrent claim.
/// Shards: one (article_slugs.slug, articles.id).
#[tracing::instrument(skip_all)]
pub async fn claim_slug(db: &mut PgConnection, id: i64, created_at: DateTime<Utc>, slug: &str) -> sqlx::Result<bool> {
    let claimed = sqlx::query!(
        "INSERT INTO article_slugs (slug, article_id, article_created_at) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO NOTHING",
        slug,
        id,
        created_at
    )
    .execute(&mut *db)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        sqlx::query!(
            "UPDATE articles SET slug = $1 WHERE id = $2 AND created_at = $3",
            slug,
            id,
            created_at
        )
        .execute(db)
        .await?;
    }
    Ok(claimed)
}

/// Whether the article `(id, created_at)` is published, locking its row
/// until the transaction ends (two publishes of one draft at once must not
/// both see it as a draft); `None` when it is gone.
/// Shards: one (articles.id).
#[tracing::instrument(skip_all)]
pub async fn lock_published(db: impl PgExecutor<'_>, id: i64, created_at: DateTime<Utc>) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        r#"SELECT status = 'published' AS "published!" FROM articles WHERE id = $1 AND created_at = $2 FOR UPDATE"#,
        id,
        created_at
    )
    .fetch_optional(db)
    .await
}

/// Replaces an article's text. `publish`: `Some(true)` publishes (keeping
/// the first publication date if it had one), `Some(false)` makes it a
/// draft again, `None` keeps the status.
/// Shards: one (articles.id).
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &mut PgConnection,
    id: i64,
    created_at: DateTime<Utc>,
    text: &ArticleText,
    publish: Option<bool>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE articles
        SET title = $3, description = $4, body = $5, language = coalesce($7, language),
            status = CASE WHEN $6::boolean IS NULL THEN status
                          WHEN $6 THEN 'published' ELSE 'draft' END,
            published_at = CASE WHEN $6 THEN coalesce(published_at, now()) ELSE published_at END,
            updated_at = now()
        WHERE id = $1 AND created_at = $2
        "#,
        id,
        created_at,
        text.title,
        text.description,
        text.body,
        publish,
        text.language.map(Locale::code)
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Makes `tags` (in order) the article's tags, each carrying the article's
/// publication time as it stands in this transaction (later changes move it
/// by trigger: see the `tag_listings` migration).
/// Shards: one (article_tags.article_id).
#[tracing::instrument(skip_all)]
pub async fn set_tags(db: &mut PgConnection, id: i64, created_at: DateTime<Utc>, tags: &[String]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM article_tags WHERE article_id = $1", id)
        .execute(&mut *db)
        .await?;
    sqlx::query!(
        "INSERT INTO article_tags (article_id, article_created_at, tag, position, published_at)
         SELECT $1, $2, tag, position::smallint,
                (SELECT published_at FROM articles WHERE id = $1 AND created_at = $2 AND status = 'published')
         FROM unnest($3::text[]) WITH ORDINALITY AS t (tag, position)",
        id,
        created_at,
        tags
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes an article with its slugs, tags and comments.
/// Shards: one (articles.id).
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, id: i64, created_at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM articles WHERE id = $1 AND created_at = $2", id, created_at)
        .execute(db)
        .await?;
    Ok(())
}

/// `user_id`'s drafts, most recently edited first (at most `limit`).
/// Shards: all — an author's drafts by user_id, spread by article id; the author's own editor list, small.
#[tracing::instrument(skip_all)]
pub async fn drafts(db: impl PgExecutor<'_>, user_id: i64, limit: i64) -> sqlx::Result<Vec<DraftSummary>> {
    sqlx::query_as!(
        DraftSummary,
        "SELECT slug, title, updated_at FROM articles
         WHERE user_id = $1 AND status = 'draft'
         ORDER BY updated_at DESC
         LIMIT $2",
        user_id,
        limit
    )
    .fetch_all(db)
    .await
}
