//! `/register` and `/login`: forms that work with and without JavaScript.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Redirect},
    hooks::use_query_map,
};

use crate::{
    auth::{Login, Register, SaveSettings, SignOutEverywhere, my_settings},
    components::{
        fields::{Field, FormNotice, refusal},
        meta::PageMeta,
    },
    domain::{BIO_MAX, IMAGE_URL_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, is_local_path},
    i18n::{Locale, use_locale},
    pages::error::ErrorNotice,
    recovery::ResendVerification,
    t,
};

/// `/register`.
#[component]
pub fn RegisterPage() -> impl IntoView {
    // Created under the routes, so a form posted without JavaScript finds
    // its error in the URL it is sent back to.
    let locale = use_locale();
    let register = ServerAction::<Register>::new();
    let refused = refusal(register);
    view! {
        <PageMeta
            title=t!(locale, "register-title")
            description=t!(locale, "register-description")
            path=locale.href("/register")
        />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "register-title")}</h1>
            {move || {
                let error = refused().unwrap_or_default();
                view! {
                    <ActionForm action=register>
                        <FormNotice message=error.form.clone() />
                        <Field
                            label=t!(locale, "account-username")
                            name="username"
                            autocomplete="username"
                            value=error.value("username")
                            message=error.message("username")
                            hint=Some(t!(locale, "register-username-hint", max = USERNAME_MAX))
                            maxlength=Some(USERNAME_MAX)
                        />
                        <Field
                            label=t!(locale, "account-email")
                            name="email"
                            kind="email"
                            autocomplete="email"
                            value=error.value("email")
                            message=error.message("email")
                        />
                        <Field
                            label=t!(locale, "account-password")
                            name="password"
                            kind="password"
                            autocomplete="new-password"
                            message=error.message("password")
                            hint=Some(t!(locale, "register-password-hint", min = PASSWORD_MIN, max = PASSWORD_MAX))
                        />
                        <button type="submit" class="button mt-6 w-full">{t!(locale, "register-submit")}</button>
                    </ActionForm>
                }
            }}
            <p class="mt-6 text-sm text-muted">
                {t!(locale, "register-have-account")}
                " "
                <A href=locale.href("/login") attr:class="nav-link underline">{t!(locale, "register-sign-in")}</A>
            </p>
        </section>
    }
}

/// `/login`, with `?next=` to return to.
#[component]
pub fn LoginPage() -> impl IntoView {
    let locale = use_locale();
    let login = ServerAction::<Login>::new();
    let refused = refusal(login);
    let query = use_query_map();
    let next = move || query.read().get("next").filter(|next| is_local_path(next));
    // What brought the reader here, as the URL says: a password just set
    // from a reset link, or an address just verified in another browser.
    let arrived = move || {
        let query = query.read();
        if query.get("reset").is_some() {
            Some(t!(locale, "sign-in-after-reset"))
        } else if query.get("verified").is_some() {
            Some(t!(locale, "sign-in-after-verify"))
        } else {
            None
        }
    };
    view! {
        <PageMeta
            title=t!(locale, "sign-in-title")
            description=t!(locale, "sign-in-description")
            path=locale.href("/login")
        />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "sign-in-title")}</h1>
            {move || arrived().map(|message| view! { <p role="status" class="mt-4 text-sm font-medium">{message}</p> })}
            {move || {
                let error = refused().unwrap_or_default();
                view! {
                    <ActionForm action=login>
                        <FormNotice message=error.form.clone() />
                        <input type="hidden" name="next" value=next() />
                        <Field
                            label=t!(locale, "account-email")
                            name="email"
                            kind="email"
                            autocomplete="email"
                            value=error.value("email")
                            message=error.message("email")
                        />
                        <Field
                            label=t!(locale, "account-password")
                            name="password"
                            kind="password"
                            autocomplete="current-password"
                            message=error.message("password")
                        />
                        <button type="submit" class="button mt-6 w-full">{t!(locale, "sign-in-submit")}</button>
                    </ActionForm>
                }
            }}
            <p class="mt-4 text-sm">
                <A href=locale.href("/forgot-password") attr:class="nav-link underline">{t!(locale, "sign-in-forgot")}</A>
            </p>
            <p class="mt-6 text-sm text-muted">
                {t!(locale, "sign-in-new-here")}
                " "
                <A href=locale.href("/register") attr:class="nav-link underline">{t!(locale, "sign-in-register")}</A>
            </p>
        </section>
    }
}

