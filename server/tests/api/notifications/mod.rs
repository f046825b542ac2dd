//! Background jobs end to end: publishing emails followers through a real
//! SMTP server, one-click unsubscribe, retries and dead jobs, and workers
//! stopped or killed in the middle of a 10,000-follower fan-out.

mod emails;
mod fan_out;
mod queue;

use std::time::Duration;

use sqlx::PgPool;

use crate::helpers::eventually;

async fn jobs_left(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM jobs")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits until the queue is empty (every job done).
async fn drained(db: &PgPool, timeout: Duration) {
    eventually(timeout, "the queue empties", async || match jobs_left(db).await {
        0 => Ok(()),
        left => Err(format!("{left} jobs")),
    })
    .await;
}
