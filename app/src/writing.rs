//! Writing: the server functions behind `/editor` and `/editor/{slug}`.
//!
//! The editor form has three buttons (save as draft, publish, preview),
//! told apart by the `intent` the pressed one sends. With JavaScript the
//! hydrated form calls [`save_article`] and shows its messages without a
//! page load. Without it the form posts to the editor's own URL, where the
//! server runs the same [`submit`] and either redirects or renders the
//! editor again with the messages and everything the author typed (see
//! `server/src/http/routes/editor_form.rs`): a long body never travels in a
//! URL, so nothing written is lost.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, forms::FormError};

/// The editor's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleForm {
    pub title: String,
    pub description: String,
    pub body: String,
    /// Comma-separated.
    pub tags: String,
    /// `en` or `id`; empty (a form from before the choice existed) is the
    /// editor page's language.
    #[serde(default)]
    pub language: String,
}

/// What the pressed button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// Save without publishing (an article that was public becomes a
    /// draft again).
    Draft,
    /// Save and make public.
    Publish,
    /// Render the body, saving nothing.
    Preview,
}

/// The editor as it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorState {
    /// The article being edited; `None` for a new one.
    pub slug: Option<String>,
    /// Whether the article is public.
    pub published: bool,
    /// Whether moderators withheld it: its author is told so.
    pub withheld: bool,
    /// What the fields hold.
    pub form: ArticleForm,
    /// The largest body accepted, in bytes.
    pub body_max: usize,
    /// The current cover image's URL (its smallest copy once made).
    pub cover: Option<String>,
    /// A refused submission's messages (forms posted without JavaScript).
    pub error: Option<FormError>,
    /// A preview asked for without JavaScript: the body as HTML.
    pub preview: Option<String>,
}

/// A submission the server already handled, for the editor to show again:
/// provided as context when a form posted without JavaScript is refused or
/// previewed.
#[derive(Debug, Clone)]
pub struct Resubmitted(pub EditorState);

/// What a successful [`save_article`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saved {
    /// Saved; the response redirects to the article or back to the editor.
    Done,
    /// The body, rendered and sanitized; nothing was saved.
    Preview(String),
}

/// Opens the editor on a new article (`slug` of `None`) or on one of the
/// signed-in author's own. `Ok(None)` when nobody is signed in: the
/// response then redirects to sign in and back.
#[server(prefix = "/fn", endpoint = "editor")]
pub async fn open_editor(slug: Option<String>) -> Result<Option<EditorState>, AppError> {
    use crate::ssr::publishing;

    if let Some(Resubmitted(state)) = use_context::<Resubmitted>() {
        return Ok(Some(state));
    }
    let state = expect_context::<crate::ssr::AppState>();
    let Some((user_id, _)) = crate::ssr::session::signed_in().await else {
        crate::ssr::redirect(&sign_in_path(slug.as_deref(), ""));
        return Ok(None);
    };
    let Some(slug) = slug else {
        return Ok(Some(EditorState {
            slug: None,
            published: false,
            withheld: false,
            form: ArticleForm::default(),
            body_max: state.body_max,
            cover: None,
            error: None,
            preview: None,
        }));
    };
    let article = publishing::editable(&state, user_id, &slug).await?;
    let cover = crate::ssr::covers::of_article(&state.db, article.id, article.created_at)
        .await
        .map_err(crate::ssr::queries::QueryError::from)?;
    Ok(Some(EditorState {
        cover: cover.map(|cover| cover_thumbnail(&cover)),
        slug: Some(article.slug),
        published: article.published,
        withheld: article.withheld,
        form: ArticleForm {
            title: article.title,
            description: article.description,
            body: article.body,
            tags: crate::domain::join_tags(&article.tags),
            language: article.language,
        },
        body_max: state.body_max,
        error: None,
        preview: None,
    }))
}