/// `/settings`: the signed-in user's profile, email and password. Signed
/// out, it sends the reader to sign in and back.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let locale = use_locale();
    let save = ServerAction::<SaveSettings>::new();
    let sign_out_everywhere = ServerAction::<SignOutEverywhere>::new();
    let resend = ServerAction::<ResendVerification>::new();
    let refused = refusal(save);
    let everywhere_refused = refusal(sign_out_everywhere);
    let resend_refused = refusal(resend);
    let query = use_query_map();
    // What was just done, as the URL each action ends on says: one message
    // at a time, with JavaScript or without.
    let saved = move || query.read().get("saved").is_some() && refused().is_none();
    let signed_out = move || query.read().get("signed_out").is_some() && everywhere_refused().is_none();
    let verified = move || query.read().get("verified").is_some();
    let link_sent = move || query.read().get("link_sent").is_some() && resend_refused().is_none();
    let settings = Resource::new(move || save.version().get(), |_| my_settings());
    view! {
        <PageMeta
            title=t!(locale, "settings-title")
            description=t!(locale, "settings-description")
            path=locale.href("/settings")
        />
        <section class="mx-auto max-w-md">
            <h1 class="font-serif text-3xl font-bold tracking-tight">{t!(locale, "settings-title")}</h1>
            <Suspense fallback=move || view! { <p class="mt-6 text-muted">{t!(locale, "settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(Some(current)) => {
                            let error = refused().unwrap_or_default();
                            let value = |field: &str, stored: &str| error.value(field).unwrap_or_else(|| stored.to_owned());
                            let bio = value("bio", &current.bio);
                            let username = value("username", &current.username);
                            let email = value("email", &current.email);
                            let image = value("image", &current.image);
                            let bio_message = error.message("bio");
                            let bio_invalid = bio_message.is_some().then_some("true");
                            view! {
                                {saved().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "settings-saved")}</p> })}
                                {signed_out().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "settings-signed-out")}</p> })}
                                {verified().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "settings-verified")}</p> })}
                                {link_sent().then(|| view! { <p role="status" class="mt-4 text-sm font-medium">{t!(locale, "settings-link-sent")}</p> })}
                                <ActionForm action=save>
                                    <FormNotice message=error.form.clone() />
                                    <Field
                                        label=t!(locale, "account-username")
                                        name="username"
                                        autocomplete="username"
                                        value=Some(username)
                                        message=error.message("username")
                                        maxlength=Some(USERNAME_MAX)
                                    />
                                    <Field
                                        label=t!(locale, "account-email")
                                        name="email"
                                        kind="email"
                                        autocomplete="email"
                                        value=Some(email)
                                        message=error.message("email")
                                    />
                                    <div class="mt-5">
                                        <label for="field-bio" class="block text-sm font-medium">{t!(locale, "settings-bio")}</label>
                                        <textarea
                                            id="field-bio"
                                            name="bio"
                                            rows="4"
                                            maxlength=BIO_MAX
                                            aria-invalid=bio_invalid
                                            aria-describedby="field-bio-note"
                                            class="field mt-1"
                                            inner_html=crate::components::textarea_content(&bio)
                                        ></textarea>
                                        <p id="field-bio-note" class="mt-1 text-sm text-muted">
                                            {bio_message.unwrap_or_else(|| t!(locale, "settings-bio-hint", max = BIO_MAX))}
                                        </p>
                                    </div>
                                    <Field
                                        label=t!(locale, "settings-image")
                                        name="image"
                                        kind="url"
                                        autocomplete="photo"
                                        value=Some(image)
                                        message=error.message("image")
                                        hint=Some(t!(locale, "settings-image-hint"))
                                        maxlength=Some(IMAGE_URL_MAX)
                                        required=false
                                    />
                                    <Field
                                        label=t!(locale, "settings-new-password")
                                        name="password"
                                        kind="password"
                                        autocomplete="new-password"
                                        message=error.message("password")
                                        hint=Some(t!(locale, "settings-new-password-hint", min = PASSWORD_MIN, max = PASSWORD_MAX))
                                        required=false
                                    />
                                    <Field
                                        label=t!(locale, "settings-current-password")
                                        name="current_password"
                                        kind="password"
                                        autocomplete="current-password"
                                        message=error.message("current_password")
                                        hint=Some(t!(locale, "settings-current-password-hint"))
                                        required=false
                                    />
                                    <div class="mt-5">
                                        <label for="field-email-locale" class="block text-sm font-medium">
                                            {t!(locale, "settings-email-language")}
                                        </label>
                                        <select
                                            id="field-email-locale"
                                            name="email_locale"
                                            aria-describedby="field-email-locale-note"
                                            class="field mt-1"
                                        >
                                            {Locale::ALL
                                                .into_iter()
                                                .map(|language| {
                                                    let chosen = language.code() == current.email_locale;
                                                    view! {
                                                        <option value=language.code() selected=chosen lang=language.code()>
                                                            {language.name()}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                        <p id="field-email-locale-note" class="mt-1 text-sm text-muted">
                                            {t!(locale, "settings-email-language-hint")}
                                        </p>
                                    </div>
                                    <button type="submit" class="button mt-6 w-full">{t!(locale, "settings-submit")}</button>
                                </ActionForm>
                                <section aria-labelledby="address-heading" class="mt-10 border-t border-rule pt-6">
                                    <h2 id="address-heading" class="font-serif text-xl font-bold">{t!(locale, "settings-address")}</h2>
                                    <p class="mt-1 text-sm" data-testid="address-state">
                                        {match (&current.pending_email, current.email_verified) {
                                            (Some(pending), _) => t!(locale, "settings-address-pending", email = pending.as_str()),
                                            (None, true) => t!(locale, "settings-address-verified", email = current.email.as_str()),
                                            (None, false) => t!(locale, "settings-address-unverified", email = current.email.as_str()),
                                        }}
                                    </p>
                                    {(current.pending_email.is_some() || !current.email_verified).then_some(move || {
                                        let error = resend_refused().unwrap_or_default();
                                        view! {
                                            <ActionForm action=resend>
                                                <FormNotice message=error.form.clone() />
                                                <button type="submit" class="button-secondary mt-4">{t!(locale, "settings-send-again")}</button>
                                            </ActionForm>
                                        }
                                    })}
                                </section>
                                <section aria-labelledby="blocked-heading" class="mt-10 border-t border-rule pt-6">
                                    <h2 id="blocked-heading" class="font-serif text-xl font-bold">{t!(locale, "blocked-title")}</h2>
                                    <p class="mt-1 text-sm text-muted">{t!(locale, "blocked-intro")}</p>
                                    <p class="mt-2 text-sm">
                                        <a href=locale.href("/settings/blocked") class="nav-link underline">{t!(locale, "blocked-manage")}</a>
                                    </p>
                                </section>
                                <section aria-labelledby="sessions-heading" class="mt-10 border-t border-rule pt-6">
                                    <h2 id="sessions-heading" class="font-serif text-xl font-bold">{t!(locale, "settings-sessions")}</h2>
                                    <p class="mt-1 text-sm text-muted">{t!(locale, "settings-sessions-intro")}</p>
                                    {move || {
                                        let error = everywhere_refused().unwrap_or_default();
                                        view! {
                                            <ActionForm action=sign_out_everywhere>
                                                <FormNotice message=error.form.clone() />
                                                <Field
                                                    label=t!(locale, "settings-your-password")
                                                    name="your_password"
                                                    kind="password"
                                                    autocomplete="current-password"
                                                    message=error.message("your_password")
                                                    hint=Some(t!(locale, "settings-your-password-hint"))
                                                />
                                                <button type="submit" class="button-secondary mt-4">{t!(locale, "settings-sign-out-everywhere")}</button>
                                            </ActionForm>
                                        }
                                    }}
                                </section>
                            }
                            .into_any()
                        }
                        Ok(None) => view! { <Redirect path=locale.href("/login?next=/settings") /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
