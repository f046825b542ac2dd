//! `/`: the latest published articles, 20 a page, `?page=N`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::latest_articles,
    components::{article_list::ArticleList, meta::PageMeta, pager::Pager},
    model::{Listing, parse_page},
    pages::error::ErrorNotice,
};

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let page = move || parse_page(query.read().get("page").as_deref());
    let listing = Resource::new(page, latest_articles);

    view! {
        <Suspense fallback=|| view! { <p class="mt-6 text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(listing) => view! { <ListingView listing /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListingView(listing: Listing) -> impl IntoView {
    let Listing { articles, page, pages } = listing;
    let (title, path) = if page == 1 {
        (String::new(), "/".to_owned())
    } else {
        (format!("Latest stories, page {page}"), format!("/?page={page}"))
    };
    let past_the_end = articles.is_empty() && page > 1;
    view! {
        <PageMeta title description="The latest stories published on Warta." path />
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">
            "Latest stories"
            {(page > 1).then(|| view! { <span class="ml-2 text-lg font-normal text-muted">{format!("page {page}")}</span> })}
        </h1>
        {if past_the_end {
            view! {
                <p class="mt-6 text-muted">
                    {format!("There is no page {page}: the stories end at page {pages}. ")}
                    <a href=crate::components::pager::page_href("/", pages) class="nav-link">"Go to the last page"</a>
                </p>
            }
            .into_any()
        } else {
            view! { <ArticleList articles /> }.into_any()
        }}
        <Pager base="/".to_owned() page pages=pages />
    }
}
