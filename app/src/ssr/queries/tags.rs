//! Tags: the articles carrying one, and the most used.

use sqlx::{PgExecutor, PgPool};

use crate::model::{ArticleSummary, TagCount};

/// `limit` published articles tagged `tag`, newest first, after skipping
/// `offset`, and how many there are.
///
/// The page is one range of `article_tags_published_idx` (`offset + limit`
/// entries, however many articles carry the tag), then each article from
/// the one partition holding it; the count is one row of `tag_counts`.
/// Shards: all — a tag's articles are spread by id: every shard reads its range of the tag index; cached.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn published_with(
    db: &PgPool,
    tag: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ArticleSummary>, i64)> {
    let articles = sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM (
            SELECT article_id, article_created_at, published_at
            FROM article_tags
            WHERE tag = $1 AND published_at IS NOT NULL
            ORDER BY published_at DESC, article_id DESC
            LIMIT $2 OFFSET $3
        ) page
        JOIN articles a ON a.id = page.article_id AND a.created_at = page.article_created_at
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
        ORDER BY page.published_at DESC, page.article_id DESC
        "#,
        tag,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT coalesce((SELECT articles FROM tag_counts WHERE tag = $1), 0)::bigint AS "count!""#,
        tag
    )
    .fetch_one(db)
    .await?;
    Ok((articles, total))
}

/// The `limit` tags on the most published articles, most used first (ties:
/// the one used last first). Reads the top of `tag_counts_popular_idx`.
/// Shards: all — the top of tag_counts, spread by tag, from every shard; cached with the latest listing.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn popular(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<TagCount>> {
    sqlx::query_as!(
        TagCount,
        r#"SELECT tag, articles FROM tag_counts
           WHERE articles > 0
           ORDER BY articles DESC, last_used DESC
           LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// How many tags published articles carry: how many tags' sitemaps there
/// are.
/// Shards: all — tag_counts is spread by tag; the sitemap index, cached an hour.
#[tracing::instrument(skip_all)]
pub async fn listed_count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM tag_counts WHERE articles > 0"#)
        .fetch_one(db)
        .await
}

/// `limit` of the tags published articles carry, in order from `offset`,
/// each with when it was last used: one tags' sitemap.
/// Shards: all — tag_counts is spread by tag; sitemaps, cached an hour.
#[tracing::instrument(skip_all, fields(offset, limit))]
pub async fn listed(
    db: impl PgExecutor<'_>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
    let rows = sqlx::query!(
        "SELECT tag, last_used FROM tag_counts WHERE articles > 0 ORDER BY tag LIMIT $1 OFFSET $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.tag, row.last_used)).collect())
}
