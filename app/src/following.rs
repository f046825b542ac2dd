//! Following authors: the button on author and article pages, the
//! "Following" feed, and unsubscribing from the emails a follow brings.
//!
//! The button is an `ActionForm`: with JavaScript it follows in place;
//! without, it is a plain POST answered with a redirect back to the page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, i18n::use_locale, model::Listing, t};

/// What the follow button shows a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowStatus {
    /// Nobody is signed in: a link to sign in.
    SignedOut,
    /// The author themself: no button.
    Yourself,
    /// A signed-in reader, following the author or not.
    Reader { following: bool },
    /// A reader the author blocked: no button, and a line saying why.
    Blocked,
}

/// The id of the author called `username`; `NotFound` when there is none.
#[cfg(feature = "ssr")]
async fn author_id(state: &crate::ssr::AppState, username: &str) -> Result<i64, AppError> {
    use crate::ssr::queries::{QueryError, users};
    let (id, _) = users::profile(&state.db, username)
        .await
        .map_err(QueryError::from)?
        .ok_or(AppError::NotFound)?;
    Ok(id)
}

/// How the reader relates to `username`.
#[server(prefix = "/fn", endpoint = "follow-state")]
pub async fn follow_state(username: String) -> Result<FollowStatus, AppError> {
    use crate::ssr::queries::{QueryError, follows};
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        return Ok(FollowStatus::SignedOut);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let author = author_id(&state, &username).await?;
    if author == reader {
        return Ok(FollowStatus::Yourself);
    }
    if crate::ssr::queries::blocks::blocks(&state.db, author, reader)
        .await
        .map_err(QueryError::from)?
    {
        return Ok(FollowStatus::Blocked);
    }
    let following = follows::is_following(&state.db, reader, author)
        .await
        .map_err(QueryError::from)?;
    Ok(FollowStatus::Reader { following })
}

/// Follows (`follow` true) or unfollows `username`; returns whether the
/// reader now follows them. Signed out, or blocked by them: 403.
#[server(prefix = "/fn", endpoint = "follow")]
pub async fn set_follow(username: String, follow: bool) -> Result<bool, AppError> {
    use crate::ssr::queries::{QueryError, follows};
    let (reader, _) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    let state = expect_context::<crate::ssr::AppState>();
    let author = author_id(&state, &username).await?;
    if follow {
        crate::ssr::throttle::writing(&state.session_redis, crate::ssr::throttle::Attempt::Follow, reader)
            .await
            .map_err(|too_many| AppError::TooMany(too_many.retry_after))?;
        match follows::follow(&state.db, reader, author)
            .await
            .map_err(QueryError::from)?
        {
            follows::Followed::Yes => Ok(true),
            follows::Followed::Oneself => Ok(false),
            follows::Followed::Blocked => Err(AppError::Forbidden),
        }
    } else {
        follows::unfollow(&state.db, reader, author)
            .await
            .map_err(QueryError::from)?;
        Ok(false)
    }
}

/// Page `page` of the articles by authors the reader follows; `None` when
/// signed out.
#[server(prefix = "/fn", endpoint = "following")]
pub async fn following_feed(page: u32) -> Result<Option<Listing>, AppError> {
    use crate::{page_data::PAGE_SIZE, ssr::queries::QueryError};
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        return Ok(None);
    };
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    // Past the deepest page a reader may ask for: nothing more, and the
    // count that says where the pages end.
    let (offset, limit) = match offset > crate::ssr::reading::MAX_OFFSET {
        true => (0, 0),
        false => (offset, PAGE_SIZE),
    };
    let (articles, total) = crate::ssr::queries::follows::feed(&state.db, reader, limit, offset)
        .await
        .map_err(QueryError::from)?;
    Ok(Some(Listing {
        articles,
        page,
        pages: crate::model::page_count(total, PAGE_SIZE),
    }))
}

/// Whom an unsubscribe link is about, and whether its reader still gets
/// the emails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionDetails {
    pub author: String,
    pub emailed: bool,
}

/// The subscription an unsubscribe token names; 404 for a token we did not
/// sign (or whose follow is gone).
#[server(prefix = "/fn", endpoint = "subscription")]
pub async fn subscription(token: String) -> Result<SubscriptionDetails, AppError> {
    use crate::ssr::queries::QueryError;
    let state = expect_context::<crate::ssr::AppState>();
    let (follower, author) = state.signer.check_unsubscribe(&token).ok_or(AppError::NotFound)?;
    let found = crate::ssr::queries::follows::subscription(&state.db, follower, author)
        .await
        .map_err(QueryError::from)?;
    let (author, emailed) = found.ok_or(AppError::NotFound)?;
    Ok(SubscriptionDetails { author, emailed })
}

/// Follow or unfollow `username`; a sign-in link when signed out, nothing
/// on one's own pages.
#[component]
pub fn FollowButton(username: String) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SetFollow>::new();
    let name = username.clone();
    let state = Resource::new(
        move || (name.clone(), action.version().get()),
        |(name, _)| follow_state(name),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let username = username.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(FollowStatus::Reader { following }) => view! {
                            <ActionForm action=action attr:class="inline" attr:data-testid="follow-form">
                                <input type="hidden" name="username" value=username.clone() />
                                <input type="hidden" name="follow" value=(!following).to_string() />
                                <button
                                    type="submit"
                                    class=if following { "button-secondary" } else { "button" }
                                    aria-pressed=following.to_string()
                                    disabled=move || action.pending().get()
                                >
                                    {match following {
                                        true => t!(locale, "unfollow-button", username = username.as_str()),
                                        false => t!(locale, "follow-button", username = username.as_str()),
                                    }}
                                </button>
                            </ActionForm>
                        }
                        .into_any(),
                        Ok(FollowStatus::Blocked) => view! {
                            <p class="text-sm text-muted" data-testid="follow-blocked">{t!(locale, "follow-blocked")}</p>
                        }
                        .into_any(),
                        Ok(FollowStatus::SignedOut) => view! {
                            <a href=locale.href(&format!("/login?next=/@{username}")) class="button-secondary">
                                {t!(locale, "follow-button", username = username.as_str())}
                            </a>
                        }
                        .into_any(),
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
