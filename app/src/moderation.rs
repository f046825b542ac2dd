//! Governing a public Warta: the server functions behind reporting, the
//! moderation queue and its account pages, and blocking (the rules are
//! [`crate::ssr::moderation`]'s; the pages are in
//! [`crate::pages::moderation`]).
//!
//! Every form here is a plain POST that works without JavaScript: a
//! refusal comes back to its page with the message beside the field, and
//! an action done goes back to the page it was on.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, forms::FormError};

/// What the report page shows about the item reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTopic {
    pub article_slug: String,
    pub article_title: String,
    /// The comment's text, when a comment is reported.
    pub comment: Option<String>,
    pub author: String,
    /// Whether the reader has reported it already.
    pub reported: bool,
    /// Whether it is the reader's own writing (which is not reported).
    pub own: bool,
}

/// What the report page is about: `None` when signed out.
#[server(prefix = "/fn", endpoint = "report-subject")]
pub async fn report_subject(article: String, comment: Option<i64>) -> Result<Option<ReportTopic>, AppError> {
    use crate::ssr::moderation;
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        return Ok(None);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let target = moderation::report_target(&state, &article, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    let reported = moderation::already_reported(&state, reader, &target).await?;
    Ok(Some(ReportTopic {
        own: target.author_id == reader,
        article_slug: target.article_slug,
        article_title: target.article_title,
        comment: target.comment_body,
        author: target.author,
        reported,
    }))
}

/// Reports the article `article` (its slug), or its comment `comment`, for
/// `reason` with an optional `note`. Done, the page says it was received.
#[server(prefix = "/fn", endpoint = "report")]
pub async fn file_report(
    article: String,
    comment: Option<i64>,
    reason: Option<String>,
    note: String,
) -> Result<(), FormError> {
    use crate::{
        domain::{ReportNote, ReportReason},
        ssr::moderation::{self, ReportError},
        t,
    };
    let locale = crate::i18n::request_locale();
    let mut refusal = FormError::default();
    refusal.keep("note", &note);
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        crate::error::error_status(http::StatusCode::FORBIDDEN);
        return Err(FormError::failure(&t!(locale, "report-sign-in-first")));
    };
    let reason = ReportReason::parse(reason.as_deref().unwrap_or_default());
    let parsed_note = ReportNote::parse(&note);
    let (reason, note) = match (reason, parsed_note) {
        (Ok(reason), Ok(note)) => (reason, note),
        (reason, note) => {
            for invalid in [reason.err(), note.err()].into_iter().flatten() {
                refusal.add_invalid(&invalid, locale);
            }
            return Err(crate::forms::refused(refusal));
        }
    };
    let state = expect_context::<crate::ssr::AppState>();
    match moderation::report(&state, reader, &article, comment, reason, &note).await {
        Ok(_) => {
            let comment = comment.map(|id| format!("&comment={id}")).unwrap_or_default();
            crate::ssr::redirect(&format!("/report?article={article}{comment}&sent=1"));
            Ok(())
        }
        Err(ReportError::NotFound) => {
            crate::error::error_status(http::StatusCode::NOT_FOUND);
            refusal.form = Some(t!(locale, "report-gone"));
            Err(refusal)
        }
        Err(ReportError::OwnWriting) => {
            crate::error::for_scripts(http::StatusCode::UNPROCESSABLE_ENTITY, None);
            refusal.form = Some(t!(locale, "report-own"));
            Err(refusal)
        }
        Err(ReportError::TooMany(too_many)) => {
            crate::error::for_scripts(http::StatusCode::TOO_MANY_REQUESTS, Some(too_many.retry_after));
            refusal.form = Some(too_many.message(locale));
            Err(refusal)
        }
        Err(ReportError::Query(error)) => {
            tracing::error!(%error, "filing a report failed");
            Err(refusal.failed(t!(locale, "report-failed")))
        }
    }
}

