//! Work the web process does on a timer, beside serving requests.

use std::time::Duration;

use app::ssr::{AppState, views};
use tokio::sync::watch;

/// Moves counted views from Redis to Postgres every `interval`, and once
/// more when `stop` fires, so a clean shutdown loses no counts.
pub fn spawn_view_flusher(
    state: AppState,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    // Names this process's in-progress batch (see `views::flush`).
    let instance = uuid::Uuid::new_v4().simple().to_string();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let stopping = tokio::select! {
                _ = ticks.tick() => false,
                _ = stop.changed() => true,
            };
            match views::flush(&state.db, &state.cache, &instance).await {
                Ok(0) => {}
                Ok(articles) => tracing::debug!(articles, "flushed view counts"),
                Err(error) => tracing::warn!(%error, "flushing view counts failed; will retry"),
            }
            if stopping {
                break;
            }
        }
    })
}

/// Builds the listing's seek anchors in the background at start, so the
/// first reader of a deep page does not wait for them.
pub fn warm_listing_index(state: &AppState) {
    let (index, db) = (state.latest.clone(), state.db.clone());
    tokio::spawn(async move {
        if let Err(error) = index.rebuild(&db).await {
            tracing::warn!(%error, "could not build the listing's seek anchors yet; the first deep page will");
        }
    });
}

/// Deletes expired API tokens and account links every hour (and once at
/// start), by `clock`'s time: a token stops working at its expiry either
/// way, but nothing a stranger could one day read should be kept past it.
pub fn spawn_expiry_cleanup(db: sqlx::PgPool, clock: app::ssr::clock::Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            every_hour.tick().await;
            match app::ssr::recovery::delete_expired(&db, &clock).await {
                Ok((0, 0)) => {}
                Ok((links, tokens)) => tracing::info!(links, tokens, "deleted expired links and API tokens"),
                Err(error) => tracing::warn!(%error, "deleting expired links and API tokens failed; will retry"),
            }
        }
    })
}
