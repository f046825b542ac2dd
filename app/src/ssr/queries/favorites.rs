//! Favorites: the articles a reader saved, and how many readers saved each.
//!
//! Counts live on the article (`articles.favorites_count`, kept by a
//! trigger in the favoriting transaction), so listings show them for free;
//! whether the reader saved the articles on a page is one query per page
//! ([`saved_among`]).

use sqlx::{PgExecutor, PgPool};

use crate::model::ArticleSummary;

/// Whether a reader saved an article, and how many readers have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FavoriteState {
    pub favorited: bool,
    pub count: i32,
}

/// `user_id` saves (`save` true) or unsaves the published article with
/// `slug` (current or former); its current slug and state afterwards, or
/// `None` when no published article has that slug. Saving twice, or unsaving what was not
/// saved, changes nothing.
/// Shards: one (article_slugs.slug, articles.id).
#[tracing::instrument(skip_all, fields(save))]
pub async fn set(db: &PgPool, user_id: i64, slug: &str, save: bool) -> sqlx::Result<Option<(String, FavoriteState)>> {
    let mut tx = db.begin().await?;
    let Some(article) = sqlx::query!(
        r#"SELECT s.article_id, s.article_created_at, a.slug
           FROM article_slugs s
           JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
           WHERE s.slug = $1 AND a.status = 'published'"#,
        slug
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    if save {
        sqlx::query!(
            "INSERT INTO favorites (user_id, article_id, article_created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, article_id) DO NOTHING",
            user_id,
            article.article_id,
            article.article_created_at
        )
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM favorites WHERE user_id = $1 AND article_id = $2",
            user_id,
            article.article_id
        )
        .execute(&mut *tx)
        .await?;
    }
    let count = sqlx::query_scalar!(
        "SELECT favorites_count FROM articles WHERE id = $1 AND created_at = $2",
        article.article_id,
        article.article_created_at
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some((article.slug, FavoriteState { favorited: save, count })))
}

/// Whether `user_id` saved the published article with `slug`, and its
/// count; `None` when no published article has that slug.
/// Shards: one (article_slugs.slug, articles.id).
#[tracing::instrument(skip_all)]
pub async fn state(db: impl PgExecutor<'_>, user_id: Option<i64>, slug: &str) -> sqlx::Result<Option<FavoriteState>> {
    let row = sqlx::query!(
        r#"SELECT a.favorites_count,
                  EXISTS (SELECT 1 FROM favorites f WHERE f.user_id = $2 AND f.article_id = a.id) AS "favorited!"
           FROM article_slugs s
           JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
           WHERE s.slug = $1 AND a.status = 'published'"#,
        slug,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| FavoriteState {
        favorited: row.favorited,
        count: row.favorites_count,
    }))
}

/// Which of `slugs` (current ones, as listings carry) `user_id` saved: one
/// query for a page of articles.
/// Shards: all — one registry hop per slug of a listing page, then each article's shard; a page at most.
#[tracing::instrument(skip_all, fields(slugs = slugs.len()))]
pub async fn saved_among(db: impl PgExecutor<'_>, user_id: i64, slugs: &[String]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT s.slug AS "slug!"
           FROM article_slugs s
           JOIN favorites f ON f.user_id = $1 AND f.article_id = s.article_id
           WHERE s.slug = ANY($2)"#,
        user_id,
        slugs
    )
    .fetch_all(db)
    .await
}

/// `user_id`'s saved articles that are published, most recently saved
/// first: `limit` of them after skipping `offset`, and how many there are.
///
/// One index range of `favorites_recent_idx`, then each article from the
/// one partition that holds it.
/// Shards: all — a reader's saves sit with their articles, on every shard; the favorites tab, cached.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn saved_by(db: &PgPool, user_id: i64, limit: i64, offset: i64) -> sqlx::Result<(Vec<ArticleSummary>, i64)> {
    let articles = sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM (
            SELECT article_id, article_created_at, created_at
            FROM favorites
            WHERE user_id = $1
            ORDER BY created_at DESC, article_id DESC
        ) saved
        JOIN articles a ON a.id = saved.article_id AND a.created_at = saved.article_created_at
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
        ORDER BY saved.created_at DESC, saved.article_id DESC
        LIMIT $2 OFFSET $3
        "#,
        user_id,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
           FROM favorites f
           JOIN articles a ON a.id = f.article_id AND a.created_at = f.article_created_at
           WHERE f.user_id = $1 AND a.status = 'published'"#,
        user_id
    )
    .fetch_one(db)
    .await?;
    Ok((articles, total))
}
