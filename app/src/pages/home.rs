//! `/`: the latest published articles.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::{api::latest_articles, components::article_list::ArticleList, pages::error::ErrorNotice};

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let articles = Resource::new(|| (), |()| latest_articles());

    view! {
        <Title text="" />
        <Meta name="description" content="The latest stories published on Warta." />
        <Link rel="canonical" href="/" />
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">"Latest stories"</h1>
        <Suspense fallback=|| view! { <p class="mt-6 text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match articles.await {
                    Ok(articles) => view! { <ArticleList articles /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
