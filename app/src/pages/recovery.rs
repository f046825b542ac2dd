//! `/forgot-password`, `/reset-password/{token}` and `/verify-email/{token}`:
//! getting back into an account, and showing an address is one's own.
//! Plain forms that work with and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::{
        fields::{Field, FormNotice, refusal},
        meta::PageMeta,
    },
    domain::{PASSWORD_MAX, PASSWORD_MIN},
    i18n::use_locale,
    pages::error::ErrorNotice,
    recovery::{ConfirmEmail, RequestPasswordReset, ResetPassword, reset_link, verification_link},
    t,
};

/// `/forgot-password`: asks for the address to send a reset link to. The
/// answer is the same whether or not an account has it.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let request = ServerAction::<RequestPasswordReset>::new();
    let refused = refusal(request);
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some() && refused().is_none();
    view! {
        <PageMeta
            title=t!(locale, "forgot-title")
            description=t!(locale, "forgot-description")
            path="/forgot-password"
        />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "forgot-title")}</h1>
            {move || match sent() {
                true => view! {
                    <p role="status" class="mt-4" data-testid="reset-sent">{t!(locale, "forgot-sent")}</p>
                    <p class="mt-4 text-sm text-muted">{t!(locale, "forgot-sent-hint")}</p>
                }
                .into_any(),
                false => {
                    let error = refused().unwrap_or_default();
                    view! {
                        <p class="mt-4 text-muted">{t!(locale, "forgot-intro")}</p>
                        <ActionForm action=request>
                            <FormNotice message=error.form.clone() />
                            <Field
                                label=t!(locale, "account-email")
                                name="email"
                                kind="email"
                                autocomplete="email"
                                value=error.value("email")
                                message=error.message("email")
                            />
                            <button type="submit" class="button mt-6 w-full">{t!(locale, "forgot-submit")}</button>
                        </ActionForm>
                    }
                    .into_any()
                }
            }}
            <p class="mt-6 text-sm text-muted">
                <a href=locale.href("/login") class="nav-link underline">{t!(locale, "forgot-back-to-sign-in")}</a>
            </p>
        </section>
    }
}

/// `/reset-password/{token}`: a new password, from the link in the email.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, reset_link);
    let reset = ServerAction::<ResetPassword>::new();
    let refused = refusal(reset);
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "reset-title") description=String::new() path="/forgot-password" />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "reset-title")}</h1>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) if link.works => {
                            let error = refused().unwrap_or_default();
                            view! {
                                <ActionForm action=reset>
                                    <FormNotice message=error.form.clone() />
                                    <input type="hidden" name="token" value=token() />
                                    <Field
                                        label=t!(locale, "reset-new-password")
                                        name="password"
                                        kind="password"
                                        autocomplete="new-password"
                                        message=error.message("password")
                                        hint=Some(t!(locale, "register-password-hint", min = PASSWORD_MIN, max = PASSWORD_MAX))
                                    />
                                    <p class="mt-4 text-sm text-muted">{t!(locale, "reset-ends-sessions")}</p>
                                    <button type="submit" class="button mt-6 w-full">{t!(locale, "reset-submit")}</button>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Ok(_) => view! { <DeadLink text=t!(locale, "reset-link-dead") /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/verify-email/{token}`: one button that verifies the address the link
/// was sent to. A button rather than the link itself, so a mail scanner
/// opening links does not use it up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, verification_link);
    let confirm = ServerAction::<ConfirmEmail>::new();
    let refused = refusal(confirm);
    view! {
        <Meta name="robots" content="noindex" />
        <PageMeta title=t!(locale, "verify-title") description=String::new() path="/settings" />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "verify-title")}</h1>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "reading-loading")}</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) if link.works => {
                            let error = refused().unwrap_or_default();
                            let email = link.email.unwrap_or_default();
                            view! {
                                <p class="mt-4">{t!(locale, "verify-question", email = email.as_str())}</p>
                                <ActionForm action=confirm>
                                    <FormNotice message=error.form.clone() />
                                    <input type="hidden" name="token" value=token() />
                                    <button type="submit" class="button mt-6 w-full">{t!(locale, "verify-submit")}</button>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Ok(_) => view! { <DeadLink text=t!(locale, "verify-link-dead") /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What a link that no longer works shows: why, and where to get a new one.
/// Answered 404, so nothing mistakes it for the page the link once was.
#[component]
fn DeadLink(text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <p role="alert" class="notice mt-4" data-testid="dead-link">{text}</p>
        <p class="mt-6 text-sm">
            <a href=locale.href("/forgot-password") class="nav-link underline">{t!(locale, "dead-link-new-reset")}</a>
            " · "
            <a href=locale.href("/settings") class="nav-link underline">{t!(locale, "dead-link-settings")}</a>
        </p>
    }
}
