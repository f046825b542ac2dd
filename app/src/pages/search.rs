//! `/search?q=`: full-text search, 20 results a page, best first.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{meta::PageMeta, pager::Pager, tags::TagLinks},
    i18n::use_locale,
    model::{SearchHit, SearchResults, parse_page},
    page_data::search_articles,
    pages::error::ErrorNotice,
    t,
};

/// The search page: a plain GET form, so it works without JavaScript.
#[component]
pub fn SearchPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let key = move || {
        let q = query.read().get("q").unwrap_or_default();
        (q, parse_page(query.read().get("page").as_deref()))
    };
    let results = Resource::new(key, |(q, page)| search_articles(q, page));
    view! {
        <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">{t!(locale, "search-heading")}</h1>
        <form action=locale.href("/search") method="get" role="search" class="mt-4 flex flex-wrap gap-2">
            <label for="search-q" class="sr-only">{t!(locale, "search-label")}</label>
            <input
                id="search-q"
                type="search"
                name="q"
                value=move || key().0
                maxlength=crate::domain::SEARCH_MAX
                placeholder=t!(locale, "search-placeholder")
                class="field min-w-0 flex-1"
            />
            <button type="submit" class="button">{t!(locale, "search-button")}</button>
        </form>
        <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "search-searching")}</p> }>
            {move || Suspend::new(async move {
                let (q, _) = key();
                match results.await {
                    Ok(results) => view! { <ResultsView q results /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResultsView(q: String, results: SearchResults) -> impl IntoView {
    let locale = use_locale();
    let SearchResults {
        hits,
        page,
        pages,
        total,
        capped_at,
    } = results;
    let q = q.trim().to_owned();
    let title = if q.is_empty() {
        t!(locale, "search-heading")
    } else {
        t!(locale, "search-title", query = q.as_str())
    };
    let encoded: String = url_query_value(&q);
    let base = format!("/search?q={encoded}");
    let path = if page > 1 {
        format!("{base}&page={page}")
    } else {
        base.clone()
    };
    let count = match total {
        0 => String::new(),
        1 => t!(locale, "search-count-one"),
        // The cap reads "1000 or more", without a separator, as it always has.
        n if n >= capped_at => t!(locale, "search-count-capped", shown = n.to_string()),
        n => t!(locale, "search-count", shown = locale.number(n)),
    };
    view! {
        <PageMeta title description=t!(locale, "search-description") path />
        {if q.is_empty() {
            view! { <p class="mt-6 text-muted">{t!(locale, "search-prompt")}</p> }.into_any()
        } else if hits.is_empty() {
            view! { <p class="mt-6 text-muted" data-testid="no-results">{t!(locale, "search-no-results", query = q.as_str())}</p> }.into_any()
        } else {
            view! {
                <p class="mt-4 text-sm text-muted" data-testid="result-count">{count}</p>
                <ol class="divide-y divide-rule" data-testid="results">
                    {hits.into_iter().map(|hit| view! { <ResultItem hit /> }).collect_view()}
                </ol>
                <Pager
                    base=base.clone()
                    page
                    pages=pages
                    labels=(t!(locale, "search-better-matches"), t!(locale, "search-more-results"))
                />
            }
            .into_any()
        }}
    }
}

#[component]
fn ResultItem(hit: SearchHit) -> impl IntoView {
    let locale = use_locale();
    let SearchHit { article, snippet } = hit;
    let href = locale.href(&format!("/articles/{}", article.slug));
    view! {
        <li class="py-6">
            <article>
                <h2 class="font-serif text-xl font-bold leading-snug">
                    <a href=href class="article-link">{article.title.clone()}</a>
                </h2>
                <p class="mt-1 text-sm text-muted">
                    <a href=locale.href(&format!("/@{}", article.author)) class="font-medium text-ink hover:underline">{article.author.clone()}</a>
                    " · "
                    <time datetime=article.date_iso()>{article.date_label(locale)}</time>
                </p>
                <p class="mt-2 text-base leading-relaxed" data-testid="snippet">
                    {snippet
                        .into_iter()
                        .map(|(text, marked)| if marked {
                            view! { <mark>{text}</mark> }.into_any()
                        } else {
                            text.into_any()
                        })
                        .collect_view()}
                </p>
                <TagLinks tags=article.tag_list class="mt-3 text-sm" />
            </article>
        </li>
    }
}

/// `text` as a query-string value.
fn url_query_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
