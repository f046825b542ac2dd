//! The browser entry point: cargo-leptos builds this crate to wasm, and the
//! generated JavaScript calls [`hydrate`] once the server-rendered page loads.

/// Takes over the server-rendered page, attaching reactivity and event
/// handlers to the existing DOM instead of re-rendering it.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
