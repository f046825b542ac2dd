//! The editor's plain form posts: what a browser without JavaScript sends
//! to `/editor` and `/editor/{slug}`.
//!
//! The same [`app::editor::submit`] as the hydrated form's server function
//! decides; this answers like a classic web app: 303 to the saved article,
//! or the editor rendered again (422, or 200 for a preview) holding
//! everything the author typed, with a message beside each field at fault.

use app::{
    editor::{self, ArticleForm, EditorState, Intent, Outcome, Resubmitted},
    ssr::{AppState, publishing},
};
use axum::{
    body::{Body, to_bytes},
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use serde::Deserialize;
use tower_sessions::Session;

use crate::startup::render_page;

/// The fields the editor posts.
#[derive(Debug, Deserialize)]
struct Posted {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    intent: Option<Intent>,
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

async fn submit(state: AppState, session: Session, slug: Option<String>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    // The body-limit layer has already refused anything too large.
    let posted = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => serde_urlencoded::from_bytes::<Posted>(&bytes).ok(),
        Err(_) => None,
    };
    let Some(posted) = posted else {
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
    };
    // No button named (Enter pressed in some browsers): a preview, which
    // changes nothing.
    let intent = posted.intent.unwrap_or(Intent::Preview);
    let outcome = editor::submit(&state, user, slug.as_deref(), form.clone(), intent).await;
    let request = Request::from_parts(parts, Body::empty());
    let (status, error, preview) = match outcome {
        Outcome::Saved(location) => return Redirect::to(&location).into_response(),
        // The editor, rendered as for a GET, says 404 or 403 itself.
        Outcome::NotFound | Outcome::Forbidden => return render_page(state, request, || {}).await,
        Outcome::Preview(html) => (StatusCode::OK, None, Some(html)),
        Outcome::Refused(error) => (StatusCode::UNPROCESSABLE_ENTITY, Some(error), None),
        Outcome::Failed(error) => (StatusCode::SERVICE_UNAVAILABLE, Some(error), None),
    };
    let published = match (&slug, user_id) {
        (Some(slug), Some(user_id)) => publishing::editable(&state, user_id, slug)
            .await
            .is_ok_and(|article| article.published),
        _ => false,
    };
    let again = EditorState {
        slug,
        published,
        form,
        body_max: state.body_max,
        error,
        preview,
    };
    let mut response = render_page(state, request, move || provide_context(Resubmitted(again.clone()))).await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}
