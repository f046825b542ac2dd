//! Moderation: who may do what, and each action in one transaction with
//! its record, then the caches it changes forgotten.
//!
//! - **Roles.** Moderators work the queue; admins are moderators who can
//!   also make and unmake moderators from the site. Roles are granted with
//!   `warta admin`, never by the account itself. An action on an account
//!   needs a role above the account's: a moderator suspends readers, an
//!   admin readers and moderators, and nobody an admin from the site.
//! - **Hiding** an article withholds it (out of every listing, feed,
//!   sitemap and search; 404 for everyone but its author); hiding a comment
//!   takes it out of its article's comments for everyone but the article's
//!   author, who sees it greyed (moderators read it in the queue). Both are
//!   undone by restoring.
//! - **Suspending** an account ends its sessions (a new session
//!   generation; the session check also refuses a suspended account) and
//!   refuses its API tokens (403 until it is restored, which deletes them),
//!   refuses its sign-ins with a message saying so, withholds its articles,
//!   hides its comments and its profile, and so stops the emails to its
//!   followers (the worker sends only for published articles). Restoring
//!   puts back everything that was not hidden on its own.
//! - **Every action is recorded**: who, when, what, about whom and why
//!   (authors hiding comments under their own articles too), and resolves
//!   the open reports of what it acted on.

use crate::{
    domain::{ModerationReason, Role},
    ssr::{
        AppState,
        queries::{
            QueryError,
            moderation::{self, Member, Record},
        },
        reading,
    },
};

/// How many of a suspended account's commented articles have their cached
/// comments forgotten at once; older ones follow within the cache's own
/// lifetime for comments.
const COMMENTED_FORGOTTEN: i64 = 1000;

/// A signed-in moderator or admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderator {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// Why a moderation action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    /// The actor may not do this (not a moderator; an account at or above
    /// their role; oneself).
    #[error("not allowed")]
    NotAllowed,
    /// No such article, comment or account.
    #[error("no such item")]
    NotFound,
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for ModerationError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

impl From<ModerationError> for crate::error::AppError {
    fn from(error: ModerationError) -> Self {
        match error {
            ModerationError::NotAllowed => Self::Forbidden,
            ModerationError::NotFound => Self::NotFound,
            ModerationError::Query(query) => query.into(),
        }
    }
}

/// Account `id` as a moderator; `None` when it is not one (or is
/// suspended). Read on every action, so a revoked role takes effect at
/// once.
pub async fn moderator(state: &AppState, id: i64) -> Result<Option<Moderator>, QueryError> {
    let member = moderation::member(&state.db, id).await?;
    Ok(member.and_then(|member| {
        let role = Role::from_stored(&member.role);
        (role.moderates() && member.suspended_at.is_none()).then_some(Moderator {
            id: member.id,
            username: member.username,
            role,
        })
    }))
}

/// `by` hides (`hide`) or restores the article `slug`, for `reason`.
pub async fn set_article_hidden(
    state: &AppState,
    by: &Moderator,
    slug: &str,
    hide: bool,
    reason: &ModerationReason,
) -> Result<(), ModerationError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let article = moderation::lock_article(&mut tx, slug)
        .await?
        .ok_or(ModerationError::NotFound)?;
    moderation::set_article_hidden(&mut *tx, article.id, article.created_at, hide.then_some(now)).await?;
    moderation::record(
        &mut *tx,
        Record {
            actor_id: Some(by.id),
            action: if hide { "hide_article" } else { "restore_article" },
            subject_id: article.user_id,
            article_id: Some(article.id),
            comment_id: None,
            excerpt: &article.title,
            reason: reason.as_str(),
            at: now,
        },
    )
    .await?;
    if hide {
        moderation::resolve_reports(&mut *tx, article.id, None, by.id, now).await?;
    }
    tx.commit().await?;
    reading::forget_moderated(
        &state.cache,
        std::slice::from_ref(&article.slug),
        &[],
        &[&article.author],
        true,
    )
    .await;
    Ok(())
}

