//! HTTP plumbing around the pages: health checks, static assets, request
//! tracing and compression.

pub mod assets;
pub mod health;
pub mod trace;
