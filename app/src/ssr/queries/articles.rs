//! Reading articles.
//!
//! Listings order by `(published_at DESC, id DESC)`: the id breaks ties, so
//! the order is total and a position (or a seek key) names one article.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};

use crate::model::ArticleSummary;

/// Where an article sits in the latest-first order.
pub type SortKey = (DateTime<Utc>, i64);

/// `limit` published articles, newest first, after skipping `offset`;
/// with `published_from`, only among those published then or later.
///
/// Served by the partial index `articles_published_recent_idx`
/// (`published_at DESC, id DESC WHERE status = 'published'`) on every
/// partition, merged in order: it reads `offset + limit` index entries, so
/// callers keep `offset` small (see [`crate::ssr::pagination`]).
/// `published_from` prunes the partitions: an article published at P was
/// begun no earlier than P minus the longest delay between beginning and
/// publishing there has been (`article_publication_delay`), so the months
/// before that are not read at all.
/// Shards: all — the latest listing merges every shard's newest; cached (30 s fresh, 5 min stale).
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn latest_published(
    db: impl PgExecutor<'_>,
    limit: i64,
    offset: i64,
    published_from: Option<DateTime<Utc>>,
) -> sqlx::Result<Vec<ArticleSummary>> {
    sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM articles a
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
          AND a.published_at >= COALESCE($3::timestamptz, '-infinity')
          AND a.created_at >= COALESCE($3::timestamptz, '-infinity')
                              - (SELECT longest FROM article_publication_delay)
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $1 OFFSET $2
        "#,
        limit,
        offset,
        published_from
    )
    .fetch_all(db)
    .await
}

/// Like [`latest_published`], starting at the article with sort key `from`
/// (inclusive) instead of at the newest: a keyset seek, so the index is
/// entered at `from` and only `offset + limit` entries are read. Nothing
/// begun after `from` was published before it, so later partitions are not
/// read either.
/// Shards: all — a deeper page of the latest listing, merged from every shard; cached like it.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn latest_published_from(
    db: impl PgExecutor<'_>,
    from: SortKey,
    limit: i64,
    offset: i64,
    published_from: Option<DateTime<Utc>>,
) -> sqlx::Result<Vec<ArticleSummary>> {
    sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM articles a
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published' AND (a.published_at, a.id) <= ($1, $2)
          AND a.created_at <= $1
          AND a.published_at >= COALESCE($5::timestamptz, '-infinity')
          AND a.created_at >= COALESCE($5::timestamptz, '-infinity')
                              - (SELECT longest FROM article_publication_delay)
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $3 OFFSET $4
        "#,
        from.0,
        from.1,
        limit,
        offset,
        published_from
    )
    .fetch_all(db)
    .await
}

/// How many published articles sort before `key` (are newer than it).
/// Reads only those index entries, in the partitions that can hold them.
/// Shards: all — a position in the latest listing counts every shard's newer articles; cached with it.
#[tracing::instrument(skip_all)]
pub async fn count_published_newer_than(db: impl PgExecutor<'_>, key: SortKey) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!"
        FROM articles
        WHERE status = 'published' AND (published_at, id) > ($1, $2)
          AND published_at >= $1
          AND created_at >= $1 - (SELECT longest FROM article_publication_delay)
        "#,
        key.0,
        key.1
    )
    .fetch_one(db)
    .await
}

/// How many articles are published.
/// Shards: all — counts every shard's published articles: the latest listing's total, cached with it.
#[tracing::instrument(skip_all)]
pub async fn count_published(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM articles WHERE status = 'published'"#)
        .fetch_one(db)
        .await
}

