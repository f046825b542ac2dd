//! `/editor`, `/editor/{slug}` and `/editor/{slug}/delete`: writing, with
//! and without JavaScript (see [`crate::writing`] for how each path works).

use leptos::{ev::SubmitEvent, form::FromFormData as _, prelude::*};
use leptos_router::{
    components::Redirect,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    components::meta::PageMeta,
    domain::{ArticleText, DESCRIPTION_MAX, TAGS_MAX, TITLE_MAX, split_tags},
    error::AppError,
    forms::FormError,
    i18n::{Locale, use_locale},
    pages::{error::ErrorNotice, not_found::NotFound},
    t,
    writing::{DeleteArticle, EditorState, SaveArticle, Saved, editor_path, open_editor, sign_in_path},
};

/// The editor on a new article, or on `{slug}`.
#[component]
pub fn EditorPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let slug = move || params.read().get("slug");
    // Created under the routes, like the account forms.
    let save = ServerAction::<SaveArticle>::new();
    let editor = Resource::new(slug, open_editor);
    view! {
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "editor-loading")}</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(Some(state)) => view! { <EditorForm state save /> }.into_any(),
                    Ok(None) => {
                        view! { <Redirect path=locale.href(&sign_in_path(slug().as_deref(), "")) /> }.into_any()
                    }
                    Err(error) => view! { <EditorError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 404 for articles that do not exist, 403 for other people's.
#[component]
fn EditorError(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::Forbidden => view! { <Forbidden /> }.into_any(),
        error => view! { <ErrorNotice error /> }.into_any(),
    }
}

/// A styled 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    let locale = use_locale();
    view! {
        <PageMeta
            title=t!(locale, "forbidden-title")
            description=t!(locale, "forbidden-description")
            path=locale.href("/editor")
        />
        <section class="py-16 text-center">
            <p class="font-mono text-sm font-semibold uppercase tracking-widest text-accent">"403"</p>
            <h1 class="mt-2 font-serif text-3xl font-bold tracking-tight">{t!(locale, "forbidden-heading")}</h1>
            <p class="mt-4 text-muted">{t!(locale, "forbidden-explanation")}</p>
            <p class="mt-8"><a href=locale.href("/editor") class="button">{t!(locale, "forbidden-write-your-own")}</a></p>
        </section>
    }
}

