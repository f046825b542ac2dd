//! HTTP plumbing around the pages: health checks, static assets, HTTP
//! caching, security (CSRF, headers), the view pixel, request tracing and
//! compression.

pub mod assets;
pub mod caching;
pub mod client;
pub mod editor_form;
pub mod feeds;
pub mod health;
pub mod language;
pub mod limits;
pub mod markup;
pub mod rate_limit;
pub mod render;
pub mod security;
pub mod sessions;
pub mod trace;
pub mod unsubscribe;
pub mod views;
