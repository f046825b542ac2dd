//! `/unsubscribe/{token}`: the page an email's unsubscribe link opens. One
//! button, a POST to the same URL (which is also the RFC 8058 one-click
//! address mail programs POST to); the server handles it
//! (`server/src/http/unsubscribe.rs`) and comes back here.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::{components::meta::PageMeta, error::AppError, following::subscription, pages::error::ErrorNotice};

/// Stops the emails one follow brings.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    // The link is someone's own: kept by no cache, shown to no search engine.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = Resource::new(token, subscription);

    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let action = format!("/unsubscribe/{}", token());
                match details.await {
                    Ok(details) if details.emailed => view! {
                        <PageMeta title="Unsubscribe".to_owned() description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">"Unsubscribe"</h1>
                        <p class="mt-4">{format!("Stop the emails Warta sends you when {} publishes?", details.author)}</p>
                        <form method="post" action=action class="mt-6">
                            <button type="submit" class="button">"Unsubscribe"</button>
                        </form>
                    }
                    .into_any(),
                    Ok(details) => view! {
                        <PageMeta title="Unsubscribed".to_owned() description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">"Unsubscribed"</h1>
                        <p class="mt-4" role="status" data-testid="unsubscribed">
                            {format!("You will no longer get an email when {} publishes. ", details.author)}
                            "You still follow them: their stories stay in your "
                            <a href="/following" class="nav-link">"Following"</a>
                            " tab, and following them again from "
                            <a href=format!("/@{}", details.author) class="nav-link">"their page"</a>
                            " turns the emails back on."
                        </p>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => {
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! {
                        <PageMeta title="Link not valid".to_owned() description=String::new() path=action.clone() />
                        <h1 class="font-serif text-3xl font-bold">"This link is not valid"</h1>
                        <p class="mt-4">"It may have been cut short, or you no longer follow that author, so there is nothing to stop."</p>
                    }
                    .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
