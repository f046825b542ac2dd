//! The query layer: one module per aggregate, shared by the server functions
//! behind the pages and by the JSON API.

pub mod articles;
pub mod redis;
pub mod users;
