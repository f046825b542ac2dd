//! Comments under an article: a page of them at a time, oldest first, a
//! form for signed-in readers and a delete button on one's own. Every form
//! works without JavaScript (a POST, then back to the article).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{domain::COMMENT_MAX, error::AppError, forms::FormError, i18n::use_locale, t};

/// How many comments the article page shows at a time.
pub const COMMENTS_PAGE: i64 = 50;

/// A comment as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub author_image: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Hidden from readers: shown (greyed) to the article's author only.
    pub hidden: bool,
}

/// A page of an article's comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentsPage {
    pub comments: Vec<Comment>,
    /// The `?after=` of the next page, when there is one.
    pub next: Option<i64>,
    /// Whether the reader wrote the article, and so may hide, restore and
    /// delete any comment under it.
    pub steward: bool,
}

/// The comments on the article `slug` after the comment `after` (from the
/// first without), oldest first: for everyone, those not hidden; for the
/// article's author, hidden ones too (marked); for a reader who blocked
/// some of the writers, without theirs.
#[server(prefix = "/fn", endpoint = "comments")]
pub async fn article_comments(slug: String, after: Option<i64>) -> Result<CommentsPage, AppError> {
    use crate::ssr::queries::{QueryError, blocks, editing};
    let state = expect_context::<crate::ssr::AppState>();
    let reader = crate::ssr::session::signed_in().await.map(|(id, _)| id);
    let steward = match reader {
        Some(reader) => editing::by_slug(&state.db, &slug)
            .await
            .map_err(QueryError::from)?
            .is_some_and(|article| article.user_id == reader),
        None => false,
    };
    // One more than a page says whether another follows.
    let mut found = match steward {
        true => crate::ssr::reading::comments_with_hidden(&state, &slug, after, COMMENTS_PAGE + 1).await?,
        false => crate::ssr::reading::comments(&state, &slug, after, COMMENTS_PAGE + 1).await?,
    };
    let more = found.len() as i64 > COMMENTS_PAGE;
    found.truncate(COMMENTS_PAGE as usize);
    let next = found.last().filter(|_| more).map(|last| last.id);
    let blocked = match reader {
        Some(reader) => blocks::blocked_ids(&state.db, reader, crate::ssr::moderation::BLOCKS_MAX)
            .await
            .map_err(QueryError::from)?,
        None => Vec::new(),
    };
    Ok(CommentsPage {
        comments: found
            .into_iter()
            .filter(|comment| !blocked.contains(&comment.user_id))
            .map(|comment| Comment {
                id: comment.id,
                author: comment.author,
                author_image: comment.author_image,
                body: comment.body,
                created_at: comment.created_at,
                hidden: comment.hidden,
            })
            .collect(),
        next,
        steward,
    })
}

/// Posts a comment on the article `slug` as the signed-in reader. A
/// refusal keeps what was typed.
#[server(prefix = "/fn", endpoint = "comment")]
pub async fn post_comment(slug: String, body: String) -> Result<(), FormError> {
    use crate::ssr::publishing::{self, CommentError};
    let locale = crate::i18n::request_locale();
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        crate::error::error_status(http::StatusCode::FORBIDDEN);
        return Err(FormError::failure(&t!(locale, "comments-sign-in-first")));
    };
    let mut refusal = FormError::default();
    refusal.keep("body", &body);
    let body = match crate::domain::CommentBody::parse(&body) {
        Ok(body) => body,
        Err(invalid) => {
            refusal.add_invalid(&invalid, locale);
            return Err(crate::forms::refused(refusal));
        }
    };
    let state = expect_context::<crate::ssr::AppState>();
    match publishing::comment(&state, reader, &slug, &body).await {
        Ok(_) => Ok(()),
        Err(CommentError::TooMany(too_many)) => {
            crate::error::for_scripts(http::StatusCode::TOO_MANY_REQUESTS, Some(too_many.retry_after));
            let minutes = too_many.retry_after.div_ceil(60);
            refusal.form = Some(t!(
                locale,
                "comments-too-many",
                count = minutes,
                shown = locale.number(minutes as i64)
            ));
            Err(refusal)
        }
        Err(CommentError::Blocked) => {
            crate::error::for_scripts(http::StatusCode::FORBIDDEN, None);
            refusal.form = Some(t!(locale, "comments-blocked"));
            Err(refusal)
        }
        Err(CommentError::NoArticle | CommentError::NoComment | CommentError::Forbidden) => {
            crate::error::error_status(http::StatusCode::NOT_FOUND);
            refusal.form = Some(t!(locale, "comments-article-gone"));
            Err(refusal)
        }
        Err(CommentError::Query(error)) => {
            tracing::error!(%error, "posting a comment failed");
            refusal.form = Some(t!(locale, "comments-failed"));
            Err(refusal)
        }
    }
}

