//! `/following`: the latest articles by the authors the reader follows.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{article_list::ArticleList, meta::PageMeta, pager::Pager},
    following::following_feed,
    model::parse_page,
    pages::{error::ErrorNotice, home::FeedTabs},
};

/// The "Following" tab.
#[component]
pub fn FollowingPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || parse_page(query.read().get("page").as_deref());
    let listing = Resource::new(page, following_feed);

    view! {
        <PageMeta title="Following".to_owned() description="Stories by the authors you follow.".to_owned() path="/following".to_owned() />
        <FeedTabs current="following" />
        <Suspense fallback=|| view! { <p class="mt-6 text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(Some(listing)) if listing.articles.is_empty() && listing.page == 1 => view! {
                        <p class="mt-6 text-muted" data-testid="feed-empty">
                            "Nothing here yet. Follow authors from their pages and their new stories show up here."
                        </p>
                    }
                    .into_any(),
                    Ok(Some(listing)) => view! {
                        <ArticleList articles=listing.articles />
                        <Pager base="/following".to_owned() page=listing.page pages=listing.pages />
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <p class="mt-6">
                            <a href="/login?next=/following" class="nav-link">"Sign in"</a>
                            " to see the stories of the authors you follow."
                        </p>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
