//! What a session holds: the signed-in user's id and name, and the session
//! generation of their account it was started in (see
//! [`crate::ssr::accounts`]).
//!
//! Sessions are tower-sessions records in Redis (the server wires the
//! layer), so any instance can serve any request.

use tower_sessions::Session;

const USER_ID: &str = "user_id";
const USERNAME: &str = "username";
const GENERATION: &str = "generation";
/// When the user signed in (seconds since the epoch).
const SIGNED_IN_AT: &str = "signed_in_at";
/// When the session was last saved for being used (seconds since the epoch).
const RENEWED_AT: &str = "renewed_at";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Makes `session` belong to user `id`, in the account's session
/// `generation`. The session id is cycled first: an id an attacker planted
/// before sign-in is worthless after it.
pub async fn sign_in(
    session: &Session,
    id: i64,
    username: &str,
    generation: i64,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(USER_ID, id).await?;
    session.insert(USERNAME, username).await?;
    session.insert(GENERATION, generation).await?;
    session.insert(SIGNED_IN_AT, now()).await?;
    session.insert(RENEWED_AT, now()).await?;
    Ok(())
}

/// How long ago `session`'s user signed in. Sessions from before this was
/// recorded start counting now.
pub async fn signed_in_for(session: &Session) -> std::time::Duration {
    let now = now();
    let at = match session.get::<i64>(SIGNED_IN_AT).await.ok().flatten() {
        Some(at) => at,
        None => {
            if let Err(error) = session.insert(SIGNED_IN_AT, now).await {
                tracing::warn!(%error, "recording when a session began failed");
            }
            now
        }
    };
    std::time::Duration::from_secs(u64::try_from(now - at).unwrap_or(0))
}

/// Keeps `session` signed in after its account moved to `generation` (a
/// password change or "sign out everywhere" made from this session), under
/// a new id.
pub async fn carry_over(session: &Session, generation: i64) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(GENERATION, generation).await
}

/// The account generation `session` was started in. Sessions from before
/// generations existed count as the first.
pub async fn generation(session: &Session) -> i64 {
    session.get::<i64>(GENERATION).await.ok().flatten().unwrap_or(0)
}

/// Saves a signed-in session again (so its inactivity expiry starts over
/// and its cookie is re-sent) when its last renewal is `every` or more ago;
/// returns whether it did. Anything else, a session that cannot be read
/// included, is left alone.
pub async fn renew_if_due(session: &Session, every: std::time::Duration) -> bool {
    if user_id(session).await.is_none() {
        return false;
    }
    let last = session.get::<i64>(RENEWED_AT).await.ok().flatten().unwrap_or(0);
    let now = now();
    if now - last < every.as_secs() as i64 {
        return false;
    }
    if let Err(error) = session.insert(RENEWED_AT, now).await {
        tracing::warn!(%error, "renewing a session failed");
        return false;
    }
    // Saved even when the clock has not moved since the last save.
    session.set_expiry(session.expiry());
    true
}

/// The signed-in user's id, if any. A session that cannot be read (Redis
/// down) counts as signed out rather than failing the page.
pub async fn user_id(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).await.ok().flatten()
}

/// The signed-in user's id and name (see [`user_id`] for failures).
pub async fn user(session: &Session) -> Option<(i64, String)> {
    let id = user_id(session).await?;
    let username = session.get::<String>(USERNAME).await.ok().flatten()?;
    Some((id, username))
}

/// The signed-in user's id and name (as [`user`] gives them), from the
/// session of the request a server function is answering: for server
/// functions, which are not handed the session.
pub async fn signed_in() -> Option<(i64, String)> {
    let session = leptos_axum::extract::<Session>().await.ok()?;
    user(&session).await
}

/// Keeps the session's copy of the username in step after a rename.
pub async fn rename(session: &Session, username: &str) -> Result<(), tower_sessions::session::Error> {
    session.insert(USERNAME, username).await
}
