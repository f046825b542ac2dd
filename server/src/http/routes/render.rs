//! Rendering the Leptos app outside its routes: the styled 404 for paths
//! nothing matched, and a page in answer to a form post (the editor without
//! JavaScript).
//!
//! Here rather than in `startup`, which builds the router and so depends on
//! every handler: a handler that renders a page would otherwise import the
//! module that imports it.

use app::{shell, site::PublicUrl, ssr::AppState};
use axum::{
    body::Body,
    extract::{Request, State},
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;

use crate::http::middleware::security::ScriptMark;

/// Renders the app for a path no route or file matched: the styled 404.
pub(crate) async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    let mut response = render_page(state, request, || {}).await;
    if response.status().is_success() {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    response
}

/// Renders the page for `request`'s path, as a GET would, with `context`
/// provided besides the usual: for handlers that answer a form post with a
/// page.
pub async fn render_page(
    state: AppState,
    request: Request<Body>,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let leptos = state.leptos.clone();
    // Whole, not streamed: the status is known only once every resource
    // has loaded (a 403 or a 404 is found inside a `<Suspense>`).
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_page_context(&state.public_url);
            provide_context(state.clone());
            context();
        },
        move || shell(leptos.clone()),
    );
    let (mut parts, _) = request.into_parts();
    parts.method = axum::http::Method::GET;
    handler(Request::from_parts(parts, Body::empty())).await.into_response()
}

/// What every page render needs beyond the state.
pub(crate) fn provide_page_context(public_url: &PublicUrl) {
    provide_context(public_url.clone());
    // Leptos stamps its inline scripts with the nonce in context. Ours is
    // the response's script mark (see
    // `middleware::security::script_policy`), which tells the policy
    // exactly which scripts this render wrote and is then blanked out, so
    // renders of the same page stay identical (and cacheable). Without a
    // mark (no policy middleware) a fresh secret stands in, so no script is
    // ever stamped with something guessable.
    let mark = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ScriptMark>().cloned())
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), |mark| mark.0.to_string());
    provide_context(leptos::nonce::Nonce::from_value(mark));
}
