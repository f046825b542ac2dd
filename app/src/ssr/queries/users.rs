//! Reading users.

use sqlx::PgExecutor;

use crate::{domain::Username, model::Profile};

/// The id and public profile of `username` (matched regardless of case);
/// `None` for a suspended account, whose pages are gone while it is. A
/// name no account can have (see [`Username`]) is not looked up.
/// Shards: one (user_names.username, users.id).
#[tracing::instrument(skip_all)]
pub async fn profile(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<Option<(i64, Profile)>> {
    if Username::parse(username).is_err() {
        return Ok(None);
    }
    let row = sqlx::query!(
        "SELECT id, username, bio, image FROM users
         WHERE id = user_id_by_username($1) AND suspended_at IS NULL",
        username
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        (
            row.id,
            Profile {
                username: row.username,
                bio: row.bio,
                image: row.image,
            },
        )
    }))
}

/// The largest account id there is (0 when there are none): how far the
/// authors' sitemaps reach. One short index scan per partition.
/// Shards: all — the largest id over every shard, for the sitemap index; cached an hour.
#[tracing::instrument(skip_all)]
pub async fn newest_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) AS "id!" FROM users"#)
        .fetch_one(db)
        .await
}

/// The name and latest publication of each author with an id from `first`
/// to `first + count - 1` who has a published article, by id: one authors'
/// sitemap. A primary-key range per partition, then one probe of the top of
/// each account's publications.
/// Shards: all — hash distribution spreads an id range over every shard; sitemaps, cached an hour.
#[tracing::instrument(skip_all, fields(first, count))]
pub async fn authors_in_id_range(
    db: impl PgExecutor<'_>,
    first: i64,
    count: i64,
) -> sqlx::Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
    let rows = sqlx::query!(
        r#"SELECT u.username, latest.published_at AS "published_at!"
           FROM users u
           CROSS JOIN LATERAL (
               SELECT p.published_at FROM author_publications p
               WHERE p.user_id = u.id
               ORDER BY p.published_at DESC
               LIMIT 1
           ) latest
           WHERE u.id >= $1 AND u.id < $1 + $2 AND u.suspended_at IS NULL
           ORDER BY u.id"#,
        first,
        count
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.username, row.published_at)).collect())
}
