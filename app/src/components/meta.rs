//! A page's `<title>`, description, canonical link and OpenGraph tags.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::{
    i18n::{Locale, use_locale},
    site::{PublicUrl, SITE_NAME},
};

/// `path` as an absolute URL on the public origin.
pub fn absolute_url(path: &str) -> String {
    let origin = use_context::<PublicUrl>()
        .map(|PublicUrl(origin)| origin)
        .or_else(window_origin)
        .unwrap_or_default();
    format!("{origin}{path}")
}

#[cfg(feature = "hydrate")]
fn window_origin() -> Option<String> {
    web_sys::window().and_then(|window| window.location().origin().ok())
}

#[cfg(not(feature = "hydrate"))]
fn window_origin() -> Option<String> {
    None
}

/// Everything a page says about itself in `<head>`.
#[component]
pub fn PageMeta(
    /// The title (the site's name is appended); empty for the site's name.
    #[prop(into)]
    title: String,
    /// One or two sentences for search results and link previews.
    #[prop(into)]
    description: String,
    /// The page's canonical path without a language prefix, e.g.
    /// `/articles/hello`: the page's language adds its own.
    #[prop(into)]
    path: String,
    /// The OpenGraph type: `website`, `article` or `profile`.
    #[prop(default = "website")]
    kind: &'static str,
    /// The picture a link preview shows: a path on this site or an http(s)
    /// URL.
    #[prop(default = None)]
    image: Option<String>,
    /// The path of the Atom feed of what the page lists, for feed readers.
    #[prop(default = None)]
    feed: Option<String>,
) -> impl IntoView {
    let image = image.map(|image| {
        if image.starts_with('/') {
            absolute_url(&image)
        } else {
            image
        }
    });
    let locale = use_locale();
    let url = absolute_url(&locale.href(&path));
    // The same page in every language, and English for any other reader
    // (`x-default`), so search engines show each reader their own.
    let alternates = Locale::ALL
        .into_iter()
        .map(|other| (other.code(), absolute_url(&other.href(&path))))
        .chain([("x-default", absolute_url(&Locale::En.href(&path)))])
        .map(|(hreflang, href)| view! { <Link rel="alternate" hreflang=hreflang href=href /> })
        .collect_view();
    let og_title = if title.is_empty() {
        SITE_NAME.to_owned()
    } else {
        title.clone()
    };
    let og_feed_title = og_title.clone();
    view! {
        <Title text=title />
        <Meta name="description" content=description.clone() />
        <Link rel="canonical" href=url.clone() />
        {alternates}
        <Meta property="og:locale" content=locale.og_code() />
        <Meta property="og:site_name" content=SITE_NAME />
        <Meta property="og:type" content=kind />
        <Meta property="og:title" content=og_title />
        <Meta property="og:description" content=description />
        <Meta property="og:url" content=url />
        {image.map(|image| view! { <Meta property="og:image" content=image /> })}
        {feed.map(|feed| view! { <Link rel="alternate" type_="application/atom+xml" href=feed title=og_feed_title /> })}
    }
}
