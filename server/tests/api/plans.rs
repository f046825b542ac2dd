//! The plans Postgres ran, as the real query functions ran them:
//! `auto_explain`, loaded on one connection, sends each statement's plan
//! (JSON, with each node's loop count) back as a notice, and a tracing
//! layer keeps the notices of the current thread.

use std::sync::{Arc, Mutex};

use sqlx::{Executor as _, PgPool, postgres::PgPoolOptions};
use tracing_subscriber::layer::SubscriberExt as _;

/// The notices of the current thread, kept (a test's runtime runs
/// everything on its thread).
#[derive(Clone, Default)]
struct Notices(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Notices {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message<'a>(&'a mut String);
        impl tracing::field::Visit for Message<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    *self.0 = format!("{value:?}");
                }
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "message" {
                    *self.0 = value.to_owned();
                }
            }
        }
        if event.metadata().target() == "sqlx::postgres::notice" {
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            self.0.lock().unwrap().push(message);
        }
    }
}

/// A one-connection pool on `url` whose statements report their plans, with
/// `settings` (more `SET`s, or nothing) applied after auto_explain's.
pub(crate) async fn explaining(url: &str, settings: &'static str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute(
                    "LOAD 'auto_explain';
                     SET auto_explain.log_min_duration = 0;
                     SET auto_explain.log_analyze = on;
                     SET auto_explain.log_timing = off;
                     SET auto_explain.log_format = 'json';
                     SET auto_explain.log_level = 'notice';
                     SET jit = off",
                )
                .await?;
                if !settings.is_empty() {
                    conn.execute(settings).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .expect("connect with auto_explain")
}

/// Runs `query` (on a pool from [`explaining`]) and returns its output and
/// the plan of every statement it ran, in order: auto_explain's JSON, whose
/// `"Query Text"` is the statement and `"Plan"` its root node.
pub(crate) async fn ran<F: std::future::Future>(query: F) -> (F::Output, Vec<serde_json::Value>) {
    let notices = Notices::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(notices.clone()));
    let output = query.await;
    let plans = notices
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|notice| {
            let start = notice.find('{')?;
            Some(serde_json::from_str(&notice[start..]).expect("a JSON plan"))
        })
        .collect();
    (output, plans)
}

/// Every node of `plan` (a plan's `"Plan"`), depth first.
pub(crate) fn nodes(plan: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut found = vec![plan];
    for child in plan["Plans"].as_array().into_iter().flatten() {
        found.extend(nodes(child));
    }
    found
}
