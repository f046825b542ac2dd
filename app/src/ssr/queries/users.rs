//! Reading users.

use sqlx::PgExecutor;

use crate::{domain::Username, model::Profile};

/// The id and public profile of `username` (matched regardless of case);
/// `None` for a suspended account, whose pages are gone while it is. A
/// name no account can have (see [`Username`]) is not looked up.
/// Shards: one (user_names.username, users.id).
#[tracing::instrument(skip_all)]
pub async fn profile(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<Option<(i64, Profile)>> {
    if Username::parse(username).is_err() {
        return Ok(None);
    }
    let row = sqlx::query!(
        "SELECT id, username, bio, image FROM users
         WHERE id = user_id_by_username($1) AND suspended_at IS NULL",
        username
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        (
            row.id,
            Profile {
                username: row.username,
                bio: row.bio,
                image: row.image,
            },
        )
    }))
}
