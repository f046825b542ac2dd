//! Reading articles.

use sqlx::PgExecutor;

use crate::model::ArticleSummary;

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
