//! The light/dark switch.
//!
//! Without JavaScript, or until the reader chooses, the page follows
//! `prefers-color-scheme`. A choice is stored in `localStorage` and applied as
//! `<html data-theme="…">`, which the stylesheet honours over the system
//! setting. Keeping the choice out of cookies keeps every page cacheable.

use leptos::prelude::*;

use crate::{i18n::use_locale, t};

const STORAGE_KEY: &str = "warta-theme";

/// A button that flips between light and dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let locale = use_locale();
    // `None` until hydration has read the effective theme.
    let dark = RwSignal::new(None::<bool>);

    Effect::new(move |_| {
        let stored = browser::stored_theme();
        let is_dark = stored
            .as_deref()
            .map_or_else(browser::system_prefers_dark, |theme| theme == "dark");
        if let Some(theme) = stored.as_deref() {
            browser::apply_theme(theme);
        }
        dark.set(Some(is_dark));
    });

    let toggle = move |_| {
        let next = !dark.get_untracked().unwrap_or(false);
        let theme = if next { "dark" } else { "light" };
        browser::apply_theme(theme);
        browser::store_theme(theme);
        dark.set(Some(next));
    };

    view! {
        <button
            type="button"
            class="theme-toggle"
            on:click=toggle
            aria-pressed=move || dark.get().map(|d| d.to_string()).unwrap_or_else(|| "false".to_owned())
            title=t!(locale, "theme-switch")
        >
            <span aria-hidden="true">{move || if dark.get() == Some(true) { "☀" } else { "☾" }}</span>
            <span class="sr-only">{t!(locale, "theme-dark")}</span>
        </button>
    }
}

/// DOM access; every call is a no-op on the server, where effects never run.
mod browser {
    use leptos::prelude::*;

    pub(super) fn stored_theme() -> Option<String> {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(super::STORAGE_KEY).ok().flatten())
            .filter(|theme| theme == "dark" || theme == "light")
    }

    pub(super) fn store_theme(theme: &str) {
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(super::STORAGE_KEY, theme);
        }
    }

    pub(super) fn system_prefers_dark() -> bool {
        window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches())
    }

    pub(super) fn apply_theme(theme: &str) {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme);
        }
    }
}
