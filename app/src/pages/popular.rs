//! `/popular`: the most-viewed articles, all time or of this week or month.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{article_list::ArticleList, meta::PageMeta},
    i18n::use_locale,
    model::Period,
    page_data::popular_articles,
    pages::error::ErrorNotice,
    t,
};

/// The popular page; `?period=week|month` picks a tab (anything else is
/// all time).
#[component]
pub fn PopularPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let period = move || {
        query
            .read()
            .get("period")
            .and_then(|raw| Period::parse(&raw))
            .unwrap_or_default()
    };
    let articles = Resource::new(period, popular_articles);

    view! {
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">{t!(locale, "popular-heading")}</h1>
        <nav aria-label=t!(locale, "popular-periods-label") class="mt-4 border-b border-rule">
            <ul class="-mb-px flex gap-6 text-sm font-medium" role="list">
                {Period::ALL
                    .into_iter()
                    .map(|tab| {
                        let href = match tab {
                            Period::All => locale.href("/popular"),
                            tab => locale.href(&format!("/popular?period={}", tab.as_str())),
                        };
                        let current = move || (period() == tab).then_some("page");
                        view! {
                            <li>
                                <a href=href aria-current=current class="tab">{tab.label(locale)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                let period = period();
                let (title, path) = match period {
                    Period::All => (t!(locale, "popular-heading"), "/popular".to_owned()),
                    Period::Week => (t!(locale, "popular-title-week"), format!("/popular?period={}", period.as_str())),
                    Period::Month => (t!(locale, "popular-title-month"), format!("/popular?period={}", period.as_str())),
                };
                match articles.await {
                    Ok(articles) => view! {
                        <PageMeta title description=t!(locale, "popular-description") path />
                        <ArticleList articles show_views=true />
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