/// One recorded moderation action, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationAction {
    /// One of the recorded names (`hide_comment`, `suspend`, …).
    pub action: String,
    /// Who acted; `None` for the command line or an account since deleted.
    pub actor: Option<String>,
    /// The account acted on.
    pub subject: Option<String>,
    /// What the item said when it was acted on.
    pub excerpt: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::queries::moderation::Action> for ModerationAction {
    fn from(action: crate::ssr::queries::moderation::Action) -> Self {
        Self {
            action: action.action,
            actor: action.actor,
            subject: action.subject,
            excerpt: action.excerpt,
            reason: action.reason,
            at: action.created_at,
        }
    }
}

/// One reported item in the queue, with its open reports and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub article_slug: String,
    pub article_title: String,
    pub article_hidden: bool,
    /// `None`: the article itself is reported.
    pub comment_id: Option<i64>,
    pub comment_body: Option<String>,
    pub comment_hidden: bool,
    pub author: String,
    pub author_suspended: bool,
    /// How many open reports it has.
    pub count: i64,
    pub latest: DateTime<Utc>,
    /// The newest open reports: reason, note and reporter.
    pub reports: Vec<(String, String, String)>,
    pub history: Vec<ModerationAction>,
}

/// The moderation queue: the reported items, most recently reported
/// first, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    pub open: i64,
    /// Whether the reader is an admin (who may make moderators).
    pub admin: bool,
}

/// How many reported items the queue shows at once.
pub const QUEUE_SIZE: i64 = 50;

/// The moderator signed in; 403 for anyone else.
#[cfg(feature = "ssr")]
async fn signed_in_moderator(state: &crate::ssr::AppState) -> Result<crate::ssr::moderation::Moderator, AppError> {
    let (reader, _) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    crate::ssr::moderation::moderator(state, reader)
        .await?
        .ok_or(AppError::Forbidden)
}

/// The queue, for moderators.
#[server(prefix = "/fn", endpoint = "moderation-queue")]
pub async fn moderation_queue() -> Result<Queue, AppError> {
    use crate::ssr::queries::{QueryError, moderation, reports};
    let state = expect_context::<crate::ssr::AppState>();
    let moderator = signed_in_moderator(&state).await?;
    let rows = reports::queue(&state.db, QUEUE_SIZE).await.map_err(QueryError::from)?;
    let open = reports::open_items(&state.db).await.map_err(QueryError::from)?;
    let articles: Vec<i64> = rows
        .iter()
        .filter(|row| row.comment_id.is_none())
        .map(|row| row.article_id)
        .collect();
    let comments: Vec<i64> = rows.iter().filter_map(|row| row.comment_id).collect();
    let history = moderation::history_of_items(&state.db, &articles, &comments, QUEUE_SIZE * 10)
        .await
        .map_err(QueryError::from)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let history = history
                .iter()
                .filter(|action| match row.comment_id {
                    Some(comment) => action.comment_id == Some(comment),
                    None => action.comment_id.is_none() && action.article_id == Some(row.article_id),
                })
                .cloned()
                .map(ModerationAction::from)
                .collect();
            QueueItem {
                article_slug: row.article_slug,
                article_title: row.article_title,
                article_hidden: row.article_hidden,
                comment_id: row.comment_id,
                comment_body: row.comment_body,
                comment_hidden: row.comment_hidden,
                author: row.author,
                author_suspended: row.author_suspended,
                count: row.reports,
                latest: row.latest,
                reports: row
                    .reasons
                    .into_iter()
                    .zip(row.notes)
                    .zip(row.reporters)
                    .map(|((reason, note), reporter)| (reason, note, reporter))
                    .collect(),
                history,
            }
        })
        .collect();
    Ok(Queue {
        items,
        open,
        admin: moderator.role == crate::domain::Role::Admin,
    })
}