/// Who may hide, restore or delete a comment: a moderator, or the author
/// of the article it is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steward {
    Moderator,
    ArticleAuthor,
}

/// What `actor` may do to comment `comment`: `None` when nothing beyond
/// what its writer may (deleting their own).
pub async fn steward_of(
    state: &AppState,
    actor: i64,
    comment: &moderation::CommentItem,
) -> Result<Option<Steward>, QueryError> {
    if comment.article_author_id == actor {
        return Ok(Some(Steward::ArticleAuthor));
    }
    Ok(moderator(state, actor).await?.map(|_| Steward::Moderator))
}

/// `actor` hides (`hide`) or restores comment `id` under the article
/// `slug`. A moderator must give a reason; an article's author may (their
/// own article's comments are theirs to keep tidy).
pub async fn set_comment_hidden(
    state: &AppState,
    actor: i64,
    slug: &str,
    id: i64,
    hide: bool,
    reason: Option<&ModerationReason>,
) -> Result<(), ModerationError> {
    let now = state.clock.now();
    let comment = moderation::comment(&state.db, id)
        .await?
        // The forms name the article's page they were on.
        .filter(|comment| comment.article_slug == slug)
        .ok_or(ModerationError::NotFound)?;
    let steward = steward_of(state, actor, &comment)
        .await?
        .ok_or(ModerationError::NotAllowed)?;
    if steward == Steward::Moderator && reason.is_none() {
        return Err(ModerationError::NotAllowed);
    }
    // What a moderator hid stays hidden until a moderator restores it: the
    // article's author governs only what they hid themselves.
    if steward == Steward::ArticleAuthor && comment.hidden_by.is_some_and(|by| by != actor) {
        return Err(ModerationError::NotAllowed);
    }
    let mut tx = state.db.begin().await?;
    moderation::set_comment_hidden(&mut *tx, id, actor, hide.then_some(now)).await?;
    moderation::record(
        &mut *tx,
        Record {
            actor_id: Some(actor),
            action: if hide { "hide_comment" } else { "restore_comment" },
            subject_id: comment.user_id,
            article_id: Some(comment.article_id),
            comment_id: Some(id),
            excerpt: &excerpt(&comment.body),
            reason: reason.map_or("", ModerationReason::as_str),
            at: now,
        },
    )
    .await?;
    if hide {
        moderation::resolve_reports(&mut *tx, comment.article_id, Some(id), actor, now).await?;
    }
    tx.commit().await?;
    reading::forget_comments(&state.cache, &comment.article_slug).await;
    Ok(())
}

/// Records that `actor` (a steward of it) deleted `comment`, which its
/// writer may also do unrecorded.
pub async fn record_deletion(
    db: impl sqlx::PgExecutor<'_>,
    actor: i64,
    comment: &moderation::CommentItem,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), QueryError> {
    moderation::record(
        db,
        Record {
            actor_id: Some(actor),
            action: "delete_comment",
            subject_id: comment.user_id,
            article_id: Some(comment.article_id),
            comment_id: Some(comment.id),
            excerpt: &excerpt(&comment.body),
            reason: "",
            at,
        },
    )
    .await?;
    Ok(())
}

