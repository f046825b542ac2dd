//! Comments on articles, for the article page and the JSON API.
//!
//! Lists carry each writer's name and picture, not their bio: a list is
//! as long as its page, whatever the writers put in their profiles.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A comment with its author.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentRecord {
    pub id: i64,
    pub user_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub author: String,
    pub author_image: Option<String>,
    /// Hidden (by the article's author or a moderator), or by a suspended
    /// account: listed only for those who may restore it.
    pub hidden: bool,
}

/// `limit` comments on the article whose current or former slug is `slug`
/// after the comment with id `after` (from the first without), oldest
/// first: a keyset page, which costs the same however far into a long
/// thread it is. The slug registry gives the article's partition key, so
/// one partition is read. Hidden comments, and those of suspended
/// accounts, are left out unless `with_hidden` (for the article's author
/// and moderators, who see them greyed).
/// Shards: all — each comment's writer (name, picture, suspension) is on their own shard; first page cached an hour.
#[tracing::instrument(skip_all)]
pub async fn on_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
    after: Option<i64>,
    limit: i64,
    with_hidden: bool,
) -> sqlx::Result<Vec<CommentRecord>> {
    sqlx::query_as!(
        CommentRecord,
        r#"
        SELECT c.id, c.user_id, c.body, c.created_at, c.updated_at,
               u.username AS author, u.image AS author_image,
               (c.hidden_at IS NOT NULL OR u.suspended_at IS NOT NULL) AS "hidden!"
        FROM article_slugs s
        JOIN comments c ON c.article_id = s.article_id AND c.article_created_at = s.article_created_at
        JOIN users u ON u.id = c.user_id
        WHERE s.slug = $1 AND c.id > coalesce($2::bigint, 0)
          AND ($4 OR (c.hidden_at IS NULL AND u.suspended_at IS NULL))
        ORDER BY c.id
        LIMIT $3
        "#,
        slug,
        after,
        limit,
        with_hidden
    )
    .fetch_all(db)
    .await
}

/// Adds a comment by `user_id` and returns it.
/// Shards: one (comments.article_id, users.id).
#[tracing::instrument(skip_all)]
pub async fn add(
    db: impl PgExecutor<'_>,
    article_id: i64,
    article_created_at: DateTime<Utc>,
    user_id: i64,
    body: &str,
) -> sqlx::Result<CommentRecord> {
    sqlx::query_as!(
        CommentRecord,
        r#"
        WITH c AS (
            INSERT INTO comments (article_id, article_created_at, user_id, body)
            VALUES ($1, $2, $3, $4)
            RETURNING id, user_id, body, created_at, updated_at
        )
        SELECT c.id AS "id!", c.user_id AS "user_id!", c.body AS "body!", c.created_at AS "created_at!",
               c.updated_at AS "updated_at!", u.username AS author, u.image AS author_image,
               false AS "hidden!"
        FROM c JOIN users u ON u.id = c.user_id
        "#,
        article_id,
        article_created_at,
        user_id,
        body
    )
    .fetch_one(db)
    .await
}

/// Deletes comment `id`.
/// Shards: all — by comment id alone; the caller knows the article, and with its id this is one.
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM comments WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(())
}
