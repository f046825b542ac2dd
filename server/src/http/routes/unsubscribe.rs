//! `POST /unsubscribe/{token}`: stops the emails one follow brings.
//!
//! Two callers: the button on the page the link opens (a browser, sent back
//! to that page, which then says it is done), and mail programs acting on
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), which
//! POST without cookies or JavaScript and only look at the status. The
//! signed token is the authority; nobody needs to be signed in.

use app::{
    i18n::Locale,
    ssr::{AppState, queries::follows},
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Redirect, Response},
};

/// Unsubscribes; 404 for a token we did not sign, 503 if the database fails.
/// An Indonesian reader's link is `/id/unsubscribe/{token}`, and the
/// browser goes back to that page.
pub async fn one_click(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let locale = Locale::from_path(uri.path());
    let Some((follower, author)) = state.signer.check_unsubscribe(&token) else {
        return (StatusCode::NOT_FOUND, "This unsubscribe link is not valid.\n").into_response();
    };
    if let Err(error) = follows::mute(&state.db, follower, author).await {
        tracing::error!(%error, "unsubscribing failed");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "We could not unsubscribe you just now; please try again.\n",
        )
            .into_response();
    }
    tracing::info!(follower, author, "unsubscribed from an author's emails");
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser {
        Redirect::to(&locale.href(&format!("/unsubscribe/{token}"))).into_response()
    } else {
        (StatusCode::OK, "Unsubscribed.\n").into_response()
    }
}
