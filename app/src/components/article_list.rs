//! A list of article summaries.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::ArticleSummary;

/// Articles as cards: title (linked), author, date, description.
#[component]
pub fn ArticleList(articles: Vec<ArticleSummary>) -> impl IntoView {
    if articles.is_empty() {
        return view! { <p class="text-muted">"Nothing has been published yet."</p> }.into_any();
    }
    view! {
        <ol class="divide-y divide-rule" role="list">
            {articles
                .into_iter()
                .map(|article| view! { <ArticleItem article /> })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn ArticleItem(article: ArticleSummary) -> impl IntoView {
    let href = format!("/articles/{}", article.slug);
    let author_href = format!("/@{}", article.author);
    let date_label = article.date_label();
    let date_iso = article.date_iso();
    view! {
        <li class="py-6">
            <article>
                <h2 class="font-serif text-xl font-bold leading-snug sm:text-2xl">
                    <A href=href attr:class="article-link">{article.title}</A>
                </h2>
                <p class="mt-1 text-sm text-muted">
                    <a href=author_href rel="author" class="font-medium text-ink hover:underline">{article.author}</a>
                    " · "
                    <time datetime=date_iso>{date_label}</time>
                </p>
                <p class="mt-2 text-base leading-relaxed">{article.description}</p>
            </article>
        </li>
    }
}
