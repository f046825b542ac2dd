//! Favorites: the heart on an article, and the articles a reader saved.
//!
//! The heart is an `ActionForm`: hydrated, it saves in place; without
//! JavaScript it is a plain POST answered with a redirect back to the
//! article. Signed out, it is a link to sign in that comes back here.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    i18n::{Locale, use_locale},
    model::{Listing, Profile},
    t,
};

/// A reader's profile and a page of what they saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPage {
    pub profile: Profile,
    pub listing: Listing,
}

/// What the heart shows a signed-in reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FavoriteStatus {
    /// Whether the reader saved the article.
    pub favorited: bool,
    /// How many readers saved it, as of now.
    pub count: i32,
}

/// How the signed-in reader relates to the article `slug`; `None` when
/// nobody is signed in (the page shows the count it has, with no query:
/// anonymous readers are most of the traffic), 404 when no published
/// article has that slug.
#[server(prefix = "/fn", endpoint = "favorite-state")]
pub async fn favorite_state(slug: String) -> Result<Option<FavoriteStatus>, AppError> {
    use crate::ssr::queries::{QueryError, favorites};
    let Some((reader, _)) = crate::ssr::session::signed_in().await else {
        return Ok(None);
    };
    if !crate::domain::could_name_something(&slug, crate::domain::NAME_MAX) {
        return Err(AppError::NotFound);
    }
    let state = expect_context::<crate::ssr::AppState>();
    let found = favorites::state(&state.db, Some(reader), &slug)
        .await
        .map_err(QueryError::from)?
        .ok_or(AppError::NotFound)?;
    Ok(Some(FavoriteStatus {
        favorited: found.favorited,
        count: found.count,
    }))
}

/// Saves (`favorite` true) or unsaves the article `slug`; its state
/// afterwards. Signed out: 403.
#[server(prefix = "/fn", endpoint = "favorite")]
pub async fn set_favorite(slug: String, favorite: bool) -> Result<FavoriteStatus, AppError> {
    let (reader, name) = crate::ssr::session::signed_in().await.ok_or(AppError::Forbidden)?;
    let state = expect_context::<crate::ssr::AppState>();
    if favorite {
        crate::ssr::throttle::writing(&state.session_redis, crate::ssr::throttle::Attempt::Favorite, reader)
            .await
            .map_err(|too_many| AppError::TooMany(too_many.retry_after))?;
    }
    let changed = crate::ssr::reading::favorite(&state, reader, &name, &slug, favorite)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(FavoriteStatus {
        favorited: changed.favorited,
        count: changed.count,
    })
}

/// Page `page` of the published articles `username` saved, most recently
/// saved first; 404 for names nobody has.
#[server(prefix = "/fn", endpoint = "favorites")]
pub async fn favorites_of(username: String, page: u32) -> Result<SavedPage, AppError> {
    use crate::page_data::PAGE_SIZE;
    let state = expect_context::<crate::ssr::AppState>();
    let page = page.max(1);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let (profile, found) = crate::ssr::reading::favorites_of(&state, &username, offset, PAGE_SIZE)
        .await?
        .ok_or(AppError::NotFound)?;
    let total = found.total.min(crate::ssr::reading::MAX_OFFSET + PAGE_SIZE);
    Ok(SavedPage {
        profile,
        listing: Listing {
            articles: found.articles,
            page,
            pages: crate::model::page_count(total, PAGE_SIZE),
        },
    })
}

/// "♥ 3" with a count: a button that saves the article for a signed-in
/// reader, a link to sign in for anyone else. Anyone else sees the count
/// it was given (the cached article's, forgotten on every save).
#[component]
pub fn FavoriteButton(slug: String, count: i32) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SetFavorite>::new();
    let key = slug.clone();
    let state = Resource::new(
        move || (key.clone(), action.version().get()),
        |(slug, _)| favorite_state(slug),
    );
    let signed_out = move |slug: &str, count: i32| {
        view! {
            <a
                href=locale.href(&format!("/login?next=/articles/{slug}"))
                class="button-secondary"
                aria-label=t!(locale, "favorite-sign-in", favorites = count_label(locale, count))
            >
                <Heart filled=false />
                <span>{locale.number(count.into())}</span>
            </a>
        }
    };
    view! {
        <Suspense fallback={
            let slug = slug.clone();
            move || signed_out(&slug, count)
        }>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(Some(FavoriteStatus { favorited, count })) => view! {
                            <ActionForm action=action attr:class="inline" attr:data-testid="favorite-form">
                                <input type="hidden" name="slug" value=slug.clone() />
                                <input type="hidden" name="favorite" value=(!favorited).to_string() />
                                <button
                                    type="submit"
                                    class=if favorited { "button" } else { "button-secondary" }
                                    aria-pressed=favorited.to_string()
                                    aria-label=match favorited {
                                        true => t!(locale, "favorite-remove", favorites = count_label(locale, count)),
                                        false => t!(locale, "favorite-add", favorites = count_label(locale, count)),
                                    }
                                    disabled=move || action.pending().get()
                                >
                                    <Heart filled=favorited />
                                    <span data-testid="favorites-count">{locale.number(count.into())}</span>
                                </button>
                            </ActionForm>
                        }
                        .into_any(),
                        Ok(None) => signed_out(&slug, count).into_any(),
                        Err(_) => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "1 favorite", "3 favorites" in `locale`.
pub fn count_label(locale: Locale, count: i32) -> String {
    t!(
        locale,
        "favorites-count",
        count = count,
        shown = locale.number(count.into())
    )
}

/// A heart, outlined or filled; decorative (the button says what it does).
#[component]
fn Heart(filled: bool) -> impl IntoView {
    view! { <span aria-hidden="true" class="mr-1">{if filled { "♥" } else { "♡" }}</span> }
}

#[cfg(test)]
mod tests {
    use super::count_label;
    use crate::i18n::Locale;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count_label(Locale::En, 0), "0 favorites");
        assert_eq!(count_label(Locale::En, 1), "1 favorite");
        assert_eq!(count_label(Locale::En, 12), "12 favorites");
        assert_eq!(count_label(Locale::Id, 1), "1 favorit");
        assert_eq!(count_label(Locale::Id, 1200), "1.200 favorit");
    }
}