#[component]
fn EditorForm(state: EditorState, save: ServerAction<SaveArticle>) -> impl IntoView {
    let locale = use_locale();
    let EditorState {
        slug,
        published,
        withheld,
        form,
        body_max,
        cover,
        error: resubmitted_error,
        preview: resubmitted_preview,
    } = state;
    // The article's language; a new one starts in the page's.
    let language = match form.language.as_str() {
        "" => locale.code().to_owned(),
        chosen => chosen.to_owned(),
    };
    let query = use_query_map();
    let saved_draft = move || query.read().get("saved").as_deref() == Some("draft");
    let cover_failed = move || query.read().get("cover").as_deref() == Some("failed");
    let cover_input = NodeRef::<leptos::html::Input>::new();
    let remove_input = NodeRef::<leptos::html::Input>::new();
    // Messages found in the browser before sending anything.
    let local_error = RwSignal::new(None::<FormError>);
    let outcome = save.value();
    let resubmitted_error = StoredValue::new(resubmitted_error);
    let resubmitted_preview = StoredValue::new(resubmitted_preview);
    let error = move || {
        local_error.get().or_else(|| match outcome.get() {
            Some(result) => result.err(),
            None => resubmitted_error.get_value(),
        })
    };
    let preview = move || match outcome.get() {
        Some(Ok(Saved::Preview(html))) => Some(html),
        Some(_) => None,
        None => resubmitted_preview.get_value(),
    };
    let message = move |field: &'static str| move || error().and_then(|error| error.message(field));
    let invalid = move |field: &'static str| {
        move || {
            error()
                .is_some_and(|error| error.message(field).is_some())
                .then_some("true")
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        let Ok(input) = SaveArticle::from_event(&ev) else {
            ev.prevent_default();
            local_error.set(Some(FormError::failure(&t!(locale, "editor-unreadable"))));
            return;
        };
        local_error.set(check(&input, body_max, locale));
        if local_error.get_untracked().is_some() {
            ev.prevent_default();
            return;
        }
        // A chosen cover (or its removal) travels in the browser's own
        // multipart post, which the server handles as without JavaScript.
        let file_chosen = cover_input
            .get_untracked()
            .is_some_and(|input| !input.value().is_empty());
        let removing = remove_input.get_untracked().is_some_and(|input| input.checked());
        let previewing = input
            .intent
            .is_none_or(|intent| intent == crate::writing::Intent::Preview);
        if (file_chosen || removing) && !previewing {
            return;
        }
        ev.prevent_default();
        save.dispatch(input);
    };

    // Posted in the page's language (`/id/editor` too), so a refused form
    // comes back in it.
    let action = locale.href(&slug.as_deref().map_or_else(|| "/editor".to_owned(), editor_path));
    let heading = match slug {
        Some(_) => t!(locale, "editor-edit"),
        None => t!(locale, "editor-new"),
    };
    let publish_label = match published {
        true => t!(locale, "editor-update"),
        false => t!(locale, "editor-publish"),
    };
    let draft_label = match published {
        true => t!(locale, "editor-unpublish"),
        false => t!(locale, "editor-save-draft"),
    };
    let delete_href = slug
        .as_deref()
        .map(|slug| locale.href(&format!("{}/delete", editor_path(slug))));
    let view_href = slug
        .as_deref()
        .filter(|_| published)
        .map(|slug| locale.href(&format!("/articles/{slug}")));
    let pending = save.pending();

    view! {
        <PageMeta title=heading.clone() description=t!(locale, "editor-description") path=locale.href(&action) />
        <section>
            <h1 class="font-serif text-3xl font-bold tracking-tight">{heading}</h1>
            {move || saved_draft().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "editor-draft-saved")}</p> })}
            {view_href.map(|href| view! { <p class="mt-2 text-sm"><a href=href class="underline">{t!(locale, "editor-view-published")}</a></p> })}
            {withheld.then(|| view! {
                <p role="status" class="notice mt-4" data-testid="withheld">{t!(locale, "editor-withheld")}</p>
            })}
            {move || cover_failed().then(|| view! {
                <p role="alert" class="notice mt-4">{t!(locale, "editor-cover-failed")}</p>
            })}
            <form method="post" action=action enctype="multipart/form-data" on:submit=on_submit novalidate data-testid="editor">
                {move || error().and_then(|error| error.form).map(|message| view! { <p role="alert" class="notice mt-4">{message}</p> })}
                {slug.clone().map(|slug| view! { <input type="hidden" name="slug" value=slug /> })}
                <div class="mt-5">
                    <label for="field-title" class="block text-sm font-medium">{t!(locale, "editor-title")}</label>
                    <input id="field-title" name="title" type="text" value=form.title maxlength=TITLE_MAX required
                        aria-invalid=invalid("title") aria-describedby="field-title-note" class="field mt-1" />
                    <p id="field-title-note" class="mt-1 text-sm text-danger">{message("title")}</p>
                </div>
                <div class="mt-5">
                    <label for="field-description" class="block text-sm font-medium">{t!(locale, "editor-description-label")}</label>
                    <input id="field-description" name="description" type="text" value=form.description maxlength=DESCRIPTION_MAX
                        aria-invalid=invalid("description") aria-describedby="field-description-note" class="field mt-1" />
                    <p id="field-description-note" class="mt-1 text-sm" class:text-danger=move || message("description")().is_some()>
                        {move || message("description")().unwrap_or_else(|| t!(locale, "editor-description-hint", max = DESCRIPTION_MAX))}
                    </p>
                </div>
                <div class="mt-5">
                    <label for="field-body" class="block text-sm font-medium">{t!(locale, "editor-body")}</label>
                    <textarea id="field-body" name="body" rows="18" required
                        aria-invalid=invalid("body") aria-describedby="field-body-note" class="field mt-1 font-mono text-sm"
                        inner_html=crate::components::textarea_content(&form.body)></textarea>
                    <p id="field-body-note" class="mt-1 text-sm" class:text-danger=move || message("body")().is_some()>
                        {move || message("body")().unwrap_or_else(|| t!(locale, "editor-body-hint", max = body_max / 1024))}
                    </p>
                </div>
                <div class="mt-5">
                    <label for="field-tags" class="block text-sm font-medium">{t!(locale, "editor-tags")}</label>
                    <input id="field-tags" name="tags" type="text" value=form.tags
                        aria-invalid=invalid("tags") aria-describedby="field-tags-note" class="field mt-1" />
                    <p id="field-tags-note" class="mt-1 text-sm" class:text-danger=move || message("tags")().is_some()>
                        {move || message("tags")().unwrap_or_else(|| t!(locale, "editor-tags-hint", max = TAGS_MAX))}
                    </p>
                </div>
                <div class="mt-5">
                    <label for="field-language" class="block text-sm font-medium">{t!(locale, "editor-language")}</label>
                    <select id="field-language" name="language" aria-invalid=invalid("language")
                        aria-describedby="field-language-note" class="field mt-1">
                        {Locale::ALL.into_iter().map(|option| view! {
                            <option value=option.code() selected=option.code() == language>{option.name()}</option>
                        }).collect_view()}
                    </select>
                    <p id="field-language-note" class="mt-1 text-sm" class:text-danger=move || message("language")().is_some()>
                        {move || message("language")().unwrap_or_else(|| t!(locale, "editor-language-hint"))}
                    </p>
                </div>
                <div class="mt-5">
                    <label for="field-cover" class="block text-sm font-medium">{t!(locale, "editor-cover")}</label>
                    {cover.clone().map(|src| view! {
                        <img src=src alt=t!(locale, "editor-cover-current") class="mt-2 max-h-40 rounded border border-rule" data-testid="current-cover" />
                        <label class="mt-2 flex items-center gap-2 text-sm">
                            <input type="checkbox" name="remove_cover" value="1" node_ref=remove_input />
                            {t!(locale, "editor-cover-remove")}
                        </label>
                    })}
                    <input id="field-cover" name="cover" type="file" accept="image/jpeg,image/png,image/webp" node_ref=cover_input
                        aria-invalid=invalid("cover") aria-describedby="field-cover-note" class="mt-2 block text-sm" />
                    <p id="field-cover-note" class="mt-1 text-sm" class:text-danger=move || message("cover")().is_some()>
                        {move || message("cover")().unwrap_or_else(|| match cover {
                            Some(_) => t!(locale, "editor-cover-replace-hint"),
                            None => t!(locale, "editor-cover-hint"),
                        })}
                    </p>
                </div>
                <div class="mt-6 flex flex-wrap gap-3">
                    // The first button is what Enter in a field presses: a
                    // preview, which changes nothing.
                    <button type="submit" name="intent" value="preview" class="button-secondary" disabled=pending>{t!(locale, "editor-preview")}</button>
                    <button type="submit" name="intent" value="draft" class="button-secondary" disabled=pending>{draft_label}</button>
                    <button type="submit" name="intent" value="publish" class="button" disabled=pending>{publish_label}</button>
                </div>
            </form>
            {move || preview().map(|html| view! {
                <section aria-labelledby="preview-heading" class="mt-10 border-t border-rule pt-6" data-testid="preview">
                    <h2 id="preview-heading" class="text-sm font-semibold uppercase tracking-widest text-muted">{t!(locale, "editor-preview")}</h2>
                    <div class="prose mt-4" inner_html=html></div>
                </section>
            })}
            {delete_href.map(|href| view! {
                <p class="mt-10 border-t border-rule pt-6 text-sm">
                    <a href=href class="text-danger underline">{t!(locale, "editor-delete-link")}</a>
                </p>
            })}
        </section>
    }
}