/// The sort keys of the published articles at positions 0, `stride`,
/// `2 × stride`…, and how many are published in all, read from one snapshot.
///
/// One pass over the index (index-only where the visibility map allows):
/// a few seconds at five million articles, so it runs in the background,
/// with more time than the statement timeout that bounds requests.
/// Shards: all — one background pass over every shard's published index, for the listing's seek anchors.
#[tracing::instrument(skip_all, fields(stride))]
pub async fn seek_anchors(db: &PgPool, stride: i64) -> sqlx::Result<(Vec<SortKey>, i64)> {
    let mut tx = db.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("SET LOCAL statement_timeout = '5min'")
        .execute(&mut *tx)
        .await?;
    let anchors = sqlx::query!(
        r#"
        SELECT published_at AS "published_at!", id AS "id!"
        FROM (
            SELECT published_at, id,
                   row_number() OVER (ORDER BY published_at DESC, id DESC) - 1 AS position
            FROM articles
            WHERE status = 'published'
        ) ranked
        WHERE position % $1 = 0
        ORDER BY position
        "#,
        stride
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| (row.published_at, row.id))
    .collect();
    let total = count_published(&mut *tx).await?;
    tx.commit().await?;
    Ok((anchors, total))
}

/// The `limit` most-viewed published articles, most-viewed first; only
/// those published since `since`, when given.
///
/// All time reads the top of `articles_popular_idx` on each partition. A
/// window reads the window's slice of `articles_recent_views_idx` (index
/// only) and sorts it by views: a week or a month of articles, never the
/// table (at 5M articles: 9 ms all time, 89 ms for a month). Only the
/// partitions that can hold articles published in the window are read (see
/// [`latest_published`]), and each of the top rows is fetched from its own
/// partition.
/// Shards: all — /popular ranks every shard's most viewed; cached 5 min, refreshed after view flushes.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn most_viewed(
    db: impl PgExecutor<'_>,
    since: Option<DateTime<Utc>>,
    limit: i64,
) -> sqlx::Result<Vec<ArticleSummary>> {
    match since {
        None => {
            sqlx::query_as!(
                ArticleSummary,
                r#"
                SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
                       a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
                FROM articles a
                JOIN users u ON u.id = a.user_id
                WHERE a.status = 'published'
                ORDER BY a.views DESC, a.id DESC
                LIMIT $1
                "#,
                limit
            )
            .fetch_all(db)
            .await
        }
        Some(since) => {
            // MATERIALIZED keeps the planner from walking the all-time
            // views index and filtering by date, which reads every article
            // older than the window first (seconds at 5M rows).
            sqlx::query_as!(
                ArticleSummary,
                r#"
                WITH recent AS MATERIALIZED (
                    SELECT id, views, created_at
                    FROM articles
                    WHERE status = 'published' AND published_at >= $1
                      AND created_at >= $1 - (SELECT longest FROM article_publication_delay)
                ), top AS (
                    SELECT id, views, created_at FROM recent ORDER BY views DESC, id DESC LIMIT $2
                )
                SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
                       a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
                FROM top t
                JOIN articles a ON a.id = t.id AND a.created_at = t.created_at
                JOIN users u ON u.id = a.user_id
                ORDER BY t.views DESC, t.id DESC
                "#,
                since,
                limit
            )
            .fetch_all(db)
            .await
        }
    }
}

/// Adds `counts[i]` views to the article whose slug (current or former) is
/// `slugs[i]`, in one statement; unknown slugs are ignored. Returns how many
/// articles changed.
/// Shards: all — the view flush updates a batch of articles by slug, wherever they are; background, every few seconds.
#[tracing::instrument(skip_all, fields(articles = slugs.len()))]
pub async fn add_views(db: impl PgExecutor<'_>, slugs: &[String], counts: &[i64]) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        r#"
        UPDATE articles a
        SET views = a.views + batch.views
        FROM (
            SELECT s.article_id, s.article_created_at, sum(v.views)::bigint AS views
            FROM unnest($1::text[], $2::bigint[]) AS v (slug, views)
            JOIN article_slugs s ON s.slug = v.slug
            GROUP BY s.article_id, s.article_created_at
        ) batch
        WHERE a.id = batch.article_id AND a.created_at = batch.article_created_at
        "#,
        slugs,
        counts
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// An article as stored, with its author: what the JSON API returns and
/// what the article page renders.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    pub tag_list: Vec<String>,
    pub favorites_count: i32,
    /// The cover image's key in the media store, its size, and the widths
    /// of the WebP copies made so far.
    pub cover_key: Option<String>,
    pub cover_width: Option<i32>,
    pub cover_height: Option<i32>,
    pub cover_variants: Option<Vec<i32>>,
    /// `en` or `id`.
    pub language: String,
}

