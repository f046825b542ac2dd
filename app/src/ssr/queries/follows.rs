//! Following authors, and the feed of what they publish.

use sqlx::{PgExecutor, PgPool};

use crate::model::ArticleSummary;

/// Whether a follow was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    Yes,
    /// Nobody follows themselves.
    Oneself,
    /// The author blocked the follower.
    Blocked,
}

/// `follower_id` follows `author_id` (again: a repeat changes nothing, but
/// turns emails back on, since following is asking for them), unless the
/// author blocked them.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn follow(db: impl PgExecutor<'_>, follower_id: i64, author_id: i64) -> sqlx::Result<Followed> {
    if follower_id == author_id {
        return Ok(Followed::Oneself);
    }
    let made = sqlx::query!(
        "INSERT INTO follows (follower_id, author_id)
         SELECT $1, $2
         WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $2 AND blocked_id = $1)
         ON CONFLICT (follower_id, author_id) DO UPDATE SET notify = true",
        follower_id,
        author_id
    )
    .execute(db)
    .await?;
    Ok(match made.rows_affected() {
        0 => Followed::Blocked,
        _ => Followed::Yes,
    })
}

/// `follower_id` no longer follows `author_id`.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn unfollow(db: impl PgExecutor<'_>, follower_id: i64, author_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM follows WHERE follower_id = $1 AND author_id = $2",
        follower_id,
        author_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `follower_id` follows `author_id`.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn is_following(db: impl PgExecutor<'_>, follower_id: i64, author_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND author_id = $2) AS "following!""#,
        follower_id,
        author_id
    )
    .fetch_one(db)
    .await
}

/// Which of `usernames` (lowercased) `follower_id` follows, lowercased.
/// Shards: all — one registry hop per author named on a page, then each author's shard; a page at most.
#[tracing::instrument(skip_all)]
pub async fn followed_among(
    db: impl PgExecutor<'_>,
    follower_id: i64,
    usernames: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT n.username
           FROM user_names n JOIN follows f ON f.author_id = n.user_id AND f.follower_id = $1
           WHERE n.username = ANY($2)"#,
        follower_id,
        usernames
    )
    .fetch_all(db)
    .await
}

/// Stops the emails `follower_id` gets when `author_id` publishes, keeping
/// the follow. `false` when there was nothing to stop.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn mute(db: impl PgExecutor<'_>, follower_id: i64, author_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE follows SET notify = false WHERE follower_id = $1 AND author_id = $2 AND notify",
        follower_id,
        author_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The author `follower_id` follows as `author_id` and whether the follow
/// still brings emails; `None` when there is no such follow.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn subscription(
    db: impl PgExecutor<'_>,
    follower_id: i64,
    author_id: i64,
) -> sqlx::Result<Option<(String, bool)>> {
    let row = sqlx::query!(
        "SELECT u.username, f.notify FROM follows f JOIN users u ON u.id = f.author_id
         WHERE f.follower_id = $1 AND f.author_id = $2",
        follower_id,
        author_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.username, row.notify)))
}

/// Up to `limit` followers of `author_id` who want its emails and whose
/// address is verified, with ids above `after`, in id order (a fan-out's
/// next batch). An unverified address is sent nothing but its links.
/// Shards: all — reads each follower's verified flag on their own shard; a background fan-out, in batches.
#[tracing::instrument(skip_all, fields(after, limit))]
pub async fn notified_after(db: impl PgExecutor<'_>, author_id: i64, after: i64, limit: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "SELECT f.follower_id FROM follows f
             JOIN users u ON u.id = f.follower_id AND u.email_verified
             WHERE f.author_id = $1 AND f.notify AND f.follower_id > $2
             ORDER BY f.follower_id LIMIT $3",
        author_id,
        after,
        limit
    )
    .fetch_all(db)
    .await
}

/// How many readers follow `author_id`.
/// Shards: one (follows.author_id).
#[tracing::instrument(skip_all)]
pub async fn follower_count(db: impl PgExecutor<'_>, author_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM follows WHERE author_id = $1"#,
        author_id
    )
    .fetch_one(db)
    .await
}

/// `limit` published articles by authors `follower_id` follows, newest
/// first, after skipping `offset`, and how many there are. At most
/// `offset + limit` of each followed author's newest come from
/// `author_publications` (a reader follows tens or hundreds of authors, not
/// millions, so a prolific one is never read whole); only the page's rows
/// are then read from `articles`, each from its own partition.
/// Shards: all — a reader's follows sit with their authors, on every shard; the feed, offset + limit per author.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn feed(db: &PgPool, follower_id: i64, limit: i64, offset: i64) -> sqlx::Result<(Vec<ArticleSummary>, i64)> {
    let articles = sqlx::query_as!(
        ArticleSummary,
        r#"
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language
        FROM (
            SELECT p.article_id, p.created_at, p.published_at
            FROM follows f
            CROSS JOIN LATERAL (
                SELECT article_id, created_at, published_at
                FROM author_publications
                WHERE user_id = f.author_id
                ORDER BY published_at DESC, article_id DESC
                LIMIT $4
            ) p
            WHERE f.follower_id = $1
            ORDER BY p.published_at DESC, p.article_id DESC
            LIMIT $2 OFFSET $3
        ) page
        JOIN articles a ON a.id = page.article_id AND a.created_at = page.created_at
        JOIN users u ON u.id = a.user_id
        WHERE a.status = 'published'
        ORDER BY page.published_at DESC, page.article_id DESC
        "#,
        follower_id,
        limit,
        offset,
        offset.saturating_add(limit)
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!"
        FROM follows f JOIN author_publications p ON p.user_id = f.author_id
        WHERE f.follower_id = $1
        "#,
        follower_id
    )
    .fetch_one(db)
    .await?;
    Ok((articles, total))
}
