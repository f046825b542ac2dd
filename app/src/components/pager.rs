//! Links between the pages of a listing.

use leptos::prelude::*;

use crate::{i18n::use_locale, t};

/// The URL of page `page` of the listing at `base` (page 1 has no
/// `page`), which may carry a query of its own (`/search?q=…`).
pub fn page_href(base: &str, page: u32) -> String {
    if page <= 1 {
        base.to_owned()
    } else if base.contains('?') {
        format!("{base}&page={page}")
    } else {
        format!("{base}?page={page}")
    }
}

/// The page numbers to link around `page` of `pages`: the first, the last,
/// and two either side of the current one (of the last, past the end);
/// `None` marks a gap. A gap of one page shows that page instead.
pub fn nearby_pages(page: u32, pages: u32) -> Vec<Option<u32>> {
    let page = page.min(pages);
    let mut shown: Vec<u32> = [1, pages]
        .into_iter()
        .chain(page.saturating_sub(2).max(1)..=page.saturating_add(2).min(pages))
        .filter(|n| (1..=pages).contains(n))
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let mut out = Vec::with_capacity(shown.len() * 2);
    for (i, n) in shown.iter().enumerate() {
        if i > 0 {
            match n - shown[i - 1] {
                1 => {}
                2 => out.push(Some(n - 1)),
                _ => out.push(None),
            }
        }
        out.push(Some(*n));
    }
    out
}

/// Newer/older links and, when the number of pages is known, numbered
/// links to the pages nearby.
#[component]
pub fn Pager(
    /// The listing's path, without a language prefix, e.g. `/` or `/@ada`.
    base: String,
    /// The current page, 1-based.
    page: u32,
    /// How many pages there are, when known.
    #[prop(optional)]
    pages: Option<u32>,
    /// Whether a next page exists (when `pages` is unknown).
    #[prop(optional)]
    has_more: bool,
    /// The links to the previous and next pages; newer and older stories
    /// unless given.
    #[prop(optional)]
    labels: Option<(String, String)>,
) -> impl IntoView {
    let locale = use_locale();
    let (newer_label, older_label) = labels.unwrap_or_else(|| (t!(locale, "pager-newer"), t!(locale, "pager-older")));
    let href = move |n: u32| locale.href(&page_href(&base, n));
    let has_more = pages.map_or(has_more, |pages| page < pages);
    let newer = (page > 1).then(|| href(page - 1));
    let older = has_more.then(|| href(page + 1));
    let numbers = pages.filter(|pages| *pages > 1).map(|pages| {
        nearby_pages(page, pages)
            .into_iter()
            .map(|n| match n {
                Some(n) if n == page => view! {
                    <li><span aria-current="page" class="page-number current">{n}</span></li>
                }
                .into_any(),
                Some(n) => {
                    let label = t!(locale, "pager-page", page = n);
                    view! {
                        <li><a href=href(n) aria-label=label class="page-number">{n}</a></li>
                    }
                    .into_any()
                }
                None => view! { <li aria-hidden="true" class="px-1 text-muted">"…"</li> }.into_any(),
            })
            .collect_view()
    });

    view! {
        <nav aria-label=t!(locale, "pager-label") class="mt-8 flex flex-wrap items-center justify-between gap-4 text-sm font-medium">
            {match newer {
                Some(href) => view! { <a href=href rel="prev" class="nav-link">{newer_label}</a> }.into_any(),
                None => view! { <span></span> }.into_any(),
            }}
            {numbers.map(|numbers| view! { <ol class="flex flex-wrap items-center gap-1" role="list">{numbers}</ol> })}
            {match older {
                Some(href) => view! { <a href=href rel="next" class="nav-link">{older_label}</a> }.into_any(),
                None => view! { <span></span> }.into_any(),
            }}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearby_pages_show_both_ends_and_the_neighbourhood() {
        assert_eq!(nearby_pages(1, 1), vec![Some(1)]);
        assert_eq!(nearby_pages(1, 3), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            nearby_pages(50, 100),
            vec![
                Some(1),
                None,
                Some(48),
                Some(49),
                Some(50),
                Some(51),
                Some(52),
                None,
                Some(100)
            ]
        );
        assert_eq!(
            nearby_pages(2, 100),
            vec![Some(1), Some(2), Some(3), Some(4), None, Some(100)]
        );
        assert_eq!(
            nearby_pages(7, 5),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)],
            "past the end"
        );
    }

    #[test]
    fn page_one_has_no_query() {
        assert_eq!(page_href("/", 1), "/");
        assert_eq!(page_href("/", 3), "/?page=3");
        assert_eq!(page_href("/@ada", 2), "/@ada?page=2");
        assert_eq!(page_href("/search?q=kopi", 2), "/search?q=kopi&page=2");
    }
}
