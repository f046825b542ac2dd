//! The editor's plain form posts: what a browser without JavaScript sends
//! to `/editor` and `/editor/{slug}`.
//!
//! The same [`app::writing::submit`] as the hydrated form's server function
//! decides; this answers like a classic web app: 303 to the saved article,
//! or the editor rendered again (422, or 200 for a preview) holding
//! everything the author typed, with a message beside each field at fault.

use app::{
    i18n::Locale,
    ssr::{AppState, covers, publishing},
    writing::{self, ArticleForm, EditorState, Intent, Outcome, Resubmitted},
};
use axum::{
    body::{Body, to_bytes},
    extract::{Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use serde::Deserialize;
use tower_sessions::Session;

use crate::{http::routes::render::render_page, imaging::Refused};

/// The fields the editor posts.
#[derive(Debug, Default, Deserialize)]
struct Posted {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    /// `en` or `id`.
    #[serde(default)]
    language: String,
    intent: Option<Intent>,
    /// "Remove the cover" ticked.
    #[serde(default)]
    remove_cover: Option<String>,
    /// A chosen cover file (multipart forms only): its bytes, or the
    /// refusal found while reading it.
    #[serde(skip)]
    cover: Option<Result<Vec<u8>, Refused>>,
}

/// `POST /editor`: a new article.
pub async fn submit_new(State(state): State<AppState>, session: Session, request: Request<Body>) -> Response {
    submit(state, session, None, request).await
}

/// `POST /editor/{slug}`: changes to an article.
pub async fn submit_edit(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
    request: Request<Body>,
) -> Response {
    submit(state, session, Some(slug), request).await
}

/// Reads the form: URL-encoded, or multipart when it carries a file.
async fn read_form(content_type: &str, body: Body) -> Option<Posted> {
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).ok()?;
        let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
        let mut posted = Posted::default();
        while let Some(mut field) = multipart.next_field().await.ok()? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "cover" {
                // An empty file part is a file input left empty.
                let mut bytes = Vec::new();
                let mut refused = None;
                while let Some(chunk) = field.chunk().await.ok()? {
                    if bytes.len() + chunk.len() > covers::MAX_BYTES {
                        refused = Some(Refused::TooLarge);
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                posted.cover = match refused {
                    Some(refused) => Some(Err(refused)),
                    None if bytes.is_empty() => None,
                    None => Some(Ok(bytes)),
                };
                continue;
            }
            let value = field.text().await.ok()?;
            match name.as_str() {
                "title" => posted.title = value,
                "description" => posted.description = value,
                "body" => posted.body = value,
                "tags" => posted.tags = value,
                "language" => posted.language = value,
                "intent" => posted.intent = serde_json::from_value(serde_json::Value::String(value)).ok(),
                "remove_cover" => posted.remove_cover = Some(value),
                _ => {}
            }
        }
        Some(posted)
    } else {
        // The body-limit layer has already refused anything too large.
        let bytes = to_bytes(body, usize::MAX).await.ok()?;
        serde_urlencoded::from_bytes::<Posted>(&bytes).ok()
    }
}

/// A refused cover, as the editor says it beside the field.
fn cover_message(refused: Refused, locale: Locale) -> String {
    match refused {
        Refused::NotAnImage => app::t!(locale, "editor-cover-not-an-image"),
        Refused::Broken => app::t!(locale, "editor-cover-broken"),
        Refused::TooLarge => app::t!(locale, "editor-cover-too-large"),
        Refused::TooManyPixels => app::t!(locale, "editor-cover-too-many-pixels"),
    }
}

async fn submit(state: AppState, session: Session, slug: Option<String>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    // Posted to `/id/editor…` from the Indonesian editor: answered in kind.
    let locale = Locale::from_path(parts.uri.path());
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let Some(posted) = read_form(&content_type, body).await else {
        return (
            StatusCode::BAD_REQUEST,
            "This form could not be read; please go back and try again.",
        )
            .into_response();
    };
    let user = app::ssr::session::user(&session).await;
    let user_id = user.as_ref().map(|(id, _)| *id);
    let form = ArticleForm {
        title: posted.title,
        description: posted.description,
        body: posted.body,
        tags: posted.tags,
        language: posted.language,
    };
    // No button named (Enter pressed in some browsers): a preview, which
    // changes nothing.
    let intent = posted.intent.unwrap_or(Intent::Preview);
    // A cover is checked before anything is saved, so a refused one leaves
    // the article as it was, with the message beside the field.
    let cover = match posted.cover.map(|cover| cover.and_then(crate::imaging::inspect)) {
        Some(Err(refused)) if intent != Intent::Preview => {
            let mut error = app::forms::FormError::default();
            error.fields.push(("cover".to_owned(), cover_message(refused, locale)));
            error.values = vec![
                ("title".to_owned(), form.title.clone()),
                ("description".to_owned(), form.description.clone()),
                ("body".to_owned(), form.body.clone()),
                ("tags".to_owned(), form.tags.clone()),
                ("language".to_owned(), form.language.clone()),
            ];
            let request = Request::from_parts(parts, Body::empty());
            return again(
                state,
                request,
                slug,
                user_id,
                form,
                Some(error),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Some(Ok(cover)) => Some(cover),
        _ => None,
    };
    let remove_cover = posted.remove_cover.is_some();
    let outcome = writing::submit(&state, user.clone(), slug.as_deref(), form.clone(), intent, locale).await;
    let request = Request::from_parts(parts, Body::empty());
    let (status, error, preview) = match outcome {
        Outcome::Saved { location, slug } => {
            let location = locale.href(&location);
            return save_cover(&state, user_id, &slug, cover, remove_cover, location, locale).await;
        }
        // The editor, rendered as for a GET, says 404 or 403 itself.
        Outcome::NotFound | Outcome::Forbidden => return render_page(state, request, || {}).await,
        Outcome::Preview(html) => (StatusCode::OK, None, Some(html)),
        Outcome::Refused(error) => (StatusCode::UNPROCESSABLE_ENTITY, Some(error), None),
        Outcome::Failed(error) => (StatusCode::SERVICE_UNAVAILABLE, Some(error), None),
        Outcome::TooMany(error, _) => (StatusCode::TOO_MANY_REQUESTS, Some(error), None),
    };
    again(state, request, slug, user_id, form, error, preview, status).await
}

/// After the text is saved: stores a new cover or removes the old one, then
/// goes on to `location`. A failure here leaves the saved text saved and
/// says so in the editor (in `locale`'s pages).
async fn save_cover(
    state: &AppState,
    user_id: Option<i64>,
    slug: &str,
    cover: Option<app::ssr::covers::NewCover>,
    remove: bool,
    location: String,
    locale: Locale,
) -> Response {
    if cover.is_none() && !remove {
        return Redirect::to(&location).into_response();
    }
    let Some(user_id) = user_id else {
        return Redirect::to(&location).into_response();
    };
    let result = match publishing::editable(state, user_id, slug).await {
        Ok(article) => match cover {
            Some(cover) => covers::replace(state, &article, cover).await,
            None => covers::remove(state, &article).await,
        },
        Err(error) => Err(anyhow::anyhow!("{error}")),
    };
    match result {
        Ok(()) => Redirect::to(&location).into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "storing a cover image failed");
            Redirect::to(&locale.href(&format!("{}?cover=failed", writing::editor_path(slug)))).into_response()
        }
    }
}

/// The editor rendered again with what was posted.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: AppState,
    request: Request<Body>,
    slug: Option<String>,
    user_id: Option<i64>,
    form: ArticleForm,
    error: Option<app::forms::FormError>,
    preview: Option<String>,
    status: StatusCode,
) -> Response {
    let article = match (&slug, user_id) {
        (Some(slug), Some(user_id)) => publishing::editable(&state, user_id, slug).await.ok(),
        _ => None,
    };
    let published = article.as_ref().is_some_and(|article| article.published);
    let withheld = article.as_ref().is_some_and(|article| article.withheld);
    let cover = match &article {
        Some(article) => covers::of_article(&state.db, article.id, article.created_at)
            .await
            .ok()
            .flatten()
            .map(|cover| writing::cover_thumbnail(&cover)),
        None => None,
    };
    let again = EditorState {
        slug,
        published,
        withheld,
        form,
        body_max: state.body_max,
        cover,
        error,
        preview,
    };
    let mut response = render_page(state, request, move || provide_context(Resubmitted(again.clone()))).await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_cover_messages_name_the_field_then_the_refusal() {
        for refused in [
            Refused::NotAnImage,
            Refused::Broken,
            Refused::TooLarge,
            Refused::TooManyPixels,
        ] {
            assert_eq!(cover_message(refused, Locale::En), format!("Cover {refused}"));
            assert!(cover_message(refused, Locale::Id).starts_with("Sampul "));
        }
    }
}
