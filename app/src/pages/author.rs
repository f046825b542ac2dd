//! `/@{username}`: an author and their published articles;
//! `/@{username}/favorites`: the articles they saved.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::{article_list::ArticleList, avatar::Avatar, meta::PageMeta, pager::Pager},
    error::AppError,
    favorites::{SavedPage, favorites_of},
    following::FollowButton,
    i18n::use_locale,
    model::{AuthorPage as Page, Listing, Profile, parse_page},
    page_data,
    pages::{error::ErrorNotice, not_found::NotFound},
    t,
};

/// The author page; a 404 for names nobody has.
#[component]
pub fn AuthorPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let username = params.read().get("username").unwrap_or_default();
        let page = parse_page(query.read().get("page").as_deref());
        (username, page)
    };
    let author = Resource::new(key, |(username, page)| page_data::get_author(username, page));

    view! {
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                match author.await {
                    Ok(page) => view! { <AuthorView page /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuthorView(page: Page) -> impl IntoView {
    let locale = use_locale();
    let Page {
        profile,
        articles,
        page,
        has_more,
    } = page;
    let base = format!("/@{}", profile.username);
    let path = crate::components::pager::page_href(&base, page);
    let description = if profile.bio.is_empty() {
        t!(locale, "author-description", username = profile.username.as_str())
    } else {
        profile.bio.clone()
    };
    let title = if page == 1 {
        profile.username.clone()
    } else {
        t!(
            locale,
            "reading-title-page",
            title = profile.username.as_str(),
            page = page
        )
    };
    let empty = articles.is_empty();
    let username = profile.username.clone();
    let query = use_query_map();
    let deleted = move || query.read().get("deleted").is_some();

    let image = profile.image.clone();
    let feed = Some(format!("{base}/feed.xml"));
    view! {
        <PageMeta title description path kind="profile" image feed />
        <AuthorHeader profile current=Tab::Stories />
        {move || deleted().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "author-article-deleted")}</p> })}
        {if empty && page > 1 {
            view! { <p class="mt-6 text-muted">{t!(locale, "reading-past-the-end")}</p> }.into_any()
        } else {
            view! { <ArticleList articles /> }.into_any()
        }}
        <Pager base page has_more />
        <Drafts username=username />
    }
}

/// The two lists of a person's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Stories,
    Favorites,
}

/// The person's picture, name, follow button and bio, and the tabs between
/// what they wrote and what they saved.
#[component]
fn AuthorHeader(profile: Profile, current: Tab) -> impl IntoView {
    let locale = use_locale();
    let base = format!("/@{}", profile.username);
    let tab = move |tab: Tab, href: String, label: String| {
        let selected = tab == current;
        view! {
            <li>
                <a href=locale.href(&href) aria-current=selected.then_some("page") class="tab">{label}</a>
            </li>
        }
    };
    view! {
        <header class="border-b border-rule pb-6">
            <div class="flex flex-wrap items-center justify-between gap-4">
                <div class="flex items-center gap-4">
                    <Avatar image=profile.image.clone() size=64 />
                    <h1 class="font-serif text-3xl font-bold tracking-tight sm:text-4xl">{profile.username.clone()}</h1>
                </div>
                <div class="flex flex-wrap items-center gap-2">
                    <FollowButton username=profile.username.clone() />
                    <crate::components::block::BlockButton username=profile.username.clone() />
                </div>
            </div>
            {(!profile.bio.is_empty()).then(|| view! { <p class="mt-3 text-lg text-muted">{profile.bio}</p> })}
        </header>
        <nav aria-label=t!(locale, "author-lists-label") class="border-b border-rule">
            <ul class="-mb-px flex gap-6 text-sm font-medium" role="list">
                {tab(Tab::Stories, base.clone(), t!(locale, "author-tab-stories"))}
                {tab(Tab::Favorites, format!("{base}/favorites"), t!(locale, "author-tab-favorites"))}
            </ul>
        </nav>
    }
}

/// `/@{username}/favorites`: what a reader saved; a 404 for names nobody
/// has.
#[component]
pub fn FavoritesPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let username = params.read().get("username").unwrap_or_default();
        let page = parse_page(query.read().get("page").as_deref());
        (username, page)
    };
    let saved = Resource::new(key, |(username, page)| favorites_of(username, page));

    view! {
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                match saved.await {
                    Ok(saved) => view! { <FavoritesView saved /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FavoritesView(saved: SavedPage) -> impl IntoView {
    let locale = use_locale();
    let SavedPage { profile, listing } = saved;
    let Listing { articles, page, pages } = listing;
    let base = format!("/@{}/favorites", profile.username);
    let path = crate::components::pager::page_href(&base, page);
    let username = profile.username.as_str();
    let title = t!(locale, "favorites-title", username = username);
    let title = if page == 1 {
        title
    } else {
        t!(locale, "reading-title-page", title = title, page = page)
    };
    let description = t!(locale, "favorites-description", username = username);
    let nobody_saved = t!(locale, "favorites-empty", username = username);
    view! {
        <PageMeta title description path kind="profile" />
        <AuthorHeader profile current=Tab::Favorites />
        {if articles.is_empty() && page > 1 {
            view! { <p class="mt-6 text-muted">{t!(locale, "reading-past-the-end")}</p> }.into_any()
        } else if articles.is_empty() {
            view! { <p class="mt-6 text-muted">{nobody_saved}</p> }.into_any()
        } else {
            view! { <ArticleList articles /> }.into_any()
        }}
        <Pager base page pages=pages />
    }
}

/// The author's own drafts, shown to them alone.
#[component]
fn Drafts(username: String) -> impl IntoView {
    let locale = use_locale();
    let drafts = Resource::new(move || username.clone(), crate::writing::my_drafts);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let drafts = drafts.await.unwrap_or_default();
                (!drafts.is_empty()).then(|| view! {
                    <section aria-labelledby="drafts-heading" class="mt-10 border-t border-rule pt-6" data-testid="drafts">
                        <h2 id="drafts-heading" class="font-serif text-xl font-bold">{t!(locale, "drafts-heading")}</h2>
                        <p class="mt-1 text-sm text-muted">{t!(locale, "drafts-private")}</p>
                        <ul class="mt-4 space-y-2">
                            {drafts.into_iter().map(|draft| view! {
                                <li>
                                    <a href=locale.href(&crate::writing::editor_path(&draft.slug)) class="article-link font-medium">{draft.title}</a>
                                    <span class="text-sm text-muted">" · " {t!(locale, "drafts-edited", date = locale.date(draft.updated_at))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}