/// Deletes the reader's comment `id` on the article `slug`: 403 for
/// anyone else's, 404 for no such comment.
#[server(prefix = "/fn", endpoint = "delete-comment")]
pub async fn remove_comment(slug: String, id: i64) -> Result<(), AppError> {
    use crate::ssr::publishing::{self, CommentError};
    let (reader, _) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    let state = expect_context::<crate::ssr::AppState>();
    match publishing::delete_comment(&state, reader, &slug, id).await {
        Ok(()) => Ok(()),
        Err(CommentError::NoArticle | CommentError::NoComment) => Err(AppError::NotFound),
        Err(CommentError::Forbidden | CommentError::Blocked | CommentError::TooMany(_)) => Err(AppError::Forbidden),
        Err(CommentError::Query(error)) => Err(error.into()),
    }
}

/// The comments section of the article `slug`: `?after=` picks the page.
#[component]
pub fn Comments(slug: String) -> impl IntoView {
    let locale = use_locale();
    let post = ServerAction::<PostComment>::new();
    let remove = ServerAction::<RemoveComment>::new();
    let hide = ServerAction::<crate::moderation::HideComment>::new();
    let block = ServerAction::<crate::moderation::SetBlock>::new();
    let query = use_query_map();
    let after = move || query.read().get("after").and_then(|raw| raw.parse::<i64>().ok());
    let key = slug.clone();
    let page = Resource::new(
        move || {
            let changes = (
                post.version().get(),
                remove.version().get(),
                hide.version().get(),
                block.version().get(),
            );
            (key.clone(), after(), changes)
        },
        |(slug, after, _)| article_comments(slug, after),
    );
    let user = Resource::new(|| (), |_| crate::auth::current_user());
    let base = format!("/articles/{slug}");
    view! {
        <section id="comments" aria-labelledby="comments-heading" class="mt-12 border-t border-rule pt-8">
            <h2 id="comments-heading" class="font-serif text-2xl font-bold">{t!(locale, "comments-heading")}</h2>
            <Suspense fallback=move || view! { <p class="mt-4 text-muted">{t!(locale, "comments-loading")}</p> }>
                {move || {
                    let base = base.clone();
                    Suspend::new(async move {
                        let reader = user.await.ok().flatten().map(|user| user.username);
                        match page.await {
                            Ok(CommentsPage { comments, next, steward }) => view! {
                                <CommentList comments reader steward base=base.clone() remove hide block />
                                <nav aria-label=t!(locale, "comments-pages") class="mt-4 flex gap-4 text-sm">
                                    {after().map(|_| view! {
                                        <a href=locale.href(&format!("{base}#comments")) class="nav-link">{t!(locale, "comments-first")}</a>
                                    })}
                                    {next.map(|next| view! {
                                        <a href=locale.href(&format!("{base}?after={next}#comments")) class="nav-link">{t!(locale, "comments-later")}</a>
                                    })}
                                </nav>
                            }
                            .into_any(),
                            Err(_) => view! { <p class="mt-4 text-muted">{t!(locale, "comments-unavailable")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <CommentForm slug post user />
        </section>
    }
}

/// The comments, each with its writer and what the reader may do: delete
/// their own; hide, restore and delete any under their own article (hidden
/// ones shown greyed); report or block the writer of anyone else's.
#[component]
fn CommentList(
    comments: Vec<Comment>,
    reader: Option<String>,
    steward: bool,
    base: String,
    remove: ServerAction<RemoveComment>,
    hide: ServerAction<crate::moderation::HideComment>,
    block: ServerAction<crate::moderation::SetBlock>,
) -> impl IntoView {
    let locale = use_locale();
    if comments.is_empty() {
        return view! { <p class="mt-4 text-muted" data-testid="no-comments">{t!(locale, "comments-none")}</p> }
            .into_any();
    }
    let slug = base.trim_start_matches("/articles/").to_owned();
    view! {
        <ol class="mt-4 divide-y divide-rule" data-testid="comments">
            {comments
                .into_iter()
                .map(|comment| {
                    let mine = reader.as_deref() == Some(comment.author.as_str());
                    let signed_in = reader.is_some();
                    let report = locale.href(&format!("/report?article={slug}&comment={}", comment.id));
                    let (delete_slug, hide_slug) = (slug.clone(), slug.clone());
                    let hidden = comment.hidden;
                    view! {
                        <li
                            id=format!("comment-{}", comment.id)
                            class="py-4"
                            class:opacity-60=hidden
                            data-hidden=hidden.then_some("true")
                        >
                            <p class="flex flex-wrap items-center gap-2 text-sm text-muted">
                                <crate::components::avatar::Avatar image=comment.author_image size=24 />
                                <a href=locale.href(&format!("/@{}", comment.author)) class="font-medium text-ink hover:underline">{comment.author.clone()}</a>
                                <time datetime=comment.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)>
                                    {locale.date(comment.created_at)}
                                </time>
                                {hidden.then(|| view! { <span class="badge">{t!(locale, "comments-hidden")}</span> })}
                            </p>
                            <p class="mt-2 whitespace-pre-line break-words">{comment.body}</p>
                            <div class="mt-2 flex flex-wrap items-center gap-4 text-sm">
                                {(mine || steward).then(|| view! {
                                    <ActionForm action=remove>
                                        <input type="hidden" name="slug" value=delete_slug />
                                        <input type="hidden" name="id" value=comment.id.to_string() />
                                        <button type="submit" class="text-muted underline hover:text-ink">{t!(locale, "comments-delete")}</button>
                                    </ActionForm>
                                })}
                                {(steward && !mine).then(|| view! {
                                    <ActionForm action=hide attr:data-testid="hide-comment-form">
                                        <input type="hidden" name="slug" value=hide_slug />
                                        <input type="hidden" name="id" value=comment.id.to_string() />
                                        <input type="hidden" name="hide" value=(!hidden).to_string() />
                                        <button type="submit" class="text-muted underline hover:text-ink">
                                            {match hidden {
                                                true => t!(locale, "comments-restore"),
                                                false => t!(locale, "comments-hide"),
                                            }}
                                        </button>
                                    </ActionForm>
                                })}
                                {(!mine).then(|| view! {
                                    <a href=report class="text-muted underline hover:text-ink" rel="nofollow">{t!(locale, "comments-report")}</a>
                                })}
                                {(signed_in && !mine).then(|| view! {
                                    <ActionForm action=block attr:data-testid="block-writer-form">
                                        <input type="hidden" name="username" value=comment.author.clone() />
                                        <input type="hidden" name="block" value="true" />
                                        <button type="submit" class="text-muted underline hover:text-ink">
                                            {t!(locale, "block-button", username = comment.author.as_str())}
                                        </button>
                                    </ActionForm>
                                })}
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

/// The form to comment, for signed-in readers; a link to sign in for
/// anyone else.
#[component]
fn CommentForm(
    slug: String,
    post: ServerAction<PostComment>,
    user: Resource<Result<Option<crate::auth::SignedInUser>, AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    // Hydrated, a posted comment empties the box (a browser keeps what was
    // typed in a textarea whatever its markup says); without JavaScript
    // the page comes back with an empty one.
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if matches!(post.value().get(), Some(Ok(())))
            && let Some(textarea) = textarea.get()
        {
            textarea.set_value("");
        }
    });
    let refused = move || post.value().get().and_then(Result::err);
    let next = format!("/articles/{slug}");
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (slug, next) = (slug.clone(), next.clone());
                Suspend::new(async move {
                    if !matches!(user.await, Ok(Some(_))) {
                        let href = locale.href(&format!("/login?next={next}"));
                        return view! {
                            <p class="mt-6 text-sm">
                                <a href=href class="nav-link underline">{t!(locale, "comments-sign-in")}</a>
                            </p>
                        }
                        .into_any();
                    }
                    view! {
                        // Drawn again after each post: empty once it is in,
                        // with what was typed when it was refused.
                        {move || {
                            let slug = slug.clone();
                            let _ = post.version().get();
                            let error = refused().unwrap_or_default();
                            let message = error.message("body");
                            let invalid = message.is_some();
                            view! {
                                <ActionForm action=post attr:class="mt-6" attr:data-testid="comment-form">
                                    {error.form.clone().map(|message| view! { <p role="alert" class="notice mb-4">{message}</p> })}
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <label for="field-comment" class="block text-sm font-medium">{t!(locale, "comments-label")}</label>
                                    <textarea
                                        node_ref=textarea
                                        id="field-comment"
                                        name="body"
                                        rows="4"
                                        required
                                        maxlength=COMMENT_MAX
                                        aria-invalid=invalid.then_some("true")
                                        aria-describedby="field-comment-note"
                                        class="field mt-1"
                                        inner_html=crate::components::textarea_content(&error.value("body").unwrap_or_default())
                                    ></textarea>
                                    <p id="field-comment-note" class="mt-1 text-sm" class:text-danger=invalid class:text-muted=!invalid>
                                        {message.unwrap_or_else(|| t!(locale, "comments-hint", max = COMMENT_MAX))}
                                    </p>
                                    <button type="submit" class="button mt-3" disabled=move || post.pending().get()>{t!(locale, "comments-post")}</button>
                                </ActionForm>
                            }
                        }}
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}
