//! `/following`: the latest articles by the authors the reader follows.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{article_list::ArticleList, meta::PageMeta, pager::Pager},
    following::following_feed,
    i18n::use_locale,
    model::parse_page,
    pages::{error::ErrorNotice, home::FeedTabs},
    t,
};

/// The "Following" tab.
#[component]
pub fn FollowingPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let page = move || parse_page(query.read().get("page").as_deref());
    let listing = Resource::new(page, following_feed);

    view! {
        <PageMeta
            title=t!(locale, "following-title")
            description=t!(locale, "following-description")
            path="/following".to_owned()
        />
        <FeedTabs current="following" />
        <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(Some(listing)) if listing.articles.is_empty() && listing.page == 1 => view! {
                        <p class="mt-6 text-muted" data-testid="feed-empty">{t!(locale, "following-empty")}</p>
                    }
                    .into_any(),
                    Ok(Some(listing)) => view! {
                        <ArticleList articles=listing.articles />
                        <Pager base="/following".to_owned() page=listing.page pages=listing.pages />
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <p class="mt-6">
                            <a href=locale.href(&format!("/login?next={}", locale.href("/following"))) class="nav-link">
                                {t!(locale, "following-sign-in")}
                            </a>
                            {format!(" {}", t!(locale, "following-sign-in-reason"))}
                        </p>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
