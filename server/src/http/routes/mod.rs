//! The handlers outside the Leptos routes and the JSON API (see
//! [`crate::http`]).

pub mod assets;
pub mod editor_form;
pub mod feeds;
pub mod health;
pub mod render;
pub mod unsubscribe;
pub mod views;