/// An account as the moderation pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub username: String,
    /// `reader`, `moderator` or `admin`.
    pub role: String,
    pub suspended_at: Option<DateTime<Utc>>,
    pub joined: DateTime<Utc>,
    /// What of its writing is hidden: article slug, comment id, text.
    pub hidden: Vec<HiddenWriting>,
    pub history: Vec<ModerationAction>,
    /// Whether the reader may suspend it (its role is below theirs).
    pub may_suspend: bool,
    /// Whether the reader (an admin) may make it a moderator or a reader.
    pub may_change_role: bool,
}

/// A hidden article or comment of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenWriting {
    pub article_slug: String,
    pub comment_id: Option<i64>,
    pub text: String,
    pub hidden_at: DateTime<Utc>,
}

/// How many actions and hidden items an account page lists.
pub const ACCOUNT_HISTORY: i64 = 100;

/// The account `name` for the moderation pages; 404 when there is none.
#[server(prefix = "/fn", endpoint = "moderation-account")]
pub async fn moderation_account(name: String) -> Result<AccountRecord, AppError> {
    use crate::{
        domain::Role,
        ssr::queries::{QueryError, moderation},
    };
    let state = expect_context::<crate::ssr::AppState>();
    let moderator = signed_in_moderator(&state).await?;
    if !crate::domain::could_name_something(&name, crate::domain::USERNAME_MAX) {
        return Err(AppError::NotFound);
    }
    let member = moderation::member_named(&state.db, &name)
        .await
        .map_err(QueryError::from)?
        .ok_or(AppError::NotFound)?;
    let history = moderation::history_of_account(&state.db, member.id, ACCOUNT_HISTORY)
        .await
        .map_err(QueryError::from)?;
    let hidden = moderation::hidden_writing(&state.db, member.id, ACCOUNT_HISTORY)
        .await
        .map_err(QueryError::from)?;
    let role = Role::from_stored(&member.role);
    Ok(AccountRecord {
        may_suspend: member.id != moderator.id && role < moderator.role,
        may_change_role: moderator.role == Role::Admin && role != Role::Admin && member.id != moderator.id,
        username: member.username,
        role: member.role,
        suspended_at: member.suspended_at,
        joined: member.created_at,
        hidden: hidden
            .into_iter()
            .map(|item| HiddenWriting {
                article_slug: item.article_slug,
                comment_id: item.comment_id,
                text: item.text,
                hidden_at: item.hidden_at,
            })
            .collect(),
        history: history.into_iter().map(ModerationAction::from).collect(),
    })
}

/// A moderator's reason, parsed, or the refusal that says what is wrong;
/// it keeps `which` (the form's item: many forms share one action on a
/// page, and only that item's form shows the message).
#[cfg(feature = "ssr")]
fn reason_or_refusal(reason: &str, which: &str) -> Result<crate::domain::ModerationReason, FormError> {
    let locale = crate::i18n::request_locale();
    crate::domain::ModerationReason::parse(reason).map_err(|invalid| {
        let mut refusal = FormError::default();
        refusal.keep("reason", reason);
        refusal.keep("which", which);
        refusal.add_invalid(&invalid, locale);
        crate::forms::refused(refusal)
    })
}

/// Names a form's item, for [`reason_or_refusal`].
pub fn which(article: &str, comment: Option<i64>) -> String {
    match comment {
        Some(id) => format!("{article}#{id}"),
        None => article.to_owned(),
    }
}

/// A moderation action's failure as a form's refusal.
#[cfg(feature = "ssr")]
fn action_refused(error: crate::ssr::moderation::ModerationError) -> FormError {
    use crate::{ssr::moderation::ModerationError, t};
    let locale = crate::i18n::request_locale();
    match error {
        ModerationError::NotAllowed => {
            crate::error::for_scripts(http::StatusCode::FORBIDDEN, None);
            FormError::failure(&t!(locale, "moderation-not-allowed"))
        }
        ModerationError::NotFound => {
            crate::error::for_scripts(http::StatusCode::NOT_FOUND, None);
            FormError::failure(&t!(locale, "moderation-gone"))
        }
        ModerationError::Query(error) => {
            tracing::error!(%error, "a moderation action failed");
            FormError::default().failed(t!(locale, "moderation-failed"))
        }
    }
}

