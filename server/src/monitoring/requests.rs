//! Counting requests: a counter and a latency histogram, labelled by
//! method, route pattern and status.
//!
//! A tower layer of its own rather than `middleware::from_fn`: it calls the
//! service below it in place instead of cloning the stack on every request
//! (see the middleware notes in `startup::router`).

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use axum::{
    extract::MatchedPath,
    http::{Method, Request, Response},
};
use tower::{Layer, Service};

use super::names::{HTTP_DURATION, HTTP_REQUESTS};

/// The `route` of a request no route matched: a public file, a bundle file
/// or a 404. Never the path itself, which anyone can make up, so the number
/// of series stays bounded.
pub const UNMATCHED: &str = "unmatched";

/// Counts every request below it, once its response is ready.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountRequests;

impl<S> Layer<S> for CountRequests {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted { inner }
    }
}

/// A service whose requests are counted.
#[derive(Debug, Clone)]
pub struct Counted<S> {
    inner: S,
}

impl<S, B, Body> Service<Request<B>> for Counted<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    Body: 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let method = method_label(request.method());
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or(UNMATCHED, MatchedPath::as_str)
            .to_owned();
        let started = Instant::now();
        let answering = self.inner.call(request);
        Box::pin(async move {
            let response = answering.await?;
            let seconds = started.elapsed().as_secs_f64();
            let status = response.status().as_u16().to_string();
            metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone(), "status" => status.clone())
                .record(seconds);
            metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
            Ok(response)
        })
    }
}

/// The method as a label: the standard ones by name, anything else (which
/// a client can make up) as `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND").unwrap()), "OTHER");
    }
}
