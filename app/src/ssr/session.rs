//! What a session holds: the signed-in user's id and name.
//!
//! Sessions are tower-sessions records in Redis (the server wires the
//! layer), so any instance can serve any request.

use tower_sessions::Session;

use crate::auth::SignedInUser;

const USER_ID: &str = "user_id";
const USERNAME: &str = "username";

/// Makes `session` belong to user `id`. The session id is cycled first: an
/// id an attacker planted before sign-in is worthless after it.
pub async fn sign_in(session: &Session, id: i64, username: &str) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(USER_ID, id).await?;
    session.insert(USERNAME, username).await?;
    Ok(())
}

/// The signed-in user's id, if any. A session that cannot be read (Redis
/// down) counts as signed out rather than failing the page.
pub async fn user_id(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).await.ok().flatten()
}

/// The signed-in user, if any (see [`user_id`] for failures).
pub async fn current(session: &Session) -> Option<SignedInUser> {
    user(session).await.map(|(_, username)| SignedInUser { username })
}

/// The signed-in user's id and name (see [`user_id`] for failures).
pub async fn user(session: &Session) -> Option<(i64, String)> {
    let id = user_id(session).await?;
    let username = session.get::<String>(USERNAME).await.ok().flatten()?;
    Some((id, username))
}

/// Keeps the session's copy of the username in step after a rename.
pub async fn rename(session: &Session, username: &str) -> Result<(), tower_sessions::session::Error> {
    session.insert(USERNAME, username).await
}