/// The moderator signed in, or the refusal a form shows anyone else.
#[cfg(feature = "ssr")]
async fn moderator_or_refusal(state: &crate::ssr::AppState) -> Result<crate::ssr::moderation::Moderator, FormError> {
    signed_in_moderator(state)
        .await
        .map_err(|_| action_refused(crate::ssr::moderation::ModerationError::NotAllowed))
}

/// What a moderator does to a reported item, from the queue: `hide` it,
/// `dismiss` its reports, or `suspend` its author; each for `reason`.
#[server(prefix = "/fn", endpoint = "moderate")]
pub async fn moderate(
    article: String,
    comment: Option<i64>,
    author: String,
    action: String,
    reason: String,
) -> Result<(), FormError> {
    use crate::ssr::moderation;
    let state = expect_context::<crate::ssr::AppState>();
    let by = moderator_or_refusal(&state).await?;
    let reason = reason_or_refusal(&reason, &which(&article, comment))?;
    let done = match (action.as_str(), comment) {
        ("hide", Some(id)) => moderation::set_comment_hidden(&state, by.id, &article, id, true, Some(&reason)).await,
        ("hide", None) => moderation::set_article_hidden(&state, &by, &article, true, &reason).await,
        ("dismiss", _) => moderation::dismiss(&state, &by, &article, comment, &reason).await,
        ("suspend", _) => moderation::set_suspended(&state, Some(&by), &author, true, &reason).await,
        _ => {
            let locale = crate::i18n::request_locale();
            let mut refusal = FormError::default();
            refusal.add_invalid(
                &crate::domain::Invalid::new("action", crate::domain::Fault::NotAChoice),
                locale,
            );
            return Err(crate::forms::refused(refusal));
        }
    };
    done.map_err(action_refused)?;
    crate::ssr::redirect("/moderation");
    Ok(())
}

/// Restores a hidden article (`comment` `None`) or comment of the account
/// `account`, from its moderation page, for `reason`.
#[server(prefix = "/fn", endpoint = "restore-writing")]
pub async fn restore_writing(
    account: String,
    article: String,
    comment: Option<i64>,
    reason: String,
) -> Result<(), FormError> {
    use crate::ssr::moderation;
    let state = expect_context::<crate::ssr::AppState>();
    let by = moderator_or_refusal(&state).await?;
    let reason = reason_or_refusal(&reason, &which(&article, comment))?;
    let done = match comment {
        Some(id) => moderation::set_comment_hidden(&state, by.id, &article, id, false, Some(&reason)).await,
        None => moderation::set_article_hidden(&state, &by, &article, false, &reason).await,
    };
    done.map_err(action_refused)?;
    crate::ssr::redirect(&account_page(&account));
    Ok(())
}

/// Suspends (`suspend`) or restores the account `account`, for `reason`.
#[server(prefix = "/fn", endpoint = "suspend")]
pub async fn suspend_account(account: String, suspend: bool, reason: String) -> Result<(), FormError> {
    let state = expect_context::<crate::ssr::AppState>();
    let by = moderator_or_refusal(&state).await?;
    let reason = reason_or_refusal(&reason, "suspend")?;
    crate::ssr::moderation::set_suspended(&state, Some(&by), &account, suspend, &reason)
        .await
        .map_err(action_refused)?;
    crate::ssr::redirect(&account_page(&account));
    Ok(())
}

/// Makes the account `account` a moderator (`grant`) or a reader again,
/// for `reason`: admins only.
#[server(prefix = "/fn", endpoint = "set-moderator")]
pub async fn set_moderator(account: String, grant: bool, reason: String) -> Result<(), FormError> {
    use crate::domain::Role;
    let state = expect_context::<crate::ssr::AppState>();
    let by = moderator_or_refusal(&state).await?;
    let reason = reason_or_refusal(&reason, "role")?;
    let role = if grant { Role::Moderator } else { Role::Reader };
    crate::ssr::moderation::set_role(&state.db, state.clock.now(), Some(&by), &account, role, &reason)
        .await
        .map_err(action_refused)?;
    crate::ssr::redirect(&account_page(&account));
    Ok(())
}

