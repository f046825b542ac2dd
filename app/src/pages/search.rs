//! `/search?q=`: full-text search, 20 results a page, best first.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{avatar::Avatar, meta::PageMeta, pager::Pager, tags::TagLinks},
    i18n::use_locale,
    model::{NameMatches, SearchHit, SearchResults, parse_page, tag_path},
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
        names,
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
        <Names names />
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

/// The authors and tags named like the query: a short section above the
/// stories, only when there are some.
#[component]
fn Names(names: NameMatches) -> impl IntoView {
    let locale = use_locale();
    let NameMatches { authors, tags } = names;
    (!authors.is_empty() || !tags.is_empty()).then(|| {
        view! {
            <section aria-labelledby="search-names" class="mt-6 border-b border-rule pb-6" data-testid="names">
                <h2 id="search-names" class="sr-only">{t!(locale, "search-names")}</h2>
                {(!authors.is_empty()).then(|| view! {
                    <h3 class="text-sm font-semibold uppercase tracking-wide text-muted">{t!(locale, "search-authors")}</h3>
                    <ul class="mt-2 flex flex-wrap gap-4" data-testid="found-authors">
                        {authors.into_iter().map(|author| view! {
                            <li class="flex items-center gap-2">
                                <Avatar image=author.image size=24 />
                                <a href=locale.href(&format!("/@{}", author.username)) class="font-medium hover:underline">{author.username.clone()}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!tags.is_empty()).then(|| view! {
                    <h3 class="mt-4 text-sm font-semibold uppercase tracking-wide text-muted">{t!(locale, "search-tags")}</h3>
                    <ul class="mt-2 flex flex-wrap gap-2" data-testid="found-tags">
                        {tags.into_iter().map(|tag| view! {
                            <li>
                                <a href=locale.href(&tag_path(&tag.tag)) class="tag">{tag.tag.clone()}</a>
                                <span class="ml-1 text-sm text-muted">{locale.number(i64::from(tag.articles))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
        }
    })
}

#[component]
fn ResultItem(hit: SearchHit) -> impl IntoView {
    let locale = use_locale();
    let SearchHit { article, snippet } = hit;
    let href = locale.href(&format!("/articles/{}", article.slug));
    let lang = article.locale().code();
    view! {
        <li class="py-6">
            <article>
                <h2 lang=lang class="font-serif text-xl font-bold leading-snug">
                    <a href=href class="article-link">{article.title.clone()}</a>
                </h2>
                <p class="mt-1 text-sm text-muted">
                    <a href=locale.href(&format!("/@{}", article.author)) class="font-medium text-ink hover:underline">{article.author.clone()}</a>
                    " · "
                    <time datetime=article.date_iso()>{article.date_label(locale)}</time>
                </p>
                <p lang=lang class="mt-2 text-base leading-relaxed" data-testid="snippet">
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
