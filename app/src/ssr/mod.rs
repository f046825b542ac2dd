//! Server-only code: application state, the query layer, and the caching
//! and counting around it.

pub mod accounts;
pub mod cache;
pub mod covers;
pub mod database;
pub mod jobs;
pub mod markdown;
pub mod notifications;
pub mod pagination;
pub mod publishing;
pub mod queries;
pub mod reading;
pub mod redis;
pub mod session;
mod state;
pub mod tokens;
pub mod views;

pub use state::{AppState, Shared};