/// The moderation page of the account `username`.
pub fn account_page(username: &str) -> String {
    format!("/moderation/account?name={username}")
}

/// The article's author hides (`hide`) or restores comment `id` under
/// their article `slug`; moderators do it from the queue, with a reason.
#[server(prefix = "/fn", endpoint = "hide-comment")]
pub async fn hide_comment(slug: String, id: i64, hide: bool) -> Result<(), AppError> {
    use crate::ssr::{
        moderation::{self, ModerationError, Steward},
        queries::{QueryError, moderation as queries},
    };
    let (reader, _) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    let state = expect_context::<crate::ssr::AppState>();
    let comment = queries::comment(&state.db, id)
        .await
        .map_err(QueryError::from)?
        .ok_or(AppError::NotFound)?;
    if moderation::steward_of(&state, reader, &comment).await? != Some(Steward::ArticleAuthor) {
        return Err(AppError::Forbidden);
    }
    match moderation::set_comment_hidden(&state, reader, &slug, id, hide, None).await {
        Ok(()) => Ok(()),
        Err(ModerationError::NotFound) => Err(AppError::NotFound),
        Err(error) => Err(error.into()),
    }
}

/// Blocks (`block`) or unblocks `username`; returns whether the reader now
/// blocks them. Blocking ends their follow of the reader.
#[server(prefix = "/fn", endpoint = "block")]
pub async fn set_block(username: String, block: bool) -> Result<bool, AppError> {
    use crate::ssr::queries::{QueryError, blocks, moderation};
    let (reader, _) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    let state = expect_context::<crate::ssr::AppState>();
    let other = moderation::member_named(&state.db, &username)
        .await
        .map_err(QueryError::from)?
        .ok_or(AppError::NotFound)?;
    let blocked = if block {
        let mut tx = state.db.begin().await.map_err(QueryError::from)?;
        let made = blocks::block(&mut tx, reader, other.id)
            .await
            .map_err(QueryError::from)?;
        tx.commit().await.map_err(QueryError::from)?;
        made
    } else {
        blocks::unblock(&state.db, reader, other.id)
            .await
            .map_err(QueryError::from)?;
        false
    };
    Ok(blocked)
}

/// Whether the reader blocks `username`; `None` when signed out or it is
/// the reader.
#[server(prefix = "/fn", endpoint = "block-state")]
pub async fn block_state(username: String) -> Result<Option<bool>, AppError> {
    use crate::ssr::queries::{QueryError, blocks, moderation};
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        return Ok(None);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let Some(other) = moderation::member_named(&state.db, &username)
        .await
        .map_err(QueryError::from)?
    else {
        return Err(AppError::NotFound);
    };
    if other.id == reader {
        return Ok(None);
    }
    Ok(Some(
        blocks::blocks(&state.db, reader, other.id)
            .await
            .map_err(QueryError::from)?,
    ))
}

/// A blocked account, as the settings list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedAccount {
    pub username: String,
    pub image: Option<String>,
    pub since: DateTime<Utc>,
}

/// How many blocked accounts the settings list shows.
pub const BLOCKED_LIST: i64 = 200;

/// The accounts the reader blocks, newest first; `None` when signed out.
#[server(prefix = "/fn", endpoint = "blocked")]
pub async fn blocked_accounts() -> Result<Option<Vec<BlockedAccount>>, AppError> {
    use crate::ssr::queries::{QueryError, blocks};
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        crate::ssr::redirect("/login?next=/settings/blocked");
        return Ok(None);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let list = blocks::blocked_by(&state.db, reader, BLOCKED_LIST)
        .await
        .map_err(QueryError::from)?;
    Ok(Some(
        list.into_iter()
            .map(|blocked| BlockedAccount {
                username: blocked.username,
                image: blocked.image,
                since: blocked.since,
            })
            .collect(),
    ))
}
