//! `/articles/{slug}`: one article.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::{
    comments::Comments,
    components::{avatar::Avatar, meta::PageMeta, tags::TagLinks},
    error::AppError,
    favorites::FavoriteButton,
    following::FollowButton,
    i18n::use_locale,
    model::Article,
    page_data,
    pages::{error::ErrorNotice, not_found::NotFound},
    t,
};

/// The article page; a 404 for slugs that name no published article.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let article = Resource::new(slug, page_data::get_article);

    view! {
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "reading-loading")}</p> }>
            {move || Suspend::new(async move {
                match article.await {
                    Ok(article) => view! { <ArticleView article /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArticleView(article: Article) -> impl IntoView {
    let locale = use_locale();
    let href = format!("/articles/{}", article.slug);
    let author_href = locale.href(&format!("/@{}", article.author));
    let view_pixel = format!("{href}/view.gif");
    let date_label = article.date_label(locale);
    let date_iso = article.published_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let updated = article.was_updated().then(|| locale.date(article.updated_at));
    let reading_time = t!(
        locale,
        "article-reading-time",
        minutes = locale.number(i64::from(article.reading_minutes))
    );
    let tags = article.tags.clone();
    let edit_href = locale.href(&crate::writing::editor_path(&article.slug));
    let report_href = locale.href(&format!("/report?article={}", article.slug));
    let author = article.author.clone();
    let comment_slug = article.slug.clone();
    // The author's words in their language, the page's own in the reader's.
    let lang = article.language.code();
    view! {
        <PageMeta
            title=article.title.clone()
            description=article.summary.clone()
            path=href
            kind="article"
            image=article.cover.as_ref().map(|cover| cover.src.clone())
        />
        <Meta property="article:published_time" content=date_iso.clone() />
        <Meta property="article:author" content=article.author.clone() />
        <article>
            <header class="border-b border-rule pb-6">
                <h1 lang=lang class="font-serif text-3xl font-bold leading-tight tracking-tight sm:text-4xl">{article.title}</h1>
                <p lang=lang class="mt-3 text-lg text-muted">{article.description}</p>
                <p class="mt-4 flex flex-wrap items-center gap-x-1 text-sm text-muted">
                    <Avatar image=article.author_image.clone() size=32 />
                    <span class="ml-1">{format!("{} ", t!(locale, "article-by"))}</span>
                    <a href=author_href rel="author" class="font-medium text-ink hover:underline">{article.author}</a>
                    " · "
                    <time datetime=date_iso>{date_label}</time>
                    {updated.map(|date| view! { " · " {t!(locale, "article-updated", date = date)} })}
                    " · "
                    {reading_time}
                </p>
                <div class="mt-4 flex flex-wrap gap-3">
                    <FavoriteButton slug=article.slug.clone() count=article.favorites_count />
                    <FollowButton username=author.clone() />
                </div>
            </header>
            {article.cover.map(|cover| view! {
                <img
                    src=cover.src
                    srcset=cover.srcset
                    sizes="(min-width: 48rem) 48rem, 100vw"
                    width=cover.width
                    height=cover.height
                    alt=""
                    class="mt-8 h-auto w-full rounded"
                    data-testid="cover"
                />
            })}
            <div lang=lang class="prose mt-8" inner_html=article.body_html></div>
            <TagLinks tags class="mt-8" />
            <EditLink author href=edit_href report=report_href />
        </article>
        <Comments slug=comment_slug />
        // Counts the view (see `ssr::views`): an image, so it works without
        // JavaScript and is fetched even when a CDN serves the page.
        <img src=view_pixel alt="" width="1" height="1" aria-hidden="true" class="absolute h-px w-px opacity-0" />
    }
}

/// "Edit" and "Delete" for the article's author; nothing for anyone else.
#[component]
fn EditLink(
    /// The article's author, the one reader shown the links.
    author: String,
    /// The editor's address, in the page's language.
    href: String,
    /// The report page's address for this article.
    report: String,
) -> impl IntoView {
    let locale = use_locale();
    let user = Resource::new(|| (), |_| crate::auth::current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (author, href, report) = (author.clone(), href.clone(), report.clone());
                Suspend::new(async move {
                    let mine = matches!(user.await, Ok(Some(user)) if user.username == author);
                    match mine {
                        true => view! {
                            <p class="mt-8 flex gap-4 text-sm">
                                <a href=href.clone() class="button-secondary">{t!(locale, "article-edit")}</a>
                                <a href=format!("{href}/delete") class="button-secondary">{t!(locale, "article-delete")}</a>
                            </p>
                        }
                        .into_any(),
                        // Anyone else may report it (signed out, the
                        // report page offers to sign in first).
                        false => view! {
                            <p class="mt-8 text-sm">
                                <a href=report.clone() class="text-muted underline hover:text-ink" rel="nofollow" data-testid="report-article">
                                    {t!(locale, "article-report")}
                                </a>
                            </p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