/// Saves (as a draft or published) or previews the editor's article.
#[server(prefix = "/fn", endpoint = "save-article")]
pub async fn save_article(
    slug: Option<String>,
    title: String,
    description: String,
    body: String,
    tags: String,
    language: Option<String>,
    intent: Option<Intent>,
) -> Result<Saved, FormError> {
    let state = expect_context::<crate::ssr::AppState>();
    let locale = crate::i18n::request_locale();
    let form = ArticleForm {
        title,
        description,
        body,
        tags,
        language: language.unwrap_or_default(),
    };
    let user = crate::ssr::session::signed_in().await;
    let status = |status: http::StatusCode| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    };
    let intent = intent.unwrap_or(Intent::Preview);
    match submit(&state, user, slug.as_deref(), form, intent, locale).await {
        Outcome::Saved { location, .. } => {
            crate::ssr::redirect(&location);
            Ok(Saved::Done)
        }
        Outcome::Preview(html) => Ok(Saved::Preview(html)),
        Outcome::Refused(error) => Err(crate::forms::refused(error)),
        Outcome::Failed(error) => {
            status(http::StatusCode::SERVICE_UNAVAILABLE);
            Err(error)
        }
        Outcome::TooMany(error, retry_after) => {
            crate::error::for_scripts(http::StatusCode::TOO_MANY_REQUESTS, Some(retry_after));
            Err(error)
        }
        Outcome::NotFound => {
            status(http::StatusCode::NOT_FOUND);
            Err(FormError::failure(&crate::t!(locale, "editor-article-gone")))
        }
        Outcome::Forbidden => {
            status(http::StatusCode::FORBIDDEN);
            Err(FormError::failure(&crate::t!(locale, "editor-not-author")))
        }
    }
}

/// Deletes one of the signed-in author's articles, then shows their page.
#[server(prefix = "/fn", endpoint = "delete-article")]
pub async fn delete_article(slug: String) -> Result<(), AppError> {
    use crate::ssr::publishing;

    let state = expect_context::<crate::ssr::AppState>();
    let Some((user_id, username)) = crate::ssr::session::signed_in().await else {
        crate::ssr::redirect(&sign_in_path(Some(&slug), "/delete"));
        return Ok(());
    };
    let article = publishing::editable(&state, user_id, &slug).await?;
    publishing::delete(&state, &article).await?;
    crate::ssr::redirect(&format!("/@{username}?deleted=1"));
    Ok(())
}

/// How many drafts an author's page lists.
pub const DRAFTS_LISTED: i64 = 50;

/// `username`'s drafts, most recently edited first, when `username` is
/// who is signed in; nothing for anyone else.
#[server(prefix = "/fn", endpoint = "drafts")]
pub async fn my_drafts(username: String) -> Result<Vec<crate::model::DraftSummary>, AppError> {
    let Some((user_id, me)) = crate::ssr::session::signed_in().await else {
        return Ok(Vec::new());
    };
    if !me.eq_ignore_ascii_case(&username) {
        return Ok(Vec::new());
    }
    let state = expect_context::<crate::ssr::AppState>();
    Ok(crate::ssr::queries::editing::drafts(&state.db, user_id, DRAFTS_LISTED)
        .await
        .map_err(crate::ssr::queries::QueryError::from)?)
}

/// The URL the editor shows a cover at: its smallest copy, or the
/// original until copies exist.
#[cfg(feature = "ssr")]
pub fn cover_thumbnail(cover: &crate::ssr::covers::CoverRecord) -> String {
    use crate::ssr::covers;
    match cover.variants.iter().min() {
        Some(width) => covers::url(&covers::variant_key(&cover.key, *width as u32)),
        None => covers::url(&cover.key),
    }
}

/// The editor's path for `slug`.
pub fn editor_path(slug: &str) -> String {
    format!("/editor/{slug}")
}

/// Where a signed-out writer is sent: sign in, then back to the editor
/// (for `slug`, then `rest`, e.g. `/delete`). A slug that is not one of
/// ours (any character slugs never have) is not echoed into the URL.
pub fn sign_in_path(slug: Option<&str>, rest: &str) -> String {
    let plain = |slug: &&str| slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match slug.filter(plain) {
        Some(slug) => format!("/login?next={}{rest}", editor_path(slug)),
        None => "/login?next=/editor".to_owned(),
    }
}