/// `by` (a moderator; `None` from the command line) suspends (`suspend`)
/// or restores the account `username`, for `reason`.
pub async fn set_suspended(
    state: &AppState,
    by: Option<&Moderator>,
    username: &str,
    suspend: bool,
    reason: &ModerationReason,
) -> Result<(), ModerationError> {
    let now = state.clock.now();
    let found = moderation::member_named(&state.db, username)
        .await?
        .ok_or(ModerationError::NotFound)?;
    if let Some(by) = by
        && (by.id == found.id || Role::from_stored(&found.role) >= by.role)
    {
        return Err(ModerationError::NotAllowed);
    }
    let mut tx = state.db.begin().await?;
    // Locked: an article being inserted by this account waits, or is
    // waited for (see the `moderation` migration).
    let member: Member = moderation::lock_member(&mut tx, found.id)
        .await?
        .ok_or(ModerationError::NotFound)?;
    if member.suspended_at.is_some() == suspend {
        // Already as asked: nothing to do, nothing to record.
        return Ok(());
    }
    let slugs = match suspend {
        true => moderation::suspend(&mut tx, member.id, now).await?,
        false => moderation::unsuspend(&mut tx, member.id).await?,
    };
    moderation::record(
        &mut *tx,
        Record {
            actor_id: by.map(|by| by.id),
            action: if suspend { "suspend" } else { "unsuspend" },
            subject_id: member.id,
            article_id: None,
            comment_id: None,
            excerpt: "",
            reason: reason.as_str(),
            at: now,
        },
    )
    .await?;
    if suspend && let Some(by) = by {
        moderation::resolve_reports_about(&mut *tx, member.id, by.id, now).await?;
    }
    tx.commit().await?;
    let commented = moderation::commented_on(&state.db, member.id, COMMENTED_FORGOTTEN).await?;
    reading::forget_moderated(&state.cache, &slugs, &commented, &[&member.username], true).await;
    Ok(())
}

