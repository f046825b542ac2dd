//! HTTP plumbing around the pages, in two folders by what a module is:
//!
//! - [`middleware`]: the layers a request passes through on its way to a
//!   handler (request ids and tracing, security headers and CSRF, body and
//!   rate limits, sessions, HTTP caching and the front door's language),
//!   and the pieces only they use (the reader's address behind trusted
//!   proxies, the page markup the security layer tidies).
//! - [`routes`]: handlers that answer a request themselves (static assets,
//!   health checks, feeds and sitemaps, the editor's plain form posts,
//!   unsubscribing, the view pixel) and rendering a page outside the Leptos
//!   routes.
//!
//! - [`serve`]: the accept loop, with the connection deadlines (header
//!   read, idle, body read) `axum::serve` has no knobs for.
//!
//! Routes may use what middleware puts on a request (the reader's address,
//! the script mark); middleware never imports a route.

pub mod middleware;
pub mod routes;
pub mod serve;