/// What a submission of the editor came to.
#[cfg(feature = "ssr")]
#[derive(Debug)]
pub enum Outcome {
    /// Saved: go to `location`; the article's slug.
    Saved {
        location: String,
        slug: String,
    },
    /// A preview of the body.
    Preview(String),
    /// Refused, with messages and what was typed.
    Refused(FormError),
    /// Not saved because the database failed; what was typed comes back.
    Failed(FormError),
    /// Over the account's budget for new articles: wait this many seconds;
    /// what was typed comes back.
    TooMany(FormError, u64),
    NotFound,
    Forbidden,
}

/// Handles one submission of the editor, for [`save_article`] and for the
/// server's plain form posts alike; its messages are in `locale`, the
/// language of the editor it came from.
#[cfg(feature = "ssr")]
pub async fn submit(
    state: &crate::ssr::AppState,
    user: Option<(i64, String)>,
    slug: Option<&str>,
    form: ArticleForm,
    intent: Intent,
    locale: crate::i18n::Locale,
) -> Outcome {
    use crate::{
        domain::{ArticleText, body_too_long, split_tags},
        ssr::{
            markdown,
            publishing::{self, WriteError},
        },
    };

    let mut error = FormError::default();
    for (field, value) in [
        ("title", &form.title),
        ("description", &form.description),
        ("body", &form.body),
        ("tags", &form.tags),
        ("language", &form.language),
    ] {
        error.keep(field, value);
    }
    let Some((user_id, username)) = user else {
        error.form = Some(crate::t!(locale, "editor-signed-out"));
        return Outcome::Refused(error);
    };
    // Whose article it is comes first: nothing else is anyone's business.
    let article = match slug {
        None => None,
        Some(slug) => match publishing::editable(state, user_id, slug).await {
            Ok(article) => Some(article),
            Err(WriteError::NotFound) => return Outcome::NotFound,
            Err(WriteError::Forbidden) => return Outcome::Forbidden,
            Err(WriteError::Query(query)) => return failed(error, &query, locale),
        },
    };
    if intent == Intent::Preview {
        if let Some(fault) = body_too_long(form.body.len(), state.body_max) {
            error.add_invalid(&fault, locale);
            return Outcome::Refused(error);
        }
        return Outcome::Preview(markdown::to_safe_html(&form.body));
    }
    let language = match form.language.trim() {
        "" => locale.code(),
        chosen => chosen,
    };
    let text = match ArticleText::parse(
        &form.title,
        &form.description,
        &form.body,
        &split_tags(&form.tags),
        Some(language),
        state.body_max,
    ) {
        Ok(text) => text,
        Err(faults) => {
            for fault in &faults {
                error.add_invalid(fault, locale);
            }
            return Outcome::Refused(error);
        }
    };
    let publish = intent == Intent::Publish;
    if article.is_none()
        && let Err(too_many) =
            crate::ssr::throttle::writing(&state.session_redis, crate::ssr::throttle::Attempt::Article, user_id).await
    {
        error.form = Some(crate::t!(
            locale,
            "editor-too-many",
            count = too_many.retry_after.div_ceil(60),
            shown = locale.number(too_many.retry_after.div_ceil(60) as i64)
        ));
        return Outcome::TooMany(error, too_many.retry_after);
    }
    let saved = match &article {
        None => publishing::create(state, user_id, &username, &text, publish).await,
        Some(article) => publishing::update(state, article, &text, Some(publish))
            .await
            .map(|()| article.slug.clone()),
    };
    match saved {
        Ok(slug) if publish => Outcome::Saved {
            location: format!("/articles/{slug}"),
            slug,
        },
        Ok(slug) => Outcome::Saved {
            location: format!("{}?saved=draft", editor_path(&slug)),
            slug,
        },
        Err(query) => failed(error, &query, locale),
    }
}

#[cfg(feature = "ssr")]
fn failed(mut error: FormError, query: &crate::ssr::queries::QueryError, locale: crate::i18n::Locale) -> Outcome {
    tracing::error!(error = %query, "saving an article failed");
    error.form = Some(crate::t!(locale, "editor-save-failed"));
    Outcome::Failed(error)
}
