//! A list of article summaries.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    components::tags::TagLinks,
    favorites::count_label,
    i18n::{Locale, use_locale},
    model::ArticleSummary,
    t,
};

/// Articles as cards: title (linked), author, date, favorites, description
/// and tags (linked), and with `show_views` their view counts.
#[component]
pub fn ArticleList(articles: Vec<ArticleSummary>, #[prop(optional)] show_views: bool) -> impl IntoView {
    let locale = use_locale();
    if articles.is_empty() {
        return view! { <p class="text-muted">{t!(locale, "list-empty")}</p> }.into_any();
    }
    view! {
        <ol class="divide-y divide-rule" role="list">
            {articles
                .into_iter()
                .map(|article| view! { <ArticleItem article show_views /> })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn ArticleItem(article: ArticleSummary, show_views: bool) -> impl IntoView {
    let locale = use_locale();
    let href = locale.href(&format!("/articles/{}", article.slug));
    let author_href = locale.href(&format!("/@{}", article.author));
    let date_label = article.date_label(locale);
    let date_iso = article.date_iso();
    // The article's own words in its language; the list's in the page's.
    let lang = article.locale().code();
    view! {
        <li class="py-6">
            <article>
                <h2 lang=lang class="font-serif text-xl font-bold leading-snug sm:text-2xl">
                    <A href=href attr:class="article-link">{article.title}</A>
                </h2>
                <p class="mt-1 text-sm text-muted">
                    <a href=author_href rel="author" class="font-medium text-ink hover:underline">{article.author}</a>
                    " · "
                    <time datetime=date_iso>{date_label}</time>
                    {show_views.then(|| view! { " · " <span class="views">{views_label(locale, article.views)}</span> })}
                    {(article.favorites_count > 0).then(|| view! {
                        " · " <span class="favorites">{count_label(locale, article.favorites_count)}</span>
                    })}
                </p>
                <p lang=lang class="mt-2 text-base leading-relaxed">{article.description}</p>
                <TagLinks tags=article.tag_list class="mt-3 text-sm" />
            </article>
        </li>
    }
}

/// "1 view", "1,234 views".
fn views_label(locale: Locale, views: i64) -> String {
    t!(locale, "list-views", count = views, shown = locale.number(views))
}

#[cfg(test)]
mod tests {
    use super::views_label;
    use crate::i18n::Locale;

    #[test]
    fn view_counts_read_naturally() {
        assert_eq!(views_label(Locale::En, 0), "0 views");
        assert_eq!(views_label(Locale::En, 1), "1 view");
        assert_eq!(views_label(Locale::En, 999), "999 views");
        assert_eq!(views_label(Locale::En, 1234), "1,234 views");
        assert_eq!(views_label(Locale::En, 1234567), "1,234,567 views");
        assert_eq!(views_label(Locale::Id, 1234567), "1.234.567 kali dibaca");
    }
}
