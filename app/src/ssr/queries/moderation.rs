//! Moderation: roles, hiding and restoring, suspending and restoring
//! accounts, and the record of every action (see
//! [`crate::ssr::moderation`] for the rules).
//!
//! Hidden articles and suspended authors' articles are `withheld`: out of
//! every listing, feed, sitemap and search as a draft is, with their
//! publication date kept (see the `moderation` migration).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// An account as moderation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub username: String,
    /// `reader`, `moderator` or `admin`.
    pub role: String,
    pub suspended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Account `id`'s role and whether it is suspended; `None` when it is gone.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn member(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        "SELECT id, username, role, suspended_at, created_at FROM users WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

/// The account named `username` (any case). A name no account can have
/// is not looked up.
/// Shards: one (user_names.username, users.id).
#[tracing::instrument(skip_all)]
pub async fn member_named(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<Option<Member>> {
    if crate::domain::Username::parse(username).is_err() {
        return Ok(None);
    }
    sqlx::query_as!(
        Member,
        "SELECT id, username, role, suspended_at, created_at FROM users
         WHERE id = user_id_by_username($1)",
        username
    )
    .fetch_optional(db)
    .await
}

/// Account `id`, its row locked until the transaction ends: an insert of
/// its articles (whose foreign key check shares the lock) waits for a
/// suspension, or the suspension for it (see the `moderation` migration).
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn lock_member(db: &mut PgConnection, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        "SELECT id, username, role, suspended_at, created_at FROM users WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(db)
    .await
}

/// Every moderator and admin, by name.
/// Shards: all — moderators and admins by role, on every shard; `warta admin` and the staff list, rare.
#[tracing::instrument(skip_all)]
pub async fn staff(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        "SELECT id, username, role, suspended_at, created_at FROM users
         WHERE role <> 'reader' ORDER BY lower(username)"
    )
    .fetch_all(db)
    .await
}

/// Gives account `id` the `role`.
/// Shards: one (users.id).
#[tracing::instrument(skip_all)]
pub async fn set_role(db: impl PgExecutor<'_>, id: i64, role: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE users SET role = $2 WHERE id = $1", id, role)
        .execute(db)
        .await?;
    Ok(())
}

/// Suspends account `id` at `at`: a new session generation (its sessions
/// end on their next request) and its published articles withheld. Their
/// slugs, for the caches.
/// Shards: all — withholds the account's articles by user_id, spread by article id; a suspension, rare.
#[tracing::instrument(skip_all)]
pub async fn suspend(db: &mut PgConnection, id: i64, at: DateTime<Utc>) -> sqlx::Result<Vec<String>> {
    sqlx::query!(
        "UPDATE users SET suspended_at = $2, session_generation = session_generation + 1 WHERE id = $1",
        id,
        at
    )
    .execute(&mut *db)
    .await?;
    sqlx::query_scalar!(
        "UPDATE articles SET status = 'withheld' WHERE user_id = $1 AND status = 'published' RETURNING slug",
        id
    )
    .fetch_all(db)
    .await
}

/// Restores suspended account `id`: its articles not hidden on their own
/// are published again, under their first dates, and the API tokens it had
/// (refused while it was suspended) are deleted, so it signs in afresh.
/// Their slugs, for the caches.
/// Shards: all — the account's tokens and articles by user_id, on every shard; lifting a suspension, rare.
#[tracing::instrument(skip_all)]
pub async fn unsuspend(db: &mut PgConnection, id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query!("UPDATE users SET suspended_at = NULL WHERE id = $1", id)
        .execute(&mut *db)
        .await?;
    sqlx::query!("DELETE FROM api_tokens WHERE user_id = $1", id)
        .execute(&mut *db)
        .await?;
    sqlx::query_scalar!(
        "UPDATE articles SET status = 'published'
         WHERE user_id = $1 AND status = 'withheld' AND hidden_at IS NULL RETURNING slug",
        id
    )
    .fetch_all(db)
    .await
}

/// The current slugs of the articles account `id` has commented on, at
/// most `limit` of them: whose cached comments a suspension changes.
/// Shards: all — the account's comments by user_id, spread by article; a suspension, rare.
#[tracing::instrument(skip_all)]
pub async fn commented_on(db: impl PgExecutor<'_>, id: i64, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "SELECT a.slug FROM articles a
         WHERE (a.id, a.created_at) IN (SELECT DISTINCT article_id, article_created_at FROM comments WHERE user_id = $1)
         LIMIT $2",
        id,
        limit
    )
    .fetch_all(db)
    .await
}

