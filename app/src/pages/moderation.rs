//! `/moderation` (the queue of reported items), `/moderation/account`
//! (one account: its state, its hidden writing and its history) and
//! `/report` (a reader reporting an article or a comment). Every form is a
//! plain POST that works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{fields::FormNotice, meta::PageMeta},
    domain::{MODERATION_REASON_MAX, REPORT_NOTE_MAX, ReportReason},
    forms::FormError,
    i18n::{Locale, use_locale},
    moderation::{
        AccountRecord, FileReport, Moderate, ModerationAction, QueueItem, RestoreWriting, SetModerator, SuspendAccount,
        account_page, moderation_account, moderation_queue, report_subject, which,
    },
    pages::error::ErrorNotice,
    t,
};

/// `/moderation`: the items readers reported, the most recently reported
/// first, each with its reports, its history and what a moderator can do.
#[component]
pub fn ModerationPage() -> impl IntoView {
    let locale = use_locale();
    let moderate = ServerAction::<Moderate>::new();
    let queue = Resource::new(move || moderate.version().get(), |_| moderation_queue());
    let query = use_query_map();
    let find = move || query.read().get("name").unwrap_or_default();
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "moderation-title") description=String::new() path=locale.href("/moderation") />
        <section>
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "moderation-title")}</h1>
            <form method="get" action=locale.href("/moderation/account") class="mt-4 flex flex-wrap items-end gap-2">
                <div>
                    <label for="find-account" class="block text-sm font-medium">{t!(locale, "moderation-find-account")}</label>
                    <input id="find-account" name="name" type="text" required maxlength="40" value=find class="field mt-1" />
                </div>
                <button type="submit" class="button-secondary">{t!(locale, "moderation-find")}</button>
            </form>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(queue) => {
                            let refused = moderate.value().get().and_then(Result::err);
                            view! {
                                <p class="mt-6 text-sm text-muted" data-testid="queue-count">
                                    {t!(locale, "moderation-open", count = queue.open, shown = locale.number(queue.open))}
                                </p>
                                {queue.items.is_empty().then(|| view! {
                                    <p class="mt-6" data-testid="queue-empty">{t!(locale, "moderation-empty")}</p>
                                })}
                                <ol class="mt-4 space-y-8" data-testid="queue">
                                    {queue.items.into_iter().map(|item| view! {
                                        <QueueEntry item moderate refused=refused.clone() />
                                    }).collect_view()}
                                </ol>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> <SignInLink next="/moderation" /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A sign-in link for whoever reached a moderation page signed out.
#[component]
fn SignInLink(next: &'static str) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="mt-4 text-sm">
            <a href=locale.href(&format!("/login?next={next}")) class="nav-link underline">{t!(locale, "moderation-sign-in")}</a>
        </p>
    }
}

/// One reported item in the queue.
#[component]
fn QueueEntry(item: QueueItem, moderate: ServerAction<Moderate>, refused: Option<FormError>) -> impl IntoView {
    let locale = use_locale();
    let which = which(&item.article_slug, item.comment_id);
    let id = format!("item-{}", which.replace('#', "-c"));
    let refused = refused.filter(|error| error.value("which").as_deref() == Some(which.as_str()));
    let article_href = locale.href(&format!("/articles/{}", item.article_slug));
    let hidden = if item.comment_id.is_some() {
        item.comment_hidden
    } else {
        item.article_hidden
    };
    let labelled_by = id.clone();
    view! {
        <li class="rounded-md border border-rule p-4" data-testid="queue-item" aria-labelledby=labelled_by>
            <h2 id=id class="font-medium">
                {match item.comment_id {
                    Some(_) => t!(locale, "moderation-comment-on", title = item.article_title.as_str()),
                    None => t!(locale, "moderation-article", title = item.article_title.as_str()),
                }}
            </h2>
            <p class="mt-1 text-sm text-muted">
                <a href=article_href class="underline">{t!(locale, "moderation-open-article")}</a>
                " · "
                {t!(locale, "moderation-by")}
                " "
                <a href=locale.href(&account_page(&item.author)) class="underline">{item.author.clone()}</a>
                {item.author_suspended.then(|| view! { " " <span class="badge">{t!(locale, "moderation-suspended")}</span> })}
                {hidden.then(|| view! { " " <span class="badge">{t!(locale, "moderation-hidden")}</span> })}
            </p>
            {item.comment_body.map(|body| view! {
                <blockquote class="mt-3 whitespace-pre-line break-words border-l-2 border-rule pl-3">{body}</blockquote>
            })}
            <h3 class="mt-4 text-sm font-medium">
                {t!(locale, "moderation-reports", count = item.count, shown = locale.number(item.count))}
            </h3>
            <ul class="mt-1 space-y-1 text-sm">
                {item.reports.into_iter().map(|(reason, note, reporter)| view! {
                    <li>
                        <span class="font-medium">{reason_label(locale, &reason)}</span>
                        " · " {reporter}
                        {(!note.is_empty()).then(|| view! { <span class="block whitespace-pre-line break-words text-muted">{note}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=moderate attr:class="mt-4 flex flex-wrap items-end gap-2" attr:data-testid="moderate-form">
                <FormNotice message=refused.as_ref().and_then(|error| error.form.clone()) />
                <input type="hidden" name="article" value=item.article_slug.clone() />
                {item.comment_id.map(|comment| view! { <input type="hidden" name="comment" value=comment.to_string() /> })}
                <input type="hidden" name="author" value=item.author.clone() />
                <div>
                    <label for=format!("{}-action", which) class="block text-sm font-medium">{t!(locale, "moderation-action")}</label>
                    <select id=format!("{}-action", which) name="action" class="field mt-1">
                        <option value="hide">
                            {match item.comment_id {
                                Some(_) => t!(locale, "moderation-hide-comment"),
                                None => t!(locale, "moderation-hide-article"),
                            }}
                        </option>
                        <option value="dismiss">{t!(locale, "moderation-dismiss")}</option>
                        <option value="suspend">{t!(locale, "moderation-suspend-author", author = item.author.as_str())}</option>
                    </select>
                </div>
                <ReasonField id=format!("{}-reason", which) refused=refused.clone() />
                <button type="submit" class="button">{t!(locale, "moderation-apply")}</button>
            </ActionForm>
            <History actions=item.history />
        </li>
    }
    .into_any()
}

/// The reason every moderation form asks for.
#[component]
fn ReasonField(id: String, refused: Option<FormError>) -> impl IntoView {
    let locale = use_locale();
    let message = refused.as_ref().and_then(|error| error.message("reason"));
    let value = refused.as_ref().and_then(|error| error.value("reason"));
    let note = format!("{id}-note");
    let described_by = note.clone();
    let invalid = message.is_some();
    view! {
        <div class="min-w-48 flex-1">
            <label for=id.clone() class="block text-sm font-medium">{t!(locale, "moderation-reason")}</label>
            <input
                id=id
                name="reason"
                type="text"
                required
                maxlength=MODERATION_REASON_MAX
                value=value
                aria-invalid=invalid.then_some("true")
                aria-describedby=described_by
                class="field mt-1"
            />
            <p id=note class="mt-1 text-sm" class:text-danger=invalid class:text-muted=!invalid>
                {message.unwrap_or_else(|| t!(locale, "moderation-reason-hint"))}
            </p>
        </div>
    }
    .into_any()
}

/// What was done, newest first.
#[component]
fn History(actions: Vec<ModerationAction>) -> impl IntoView {
    let locale = use_locale();
    (!actions.is_empty()).then(|| {
        view! {
            <details class="mt-4 text-sm">
                <summary class="cursor-pointer font-medium">{t!(locale, "moderation-history")}</summary>
                <ol class="mt-2 space-y-1" data-testid="history">
                    {actions.into_iter().map(|action| view! {
                        <li>
                            <time datetime=action.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)>
                                {locale.date(action.at)}
                            </time>
                            " · " {action_label(locale, &action.action)}
                            " · " {action.actor.unwrap_or_else(|| t!(locale, "moderation-command-line"))}
                            {(!action.reason.is_empty()).then(|| view! { ": " <q>{action.reason}</q> })}
                            {(!action.excerpt.is_empty()).then(|| view! {
                                <span class="block break-words text-muted">{action.excerpt}</span>
                            })}
                        </li>
                    }).collect_view()}
                </ol>
            </details>
        }
        .into_any()
    })
}

/// A report's reason, as the page names it.
fn reason_label(locale: Locale, reason: &str) -> String {
    match ReportReason::parse(reason) {
        Ok(ReportReason::Spam) => t!(locale, "report-reason-spam"),
        Ok(ReportReason::Abuse) => t!(locale, "report-reason-abuse"),
        Ok(ReportReason::Sexual) => t!(locale, "report-reason-sexual"),
        Ok(ReportReason::Violence) => t!(locale, "report-reason-violence"),
        Ok(ReportReason::Other) | Err(_) => t!(locale, "report-reason-other"),
    }
}

/// A recorded action, as the history names it.
fn action_label(locale: Locale, action: &str) -> String {
    match action {
        "hide_article" => t!(locale, "action-hide-article"),
        "restore_article" => t!(locale, "action-restore-article"),
        "hide_comment" => t!(locale, "action-hide-comment"),
        "restore_comment" => t!(locale, "action-restore-comment"),
        "delete_comment" => t!(locale, "action-delete-comment"),
        "suspend" => t!(locale, "action-suspend"),
        "unsuspend" => t!(locale, "action-unsuspend"),
        "dismiss" => t!(locale, "action-dismiss"),
        "grant_moderator" => t!(locale, "action-grant-moderator"),
        "revoke_moderator" => t!(locale, "action-revoke-moderator"),
        "grant_admin" => t!(locale, "action-grant-admin"),
        other => other.to_owned(),
    }
}

/// `/moderation/account?name=…`: one account, for moderators.
#[component]
pub fn ModerationAccountPage() -> impl IntoView {
    let locale = use_locale();
    let suspend = ServerAction::<SuspendAccount>::new();
    let restore = ServerAction::<RestoreWriting>::new();
    let role = ServerAction::<SetModerator>::new();
    let query = use_query_map();
    let name = move || query.read().get("name").unwrap_or_default();
    let account = Resource::new(
        move || {
            (
                name(),
                suspend.version().get(),
                restore.version().get(),
                role.version().get(),
            )
        },
        |(name, _, _, _)| moderation_account(name),
    );
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "moderation-account-title") description=String::new() path=locale.href("/moderation") />
        <section class="mx-auto max-w-2xl">
            <p class="text-sm"><a href=locale.href("/moderation") class="nav-link underline">{t!(locale, "moderation-back")}</a></p>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(record) => view! { <AccountPanel record suspend restore role /> }.into_any(),
                        Err(error) => view! {
                            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "moderation-account-title")}</h1>
                            <ErrorNotice error />
                            <SignInLink next="/moderation" />
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// An account's state, its hidden writing and its history, with what a
/// moderator (or an admin) may change.
#[component]
fn AccountPanel(
    record: AccountRecord,
    suspend: ServerAction<SuspendAccount>,
    restore: ServerAction<RestoreWriting>,
    role: ServerAction<SetModerator>,
) -> impl IntoView {
    let locale = use_locale();
    let suspended = record.suspended_at.is_some();
    let suspend_refused = suspend.value().get().and_then(Result::err);
    let role_refused = role.value().get().and_then(Result::err);
    let restore_refused = restore.value().get().and_then(Result::err);
    let is_moderator = record.role == "moderator";
    let username = record.username.clone();
    view! {
        <h1 class="mt-4 font-serif text-3xl font-bold tracking-tight">{record.username.clone()}</h1>
        <p class="mt-2 text-sm text-muted" data-testid="account-state">
            {match &record.suspended_at {
                Some(at) => t!(locale, "moderation-account-suspended", date = locale.date(*at)),
                None => t!(locale, "moderation-account-active"),
            }}
            " · " {role_label(locale, &record.role)}
            " · " {t!(locale, "moderation-joined", date = locale.date(record.joined))}
        </p>
        {record.may_suspend.then(|| {
            let username = username.clone();
            view! {
                <ActionForm action=suspend attr:class="mt-6 flex flex-wrap items-end gap-2" attr:data-testid="suspend-form">
                    <FormNotice message=suspend_refused.as_ref().and_then(|error| error.form.clone()) />
                    <input type="hidden" name="account" value=username />
                    <input type="hidden" name="suspend" value=(!suspended).to_string() />
                    <ReasonField id="suspend-reason".to_owned() refused=suspend_refused.clone() />
                    <button type="submit" class=if suspended { "button" } else { "button-danger" }>
                        {match suspended {
                            true => t!(locale, "moderation-unsuspend"),
                            false => t!(locale, "moderation-suspend"),
                        }}
                    </button>
                </ActionForm>
            }
        })}
        {record.may_change_role.then(|| {
            let username = username.clone();
            view! {
                <ActionForm action=role attr:class="mt-6 flex flex-wrap items-end gap-2" attr:data-testid="role-form">
                    <FormNotice message=role_refused.as_ref().and_then(|error| error.form.clone()) />
                    <input type="hidden" name="account" value=username />
                    <input type="hidden" name="grant" value=(!is_moderator).to_string() />
                    <ReasonField id="role-reason".to_owned() refused=role_refused.clone() />
                    <button type="submit" class="button-secondary">
                        {match is_moderator {
                            true => t!(locale, "moderation-revoke-moderator"),
                            false => t!(locale, "moderation-grant-moderator"),
                        }}
                    </button>
                </ActionForm>
            }
        })}
        <h2 class="mt-10 font-serif text-xl font-bold">{t!(locale, "moderation-hidden-writing")}</h2>
        {record.hidden.is_empty().then(|| view! { <p class="mt-2 text-sm text-muted">{t!(locale, "moderation-nothing-hidden")}</p> })}
        <ul class="mt-2 space-y-4" data-testid="hidden-writing">
            {record.hidden.into_iter().map(|item| {
                let which = which(&item.article_slug, item.comment_id);
                let refused = restore_refused.clone().filter(|error| error.value("which").as_deref() == Some(which.as_str()));
                let username = username.clone();
                view! {
                    <li class="rounded-md border border-rule p-3">
                        <p class="whitespace-pre-line break-words">{item.text}</p>
                        <p class="mt-1 text-sm text-muted">
                            {match item.comment_id {
                                Some(_) => t!(locale, "moderation-hidden-comment", date = locale.date(item.hidden_at)),
                                None => t!(locale, "moderation-hidden-article", date = locale.date(item.hidden_at)),
                            }}
                        </p>
                        <ActionForm action=restore attr:class="mt-2 flex flex-wrap items-end gap-2" attr:data-testid="restore-form">
                            <FormNotice message=refused.as_ref().and_then(|error| error.form.clone()) />
                            <input type="hidden" name="account" value=username />
                            <input type="hidden" name="article" value=item.article_slug.clone() />
                            {item.comment_id.map(|comment| view! { <input type="hidden" name="comment" value=comment.to_string() /> })}
                            <ReasonField id=format!("{which}-restore") refused=refused.clone() />
                            <button type="submit" class="button-secondary">{t!(locale, "moderation-restore")}</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
        <h2 class="mt-10 font-serif text-xl font-bold">{t!(locale, "moderation-history")}</h2>
        {record.history.is_empty().then(|| view! { <p class="mt-2 text-sm text-muted">{t!(locale, "moderation-no-history")}</p> })}
        <History actions=record.history />
    }
    .into_any()
}

/// A role, as the page names it.
fn role_label(locale: Locale, role: &str) -> String {
    match role {
        "admin" => t!(locale, "role-admin"),
        "moderator" => t!(locale, "role-moderator"),
        _ => t!(locale, "role-reader"),
    }
}

/// `/report?article=…&comment=…`: a reader reports an article or one of
/// its comments, once; `&sent=1` says it was received.
#[component]
pub fn ReportPage() -> impl IntoView {
    let locale = use_locale();
    let file = ServerAction::<FileReport>::new();
    let query = use_query_map();
    let article = move || query.read().get("article").unwrap_or_default();
    let comment = move || query.read().get("comment").and_then(|raw| raw.parse::<i64>().ok());
    let sent = move || query.read().get("sent").is_some() || matches!(file.value().get(), Some(Ok(())));
    let subject = Resource::new(
        move || (article(), comment(), file.version().get()),
        |(article, comment, _)| report_subject(article, comment),
    );
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "report-title") description=String::new() path=locale.href("/report") />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "report-title")}</h1>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match subject.await {
                        Ok(Some(subject)) => {
                            let back = locale.href(&format!("/articles/{}", subject.article_slug));
                            let what = match &subject.comment {
                                Some(_) => t!(locale, "report-what-comment", author = subject.author.as_str(), title = subject.article_title.as_str()),
                                None => t!(locale, "report-what-article", author = subject.author.as_str(), title = subject.article_title.as_str()),
                            };
                            let body = match (sent(), subject.reported, subject.own) {
                                (true, _, _) => view! { <p role="status" class="mt-6 font-medium" data-testid="report-received">{t!(locale, "report-received")}</p> }.into_any(),
                                (false, true, _) => view! { <p role="status" class="mt-6" data-testid="report-already">{t!(locale, "report-already")}</p> }.into_any(),
                                (false, false, true) => view! { <p class="mt-6">{t!(locale, "report-own")}</p> }.into_any(),
                                (false, false, false) => view! { <ReportForm file article=subject.article_slug.clone() comment=comment() /> }.into_any(),
                            };
                            view! {
                                <p class="mt-4">{what}</p>
                                {subject.comment.map(|text| view! {
                                    <blockquote class="mt-3 whitespace-pre-line break-words border-l-2 border-rule pl-3">{text}</blockquote>
                                })}
                                {body}
                                <p class="mt-6 text-sm"><a href=back class="nav-link underline">{t!(locale, "report-back")}</a></p>
                            }
                            .into_any()
                        }
                        Ok(None) => view! {
                            <p class="mt-6 text-sm">
                                <a href=locale.href(&format!("/login?next=/articles/{}", article())) class="nav-link underline">
                                    {t!(locale, "report-sign-in")}
                                </a>
                            </p>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The report form: a reason from the list and an optional note.
#[component]
fn ReportForm(file: ServerAction<FileReport>, article: String, comment: Option<i64>) -> impl IntoView {
    let locale = use_locale();
    let error = file.value().get().and_then(Result::err).unwrap_or_default();
    let reason_message = error.message("reason");
    let note_message = error.message("note");
    let note_invalid = note_message.is_some();
    view! {
        <ActionForm action=file attr:class="mt-6" attr:data-testid="report-form">
            <FormNotice message=error.form.clone() />
            <input type="hidden" name="article" value=article />
            {comment.map(|comment| view! { <input type="hidden" name="comment" value=comment.to_string() /> })}
            <fieldset class="mt-4" aria-describedby="report-reason-note">
                <legend class="text-sm font-medium">{t!(locale, "report-why")}</legend>
                {ReportReason::ALL.into_iter().map(|reason| {
                    let id = format!("reason-{}", reason.as_str());
                    view! {
                        <div class="mt-2 flex items-center gap-2">
                            <input id=id.clone() type="radio" name="reason" value=reason.as_str() required />
                            <label for=id>{reason_label(locale, reason.as_str())}</label>
                        </div>
                    }
                }).collect_view()}
                <p id="report-reason-note" class="mt-1 text-sm text-danger">{reason_message}</p>
            </fieldset>
            <div class="mt-5">
                <label for="field-note" class="block text-sm font-medium">{t!(locale, "report-note")}</label>
                <textarea
                    id="field-note"
                    name="note"
                    rows="4"
                    maxlength=REPORT_NOTE_MAX
                    aria-invalid=note_invalid.then_some("true")
                    aria-describedby="field-note-note"
                    class="field mt-1"
                    inner_html=crate::components::textarea_content(&error.value("note").unwrap_or_default())
                ></textarea>
                <p id="field-note-note" class="mt-1 text-sm" class:text-danger=note_invalid class:text-muted=!note_invalid>
                    {note_message.unwrap_or_else(|| t!(locale, "report-note-hint", max = REPORT_NOTE_MAX))}
                </p>
            </div>
            <button type="submit" class="button mt-6 w-full" disabled=move || file.pending().get()>{t!(locale, "report-submit")}</button>
        </ActionForm>
    }
    .into_any()
}