/// `by` closes the open reports of the article `slug` (or of its comment
/// `comment_id`) without acting on it, for `reason`.
pub async fn dismiss(
    state: &AppState,
    by: &Moderator,
    slug: &str,
    comment_id: Option<i64>,
    reason: &ModerationReason,
) -> Result<(), ModerationError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let article = moderation::lock_article(&mut tx, slug)
        .await?
        .ok_or(ModerationError::NotFound)?;
    let (subject, text) = match comment_id {
        Some(id) => {
            let comment = moderation::comment(&mut *tx, id)
                .await?
                .filter(|comment| comment.article_id == article.id)
                .ok_or(ModerationError::NotFound)?;
            (comment.user_id, excerpt(&comment.body))
        }
        None => (article.user_id, article.title.clone()),
    };
    moderation::resolve_reports(&mut *tx, article.id, comment_id, by.id, now).await?;
    moderation::record(
        &mut *tx,
        Record {
            actor_id: Some(by.id),
            action: "dismiss",
            subject_id: subject,
            article_id: Some(article.id),
            comment_id,
            excerpt: &text,
            reason: reason.as_str(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the account `username` the `role`, at `now`. From the site (`by`
/// an admin), only readers and moderators are made and unmade; from the
/// command line (`by` `None`), any role.
pub async fn set_role(
    db: &sqlx::PgPool,
    now: chrono::DateTime<chrono::Utc>,
    by: Option<&Moderator>,
    username: &str,
    role: Role,
    reason: &ModerationReason,
) -> Result<(), ModerationError> {
    let member = moderation::member_named(db, username)
        .await?
        .ok_or(ModerationError::NotFound)?;
    let current = Role::from_stored(&member.role);
    if let Some(by) = by
        && (by.role != Role::Admin || role == Role::Admin || current == Role::Admin || by.id == member.id)
    {
        return Err(ModerationError::NotAllowed);
    }
    if current == role {
        return Ok(());
    }
    let action = match role {
        Role::Admin => "grant_admin",
        Role::Moderator => "grant_moderator",
        Role::Reader => "revoke_moderator",
    };
    let mut tx = db.begin().await?;
    moderation::set_role(&mut *tx, member.id, role.as_str()).await?;
    moderation::record(
        &mut *tx,
        Record {
            actor_id: by.map(|by| by.id),
            action,
            subject_id: member.id,
            article_id: None,
            comment_id: None,
            excerpt: "",
            reason: reason.as_str(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many accounts a reader's blocks hide comments of, at most (the
/// newest blocks count).
pub const BLOCKS_MAX: i64 = 1000;

/// What a reader is reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub article_id: i64,
    pub article_created_at: chrono::DateTime<chrono::Utc>,
    pub article_slug: String,
    pub article_title: String,
    pub comment_id: Option<i64>,
    /// The comment's text, when a comment is reported.
    pub comment_body: Option<String>,
    /// Who wrote the item.
    pub author_id: i64,
    pub author: String,
}

/// The published article `slug`, or its visible comment `comment_id`, as
/// a report names it; `None` when there is no such thing to report.
pub async fn report_target(
    state: &AppState,
    slug: &str,
    comment_id: Option<i64>,
) -> Result<Option<ReportTarget>, QueryError> {
    let Some(article) = crate::ssr::queries::editing::by_slug(&state.db, slug)
        .await?
        .filter(|article| article.published)
    else {
        return Ok(None);
    };
    let target = ReportTarget {
        article_id: article.id,
        article_created_at: article.created_at,
        article_slug: article.slug,
        article_title: article.title,
        comment_id: None,
        comment_body: None,
        author_id: article.user_id,
        author: article.author,
    };
    let Some(id) = comment_id else {
        return Ok(Some(target));
    };
    Ok(moderation::comment(&state.db, id)
        .await?
        .filter(|comment| comment.article_id == target.article_id && comment.hidden_at.is_none())
        .map(|comment| ReportTarget {
            comment_id: Some(comment.id),
            comment_body: Some(comment.body),
            author_id: comment.user_id,
            author: comment.author,
            ..target
        }))
}

/// Why a report was not filed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Nothing public to report there.
    #[error("no such article or comment")]
    NotFound,
    /// One's own writing is deleted or edited, not reported.
    #[error("you cannot report your own writing")]
    OwnWriting,
    #[error("too many reports")]
    TooMany(crate::ssr::throttle::TooMany),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for ReportError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// Whether a report was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    New,
    /// This reader reported this item before: the one report stands.
    Already,
}

/// `reporter` reports the article `slug` (or its comment `comment_id`) for
/// `reason`, within their budget ([`crate::ssr::throttle::REPORTS_PER_ACCOUNT`]
/// a day; a repeat costs nothing).
pub async fn report(
    state: &AppState,
    reporter: i64,
    slug: &str,
    comment_id: Option<i64>,
    reason: crate::domain::ReportReason,
    note: &crate::domain::ReportNote,
) -> Result<Reported, ReportError> {
    let target = report_target(state, slug, comment_id)
        .await?
        .ok_or(ReportError::NotFound)?;
    if target.author_id == reporter {
        return Err(ReportError::OwnWriting);
    }
    if already_reported(state, reporter, &target).await? {
        return Ok(Reported::Already);
    }
    crate::ssr::throttle::report(&state.session_redis, reporter)
        .await
        .map_err(ReportError::TooMany)?;
    let added = crate::ssr::queries::reports::add(
        &state.db,
        crate::ssr::queries::reports::NewReport {
            reporter_id: reporter,
            subject_id: target.author_id,
            article_id: target.article_id,
            article_created_at: target.article_created_at,
            comment_id: target.comment_id,
            reason: reason.as_str(),
            note: note.as_str(),
        },
    )
    .await?;
    Ok(if added { Reported::New } else { Reported::Already })
}

/// Whether `reporter` has reported `target` before.
pub async fn already_reported(state: &AppState, reporter: i64, target: &ReportTarget) -> Result<bool, QueryError> {
    Ok(crate::ssr::queries::reports::exists(&state.db, reporter, target.article_id, target.comment_id).await?)
}

/// The first words of `text`, as the record keeps them.
fn excerpt(text: &str) -> String {
    const WORDS: usize = 200;
    match text.char_indices().nth(WORDS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_the_first_two_hundred_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(300);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
    }
}
