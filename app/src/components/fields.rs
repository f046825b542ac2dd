//! A form's pieces shared by the account pages: a labelled input with its
//! message, a message for the whole form, and the refusal an action came
//! back with.

use leptos::prelude::*;

use crate::forms::FormError;

/// The refusal an action came back with, if any.
pub fn refusal<T>(action: ServerAction<T>) -> impl Fn() -> Option<FormError> + Copy
where
    T: leptos::server_fn::ServerFn<Error = FormError> + Clone + Send + Sync + 'static,
    T::Output: Send + Sync + Clone,
{
    move || action.value().get().and_then(Result::err)
}

/// One labelled input with its message.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(into)] autocomplete: String,
    #[prop(default = None)] value: Option<String>,
    #[prop(default = None)] message: Option<String>,
    #[prop(default = None)] hint: Option<String>,
    #[prop(default = None)] maxlength: Option<usize>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let described = format!("{id}-note");
    let invalid = message.is_some();
    view! {
        <div class="mt-5">
            <label for=id.clone() class="block text-sm font-medium">{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                maxlength=maxlength
                required=required
                aria-invalid=invalid.then_some("true")
                aria-describedby=described.clone()
                class="field mt-1"
            />
            <p id=described class="mt-1 text-sm" class:text-danger=invalid class:text-muted=!invalid>
                {message.or(hint)}
            </p>
        </div>
    }
}

/// A message for the whole form.
#[component]
pub fn FormNotice(message: Option<String>) -> impl IntoView {
    message.map(|message| view! { <p role="alert" class="notice mt-4">{message}</p> })
}
