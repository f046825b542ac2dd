//! Reading users.

use sqlx::PgExecutor;

use crate::model::Profile;

/// The public profile of `username` (matched regardless of case).
#[tracing::instrument(skip_all)]
pub async fn profile(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as!(
        Profile,
        "SELECT username, bio, image FROM users WHERE lower(username) = lower($1)",
        username
    )
    .fetch_optional(db)
    .await
}
