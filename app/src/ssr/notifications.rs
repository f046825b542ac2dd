//! The jobs that email followers when an author publishes.
//!
//! Publishing queues one [`FanOut`] in its own transaction. The fan-out
//! records who is owed an email (`notifications`, one row per article and
//! recipient) a batch at a time, and queues one [`SendNotifications`] per
//! batch, each batch in one transaction with the fan-out's cursor, so a
//! fan-out interrupted anywhere resumes where it stopped. Sending marks each
//! row the moment the mail server accepts the message; a retried batch sends
//! only the rows still unmarked. The workers live in the `warta` binary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use crate::ssr::jobs::{self, Task};

/// Record and queue the emails for a newly published article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanOut {
    pub article_id: i64,
    /// The article's partition key.
    pub created_at: DateTime<Utc>,
    /// The last follower id already recorded (the cursor); 0 at first.
    #[serde(default)]
    pub after: i64,
}

impl Task for FanOut {
    const KIND: &'static str = "fan_out";
}

/// Send the recorded emails for one batch of recipients: ids in
/// `(after, through]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendNotifications {
    pub article_id: i64,
    pub created_at: DateTime<Utc>,
    pub after: i64,
    pub through: i64,
}

impl Task for SendNotifications {
    const KIND: &'static str = "send_notifications";
}

/// Queues the notifications for an article that has just been published,
/// inside the publishing transaction `tx`.
pub async fn on_publish(tx: impl PgExecutor<'_>, article_id: i64, created_at: DateTime<Utc>) -> sqlx::Result<()> {
    jobs::enqueue(
        tx,
        &FanOut {
            article_id,
            created_at,
            after: 0,
        },
    )
    .await?;
    Ok(())
}