/// The rules [`ArticleText`] enforces, checked in the browser so a mistake
/// shows at once (the server checks again), with messages in `locale`. A
/// preview needs only a body that is not too long.
fn check(input: &SaveArticle, body_max: usize, locale: Locale) -> Option<FormError> {
    // No button named (a form submitted some other way) means a preview,
    // as on the server.
    let preview = input
        .intent
        .is_none_or(|intent| intent == crate::writing::Intent::Preview);
    let faults = if preview {
        crate::domain::body_too_long(input.body.len(), body_max)
            .into_iter()
            .collect::<Vec<_>>()
    } else {
        ArticleText::parse(
            &input.title,
            &input.description,
            &input.body,
            &split_tags(&input.tags),
            input.language.as_deref().filter(|language| !language.is_empty()),
            body_max,
        )
        .err()
        .unwrap_or_default()
    };
    let mut error = FormError::default();
    for fault in &faults {
        error.add_invalid(fault, locale);
    }
    (!faults.is_empty()).then_some(error)
}

/// `/editor/{slug}/delete`: asks before deleting.
#[component]
pub fn DeletePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let slug = move || params.read().get("slug");
    let delete = ServerAction::<DeleteArticle>::new();
    let editor = Resource::new(slug, open_editor);
    view! {
        <Suspense fallback=move || view! { <p class="text-muted">{t!(locale, "editor-loading")}</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(Some(state)) => {
                        let slug = state.slug.clone().unwrap_or_default();
                        let back = editor_path(&slug);
                        let failed = move || delete.value().get().and_then(Result::err);
                        view! {
                            <PageMeta
                                title=t!(locale, "delete-title")
                                description=t!(locale, "delete-description")
                                path=locale.href(&format!("{back}/delete"))
                            />
                            <section class="mx-auto max-w-md">
                                <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "delete-heading")}</h1>
                                <p class="mt-4">{t!(locale, "delete-warning", title = state.form.title)}</p>
                                {move || failed().map(|error| view! { <p role="alert" class="notice mt-4">{error.localized(locale)}</p> })}
                                <ActionForm action=delete>
                                    <input type="hidden" name="slug" value=slug />
                                    <div class="mt-6 flex gap-3">
                                        <button type="submit" class="button-danger">{t!(locale, "delete-confirm")}</button>
                                        <a href=locale.href(&back) class="button-secondary">{t!(locale, "delete-keep")}</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }
                        .into_any()
                    }
                    Ok(None) => {
                        let next = locale.href(&sign_in_path(slug().as_deref(), "/delete"));
                        view! { <Redirect path=next /> }.into_any()
                    }
                    Err(error) => view! { <EditorError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
