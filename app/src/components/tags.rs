//! Tags as links to their pages.

use leptos::prelude::*;

use crate::{
    i18n::use_locale,
    model::{TagCount, tag_path},
    t,
};

/// An article's tags, each a link to its page; nothing when there are none.
#[component]
pub fn TagLinks(tags: Vec<String>, #[prop(optional)] class: &'static str) -> impl IntoView {
    let locale = use_locale();
    (!tags.is_empty()).then(|| {
        view! {
            <ul class=format!("flex flex-wrap gap-2 {class}") aria-label=t!(locale, "tags-label")>
                {tags
                    .into_iter()
                    .map(|tag| view! { <li><a href=locale.href(&tag_path(&tag)) class="tag" rel="tag">{tag.clone()}</a></li> })
                    .collect_view()}
            </ul>
        }
    })
}

/// The most used tags, with how many stories carry each.
#[component]
pub fn PopularTags(tags: Vec<TagCount>) -> impl IntoView {
    let locale = use_locale();
    (!tags.is_empty()).then(|| {
        view! {
            <section aria-labelledby="popular-tags" class="mt-10 border-t border-rule pt-6" data-testid="popular-tags">
                <h2 id="popular-tags" class="font-serif text-xl font-bold">{t!(locale, "tags-popular-heading")}</h2>
                <ul class="mt-4 flex flex-wrap gap-2">
                    {tags
                        .into_iter()
                        .map(|TagCount { tag, articles }| {
                            let label = t!(locale, "tags-stories-count", count = articles, shown = locale.number(articles.into()));
                            view! {
                                <li>
                                    <a href=locale.href(&tag_path(&tag)) class="tag" title=label>{tag.clone()}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}
