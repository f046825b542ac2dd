//! `/`: the latest published articles, 20 a page, `?page=N`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{article_list::ArticleList, meta::PageMeta, pager::Pager, tags::PopularTags},
    i18n::use_locale,
    model::{Listing, parse_page},
    page_data::{latest_articles, popular_tags},
    pages::error::ErrorNotice,
    t,
};

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let page = move || parse_page(query.read().get("page").as_deref());
    let listing = Resource::new(page, latest_articles);
    let tags = OnceResource::new(popular_tags());

    view! {
        <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(listing) => view! { <ListingView listing /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // The list is a help to find one's way, not the page: if
                // it cannot be read, the page goes without it.
                let tags = tags.await.unwrap_or_default();
                view! { <PopularTags tags /> }
            })}
        </Suspense>
    }
}

#[component]
fn ListingView(listing: Listing) -> impl IntoView {
    let locale = use_locale();
    let Listing { articles, page, pages } = listing;
    let (title, path) = if page == 1 {
        (String::new(), "/".to_owned())
    } else {
        (t!(locale, "home-title-page", page = page), format!("/?page={page}"))
    };
    let past_the_end = articles.is_empty() && page > 1;
    view! {
        <PageMeta title description=t!(locale, "home-description") path feed=Some("/feed.xml".to_owned()) />
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">
            {t!(locale, "home-heading")}
            {(page > 1).then(|| view! { <span class="ml-2 text-lg font-normal text-muted">{t!(locale, "reading-page", page = page)}</span> })}
        </h1>
        <FeedTabs current="latest" />
        {if past_the_end {
            view! {
                <p class="mt-6 text-muted">
                    {format!("{} ", t!(locale, "home-past-the-end", page = page, pages = pages))}
                    <a href=locale.href(&crate::components::pager::page_href("/", pages)) class="nav-link">{t!(locale, "home-last-page")}</a>
                </p>
            }
            .into_any()
        } else {
            view! { <ArticleList articles /> }.into_any()
        }}
        <Pager base="/".to_owned() page pages=pages />
    }
}

/// "Latest" and, for a signed-in reader, "Following": the two listings a
/// reader switches between. Anonymous pages render no tab bar, so the page
/// a CDN keeps is the same for everyone.
#[component]
pub fn FeedTabs(current: &'static str) -> impl IntoView {
    let locale = use_locale();
    let user = Resource::new(|| (), |_| crate::auth::current_user());
    let tab = move |name: &'static str, href: &'static str, label: String| {
        let selected = name == current;
        view! {
            <a
                href=locale.href(href)
                class=if selected { "border-b-2 border-ink pb-2 font-semibold text-ink" } else { "pb-2 text-muted hover:text-ink" }
                aria-current=selected.then_some("page")
            >
                {label}
            </a>
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(user.await, Ok(Some(_)));
                (signed_in || current == "following").then(|| view! {
                    <nav aria-label=t!(locale, "feed-tabs-label") class="mt-4 flex gap-6 border-b border-rule text-sm" data-testid="feed-tabs">
                        {tab("latest", "/", t!(locale, "feed-tab-latest"))}
                        {tab("following", "/following", t!(locale, "feed-tab-following"))}
                    </nav>
                })
            })}
        </Suspense>
    }
}
