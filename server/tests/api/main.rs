//! Integration tests: the real application on port 0, against real Postgres
//! and Redis, one fresh database per test.

mod accounts;
mod article;
mod articles_api;
mod assets;
mod auth;
mod author;
mod caching;
mod comments;
mod covers;
mod editor;
mod favorites;
mod feeds;
mod following;
mod health;
mod helpers;
mod home;
mod hostile;
mod json_api;
mod languages;
mod lifecycle;
mod listing;
mod metrics;
mod notifications;
mod observability;
mod partitions;
mod popular;
mod replicas;
mod schema;
mod search;
mod security;
mod seed;
mod smtp;
mod sweep;
mod tags;
mod users_api;
