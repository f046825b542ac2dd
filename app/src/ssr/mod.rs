//! Server-only code: application state and the query layer.

pub mod markdown;
pub mod queries;
mod state;

pub use state::AppState;