/// An article as moderation acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleItem {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub slug: String,
    pub title: String,
    pub user_id: i64,
    pub author: String,
    /// `draft`, `published` or `withheld`.
    pub status: String,
    pub hidden_at: Option<DateTime<Utc>>,
}

/// The article `slug` (current or former), whatever its status, its row
/// locked until the transaction ends. A slug no article can have is not
/// looked up.
/// Shards: one (article_slugs.slug, articles.id, users.id).
#[tracing::instrument(skip_all)]
pub async fn lock_article(db: &mut PgConnection, slug: &str) -> sqlx::Result<Option<ArticleItem>> {
    if !crate::domain::could_name_something(slug, crate::domain::NAME_MAX) {
        return Ok(None);
    }
    sqlx::query_as!(
        ArticleItem,
        r#"
        SELECT a.id, a.created_at, a.slug, a.title, a.user_id, u.username AS author, a.status, a.hidden_at
        FROM article_slugs s
        JOIN articles a ON a.id = s.article_id AND a.created_at = s.article_created_at
        JOIN users u ON u.id = a.user_id
        WHERE s.slug = $1
        FOR UPDATE OF a
        "#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// Hides (`hidden`) or restores an article: a hidden published article is
/// withheld; a restored one is published again, unless its author is
/// suspended (the `articles_withheld` trigger).
/// Shards: one (articles.id).
#[tracing::instrument(skip_all)]
pub async fn set_article_hidden(
    db: impl PgExecutor<'_>,
    id: i64,
    created_at: DateTime<Utc>,
    hidden: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE articles
        SET hidden_at = $3,
            status = CASE
                WHEN $3::timestamptz IS NOT NULL AND status = 'published' THEN 'withheld'
                WHEN $3::timestamptz IS NULL AND status = 'withheld' THEN 'published'
                ELSE status END
        WHERE id = $1 AND created_at = $2
        "#,
        id,
        created_at,
        hidden
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A comment as moderation acts on it, with its article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentItem {
    pub id: i64,
    pub body: String,
    pub user_id: i64,
    pub author: String,
    pub hidden_at: Option<DateTime<Utc>>,
    /// Who hid it (a moderator, or the article's author).
    pub hidden_by: Option<i64>,
    pub article_id: i64,
    pub article_created_at: DateTime<Utc>,
    pub article_slug: String,
    /// Who wrote the article the comment is under.
    pub article_author_id: i64,
}

/// Comment `id`, with its article; `None` when there is none.
/// Shards: all — by comment id alone; the page names the article, and with its id this is one.
#[tracing::instrument(skip_all)]
pub async fn comment(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<CommentItem>> {
    sqlx::query_as!(
        CommentItem,
        r#"
        SELECT c.id, c.body, c.user_id, u.username AS author, c.hidden_at, c.hidden_by,
               a.id AS article_id, a.created_at AS article_created_at, a.slug AS article_slug,
               a.user_id AS article_author_id
        FROM comments c
        JOIN users u ON u.id = c.user_id
        JOIN articles a ON a.id = c.article_id AND a.created_at = c.article_created_at
        WHERE c.id = $1
        "#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Hides comment `id` (by `by`, at `hidden`) or, with `None`, restores it.
/// Shards: all — by comment id alone; the caller has the comment's article id, and with it this is one.
#[tracing::instrument(skip_all)]
pub async fn set_comment_hidden(
    db: impl PgExecutor<'_>,
    id: i64,
    by: i64,
    hidden: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE comments SET hidden_at = $2, hidden_by = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE $3::bigint END
         WHERE id = $1",
        id,
        hidden,
        by
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What an action was about, as it is recorded.
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    /// Who acted; `None` from the command line.
    pub actor_id: Option<i64>,
    /// One of the `moderation_actions_known` names.
    pub action: &'a str,
    /// The account acted on (an item's author).
    pub subject_id: i64,
    pub article_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub excerpt: &'a str,
    pub reason: &'a str,
    pub at: DateTime<Utc>,
}

/// Records an action.
/// Shards: one (moderation_actions.subject_id).
#[tracing::instrument(skip_all)]
pub async fn record(db: impl PgExecutor<'_>, record: Record<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO moderation_actions (actor_id, action, subject_id, article_id, comment_id, excerpt, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        record.actor_id,
        record.action,
        record.subject_id,
        record.article_id,
        record.comment_id,
        record.excerpt,
        record.reason,
        record.at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the open reports of an article (its own, with `comment_id`
/// `None`) or of one comment resolved by `by` at `at`; how many.
/// Shards: one (reports.article_id).
#[tracing::instrument(skip_all)]
pub async fn resolve_reports(
    db: impl PgExecutor<'_>,
    article_id: i64,
    comment_id: Option<i64>,
    by: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE reports SET resolved_at = $4, resolved_by = $3
         WHERE article_id = $1 AND comment_id IS NOT DISTINCT FROM $2 AND resolved_at IS NULL",
        article_id,
        comment_id,
        by,
        at
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Marks every open report about account `subject_id`'s writing resolved.
/// Shards: all — open reports about an account, by subject_id on every shard; a suspension, rare.
#[tracing::instrument(skip_all)]
pub async fn resolve_reports_about(
    db: impl PgExecutor<'_>,
    subject_id: i64,
    by: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE reports SET resolved_at = $3, resolved_by = $2 WHERE subject_id = $1 AND resolved_at IS NULL",
        subject_id,
        by,
        at
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// One recorded action, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Action {
    pub id: i64,
    pub action: String,
    /// Who acted; `None` when that account is gone.
    pub actor: Option<String>,
    /// The account acted on; `None` when it is gone.
    pub subject: Option<String>,
    pub article_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub excerpt: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// The newest `limit` actions about account `subject_id` (on it or on its
/// writing).
/// Shards: all — names each action's actor, on their own shard; a moderator's view of one account.
#[tracing::instrument(skip_all)]
pub async fn history_of_account(db: impl PgExecutor<'_>, subject_id: i64, limit: i64) -> sqlx::Result<Vec<Action>> {
    sqlx::query_as!(
        Action,
        r#"
        SELECT m.id, m.action, actor.username AS "actor?", subject.username AS "subject?",
               m.article_id, m.comment_id, m.excerpt, m.reason, m.created_at
        FROM moderation_actions m
        LEFT JOIN users actor ON actor.id = m.actor_id
        LEFT JOIN users subject ON subject.id = m.subject_id
        WHERE m.subject_id = $1
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $2
        "#,
        subject_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// The newest actions on each of the items `articles` (their own, not
/// their comments') and `comments`, at most `limit` in all.
/// Shards: all — actions on the queue's items, by item id, with their actors; the moderation queue.
#[tracing::instrument(skip_all)]
pub async fn history_of_items(
    db: impl PgExecutor<'_>,
    articles: &[i64],
    comments: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<Action>> {
    sqlx::query_as!(
        Action,
        r#"
        SELECT m.id, m.action, actor.username AS "actor?", subject.username AS "subject?",
               m.article_id, m.comment_id, m.excerpt, m.reason, m.created_at
        FROM moderation_actions m
        LEFT JOIN users actor ON actor.id = m.actor_id
        LEFT JOIN users subject ON subject.id = m.subject_id
        WHERE (m.comment_id IS NULL AND m.article_id = ANY($1)) OR m.comment_id = ANY($2)
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $3
        "#,
        articles,
        comments,
        limit
    )
    .fetch_all(db)
    .await
}

/// Account `subject_id`'s hidden articles and comments, newest first, for
/// a moderator to restore.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HiddenItem {
    pub article_slug: String,
    pub comment_id: Option<i64>,
    /// The article's title or the comment's text.
    pub text: String,
    pub hidden_at: DateTime<Utc>,
}

/// What of account `subject_id`'s writing is hidden (at most `limit`).
/// Shards: all — the account's hidden articles and comments by user_id, on every shard; a moderator's view.
#[tracing::instrument(skip_all)]
pub async fn hidden_writing(db: impl PgExecutor<'_>, subject_id: i64, limit: i64) -> sqlx::Result<Vec<HiddenItem>> {
    sqlx::query_as!(
        HiddenItem,
        r#"
        SELECT slug AS "article_slug!", comment_id, text AS "text!", hidden_at AS "hidden_at!"
        FROM (
            SELECT a.slug, NULL::bigint AS comment_id, a.title AS text, a.hidden_at
            FROM articles a
            WHERE a.user_id = $1 AND a.hidden_at IS NOT NULL
            UNION ALL
            SELECT a.slug, c.id, c.body, c.hidden_at
            FROM comments c
            JOIN articles a ON a.id = c.article_id AND a.created_at = c.article_created_at
            WHERE c.user_id = $1 AND c.hidden_at IS NOT NULL
        ) hidden
        ORDER BY hidden_at DESC
        LIMIT $2
        "#,
        subject_id,
        limit
    )
    .fetch_all(db)
    .await
}
