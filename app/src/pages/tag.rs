//! `/tags/{tag}`: the articles carrying a tag, newest first, 20 a page.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::{article_list::ArticleList, meta::PageMeta, pager::Pager},
    i18n::use_locale,
    model::{Listing, parse_page, tag_path},
    page_data::tagged_articles,
    pages::{error::ErrorNotice, not_found::NotFound},
    t,
};

/// The tag page. A tag no published article carries is not found (404);
/// other spellings of a tag never reach it (`server`'s canonical-path
/// redirect sends them to this one's).
#[component]
pub fn TagPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let tag = params.read().get("tag").unwrap_or_default();
        (tag, parse_page(query.read().get("page").as_deref()))
    };
    let listing = Resource::new(key, |(tag, page)| tagged_articles(tag, page));

    view! {
        <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                let (tag, _) = key();
                match listing.await {
                    Ok(listing) if listing.pages == 0 => view! { <NotFound /> }.into_any(),
                    Ok(listing) => view! { <TagView tag listing /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TagView(tag: String, listing: Listing) -> impl IntoView {
    let locale = use_locale();
    let Listing { articles, page, pages } = listing;
    let base = tag_path(&tag);
    let path = crate::components::pager::page_href(&base, page);
    let title = if page == 1 {
        format!("#{tag}")
    } else {
        t!(locale, "reading-title-page", title = format!("#{tag}"), page = page)
    };
    let description = t!(locale, "tag-description", tag = tag.as_str());
    view! {
        <PageMeta title description path feed=Some(format!("{base}/feed.xml")) />
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">
            <span class="text-muted">"#"</span>{tag.clone()}
            {(page > 1).then(|| view! { <span class="ml-2 text-lg font-normal text-muted">{t!(locale, "reading-page", page = page)}</span> })}
        </h1>
        {if articles.is_empty() {
            view! { <p class="mt-6 text-muted">{t!(locale, "reading-past-the-end")}</p> }.into_any()
        } else {
            view! { <ArticleList articles /> }.into_any()
        }}
        <Pager base page pages=pages />
    }
}
