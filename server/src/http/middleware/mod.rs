//! The layers around the routes (see [`crate::http`]).

pub mod caching;
pub mod canonical;
pub mod client;
pub mod form_errors;
pub mod language;
pub mod limits;
pub mod markup;
pub mod rate_limit;
pub mod security;
pub mod sessions;
pub mod trace;