/// The published article that has (or once had) `slug`.
///
/// The slug registry gives the article's partition key, so Postgres reads a
/// single partition.
/// Shards: one (article_slugs.slug, articles.id, users.id).
#[tracing::instrument(skip_all)]
pub async fn published_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<ArticleRecord>> {
    sqlx::query_as!(
        ArticleRecord,
        r#"
        SELECT a.slug, a.title, a.description, a.body, a.created_at,
               a.published_at AS "published_at!", a.updated_at,
               u.username AS author, u.bio AS author_bio, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.favorites_count, a.language,
               c.key AS "cover_key?", c.width AS "cover_width?", c.height AS "cover_height?",
               c.variants AS "cover_variants?"
        FROM article_slugs s
        JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
        JOIN users u ON u.id = a.user_id
        LEFT JOIN article_covers c ON c.article_id = a.id
        WHERE s.slug = $1 AND a.status = 'published'
        "#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// The id of the published article that has (or once had) `slug`: one
/// partition, as for [`published_by_slug`].
/// Shards: one (article_slugs.slug, articles.id).
#[tracing::instrument(skip_all)]
pub async fn published_id_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        SELECT a.id
        FROM article_slugs s
        JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
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
/// The page comes from `author_publications` (one index range, whatever the
/// author's count), then each row from the one partition holding it: the
/// join is on the partition key, so Postgres prunes per row at run time.
/// Reading `articles` by author instead entered every partition's index.
/// Shards: all — an author's articles are spread by id: every shard reads its range of the author's index; cached.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn published_by_author(
    db: impl PgExecutor<'_>,
    author_id: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ArticleSummary>> {
    sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM (
            SELECT article_id, created_at, published_at
            FROM author_publications
            WHERE user_id = $1
            ORDER BY published_at DESC, article_id DESC
            LIMIT $2 OFFSET $3
        ) page
        JOIN articles a ON a.id = page.article_id AND a.created_at = page.created_at
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
        ORDER BY page.published_at DESC, page.article_id DESC
        "#,
        author_id,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// How many of `author_id`'s articles are published: an index-only count.
/// Shards: all — every shard counts its range of the author's index; cached with the author's page.
#[tracing::instrument(skip_all)]
pub async fn count_published_by_author(db: impl PgExecutor<'_>, author_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM author_publications WHERE user_id = $1"#,
        author_id
    )
    .fetch_one(db)
    .await
}

/// The largest article id there is (0 when there are none): how far the
/// sitemaps reach. One short index scan per partition.
/// Shards: all — the largest id over every shard, for the sitemap index; cached an hour.
#[tracing::instrument(skip_all)]
pub async fn newest_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) AS "id!" FROM articles"#)
        .fetch_one(db)
        .await
}

/// The slug and last change of each published article with an id from
/// `first` to `first + count - 1`, by id: one sitemap. One primary-key
/// range per partition.
/// Shards: all — hash distribution spreads an id range over every shard; sitemaps, cached an hour.
#[tracing::instrument(skip_all, fields(first, count))]
pub async fn published_in_id_range(
    db: impl PgExecutor<'_>,
    first: i64,
    count: i64,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    let rows = sqlx::query!(
        r#"SELECT slug, greatest(updated_at, published_at) AS "changed!"
           FROM articles
           WHERE status = 'published' AND id >= $1 AND id < $1 + $2
           ORDER BY id"#,
        first,
        count
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.slug, row.changed)).collect())
}
