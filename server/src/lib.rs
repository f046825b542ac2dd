//! The Warta server: configuration, start-up, HTTP middleware, the command
//! line, database maintenance, metrics and the demo-data seeder.
//!
//! `main.rs` only parses arguments; everything here is a library so that the
//! integration tests start the real application on port 0.

pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod imaging;
pub mod json_api;
pub mod mail;
pub mod media;
pub mod monitoring;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod upkeep;
pub mod worker;
