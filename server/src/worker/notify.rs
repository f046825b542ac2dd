//! Emailing followers: the fan-out and the sending (see
//! [`app::ssr::notifications`] for how the two divide the work).

use app::ssr::{
    jobs::{self, ClaimedJob, Queue},
    notifications::{FanOut, SendNotifications},
};
use futures::StreamExt as _;
use lettre::{Address, message::Mailbox};
use tokio::sync::watch;

use super::context::{Context, Outcome};
use crate::mail::{self, SendError};

/// Records who is owed an email, a batch at a time, queuing one
/// [`SendNotifications`] per batch. Each batch commits with the cursor, so
/// an interrupted fan-out resumes after the last batch it recorded.
pub(super) async fn fan_out(
    context: &Context,
    queue: &Queue,
    job: &ClaimedJob,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let mut task: FanOut = serde_json::from_value(job.payload.clone())?;
    let author = sqlx::query_scalar!(
        "SELECT user_id FROM articles WHERE id = $1 AND created_at = $2 AND status = 'published'",
        task.article_id,
        task.created_at
    )
    .fetch_optional(&context.db)
    .await?;
    let Some(author) = author else {
        // Deleted or unpublished since: nobody is told.
        return Ok(Outcome::Done);
    };
    loop {
        if *stop.borrow() {
            return Ok(Outcome::Interrupted);
        }
        let mut tx = context.db.begin().await?;
        let batch = sqlx::query_scalar!(
            "SELECT follower_id FROM follows
             WHERE author_id = $1 AND notify AND follower_id > $2
             ORDER BY follower_id LIMIT $3",
            author,
            task.after,
            context.settings.batch
        )
        .fetch_all(&mut *tx)
        .await?;
        let Some(&last) = batch.last() else {
            return Ok(Outcome::Done);
        };
        sqlx::query!(
            "INSERT INTO notifications (article_id, recipient_id)
             SELECT $1, recipient FROM unnest($2::bigint[]) AS recipient
             ON CONFLICT (article_id, recipient_id) DO NOTHING",
            task.article_id,
            &batch
        )
        .execute(&mut *tx)
        .await?;
        jobs::enqueue(
            &mut *tx,
            &SendNotifications {
                article_id: task.article_id,
                created_at: task.created_at,
                after: task.after,
                through: last,
            },
        )
        .await?;
        task.after = last;
        if !queue
            .save_progress(&mut *tx, job, &serde_json::to_value(&task)?)
            .await?
        {
            return Ok(Outcome::Lost);
        }
        tx.commit().await?;
    }
}

/// The article as an email shows it.
struct Story {
    slug: String,
    title: String,
    description: String,
    author_id: i64,
    author: String,
}

/// Sends the batch's emails that are still owed, a few at a time, marking
/// each the moment the mail server accepts it. Recipients who have since
/// unfollowed or unsubscribed are skipped. A transient failure fails the
/// job after the rest of the batch is tried, so its retry sends only what
/// is still owed.
pub(super) async fn send(context: &Context, job: &ClaimedJob, stop: watch::Receiver<bool>) -> anyhow::Result<Outcome> {
    let task: SendNotifications = serde_json::from_value(job.payload.clone())?;
    let story = sqlx::query_as!(
        Story,
        "SELECT a.slug, a.title, a.description, a.user_id AS author_id, u.username AS author
         FROM articles a JOIN users u ON u.id = a.user_id
         WHERE a.id = $1 AND a.created_at = $2 AND a.status = 'published'",
        task.article_id,
        task.created_at
    )
    .fetch_optional(&context.db)
    .await?;
    let Some(story) = story else {
        return Ok(Outcome::Done);
    };
    let recipients = sqlx::query!(
        "SELECT n.recipient_id, u.username, u.email
         FROM notifications n
         JOIN users u ON u.id = n.recipient_id
         JOIN follows f ON f.follower_id = n.recipient_id AND f.author_id = $4 AND f.notify
         WHERE n.article_id = $1 AND n.recipient_id > $2 AND n.recipient_id <= $3
           AND n.sent_at IS NULL AND n.refused IS NULL
         ORDER BY n.recipient_id",
        task.article_id,
        task.after,
        task.through,
        story.author_id
    )
    .fetch_all(&context.db)
    .await?;

    let owed = recipients.len();
    let url = format!("{}/articles/{}", context.public_url, story.slug);
    let sending = Sending {
        context,
        story: &story,
        url: &url,
        article_id: task.article_id,
        job: job.id,
        claim: job.token,
    };
    let results: Vec<Result<(), anyhow::Error>> = futures::stream::iter(recipients)
        .take_while(|_| std::future::ready(!*stop.borrow()))
        .map(|recipient| send_one(&sending, recipient.recipient_id, recipient.username, recipient.email))
        .buffer_unordered(context.settings.mail_concurrency)
        .collect()
        .await;

    let tried = results.len();
    let mut failures = results.into_iter().filter_map(Result::err);
    if let Some(first) = failures.next() {
        let more = failures.count();
        return Err(first.context(format!("{} of {tried} emails not sent", more + 1)));
    }
    if tried < owed {
        return Ok(Outcome::Interrupted);
    }
    Ok(Outcome::Done)
}

/// What every email of one sending job shares.
struct Sending<'a> {
    context: &'a Context,
    story: &'a Story,
    /// The article's absolute URL.
    url: &'a str,
    article_id: i64,
    /// The sending job.
    job: i64,
    /// The job's claim token, which claims each email while it is sent.
    claim: uuid::Uuid,
}

async fn send_one(sending: &Sending<'_>, recipient_id: i64, username: String, email: String) -> anyhow::Result<()> {
    let Sending {
        context,
        story,
        url,
        article_id,
        job,
        claim,
    } = *sending;
    let address = match email.parse::<Address>() {
        Ok(address) => address,
        Err(error) => return refuse(context, article_id, recipient_id, &format!("not an address: {error}")).await,
    };
    // Claim this email for this job's claim, so that no other sending job
    // covering this reader sends it meanwhile (and none once it is sent).
    // Another job's claim counts while that job's lease lasts; so this
    // job claims only while a third of its own lease is left, time enough
    // to send and record before another worker could take the job.
    let claimed = sqlx::query!(
        "UPDATE notifications n SET claimed_by = $3
         WHERE n.article_id = $1 AND n.recipient_id = $2 AND n.sent_at IS NULL AND n.refused IS NULL
           AND (n.claimed_by IS NULL OR n.claimed_by = $3 OR NOT EXISTS (
                SELECT 1 FROM jobs j
                WHERE j.lock_token = n.claimed_by AND j.state = 'running' AND j.locked_until > now()))
           AND EXISTS (
                SELECT 1 FROM jobs j
                WHERE j.id = $4 AND j.lock_token = $3 AND j.state = 'running'
                  AND j.locked_until > now() + make_interval(secs => $5))",
        article_id,
        recipient_id,
        claim,
        job,
        context.settings.lease.as_secs_f64() / 3.0
    )
    .execute(&context.db)
    .await?;
    if claimed.rows_affected() == 0 {
        let settled = sqlx::query_scalar!(
            r#"SELECT (sent_at IS NOT NULL OR refused IS NOT NULL) AS "settled!"
               FROM notifications WHERE article_id = $1 AND recipient_id = $2"#,
            article_id,
            recipient_id
        )
        .fetch_optional(&context.db)
        .await?;
        if settled == Some(false) {
            // Another job is sending it (if that job's worker died, a later
            // attempt of this one sends it once that lease runs out), or
            // this job's lease is running out.
            anyhow::bail!("reader {recipient_id} is being emailed by another job, or this job's lease is running out");
        }
        return Ok(());
    }
    let unsubscribe_url = format!(
        "{}/unsubscribe/{}",
        context.public_url,
        context.signer.unsubscribe_token(recipient_id, story.author_id)
    );
    let message = mail::new_article_message(
        &context.from,
        &mail::NewArticle {
            recipient: Mailbox::new(Some(username), address),
            author: &story.author,
            title: &story.title,
            description: &story.description,
            url,
            unsubscribe_url: &unsubscribe_url,
            message_id: format!("<article-{article_id}.reader-{recipient_id}@{}>", context.mail_host()),
        },
    )?;
    match context.mailer.send(message).await {
        Ok(()) => {
            // The one moment a duplicate could arise: the server accepted
            // the message and this worker dies before this update. The
            // Message-ID is the same on a retry, so mail systems can tell.
            // Recording it must not give up easily: an accepted email left
            // unrecorded is sent again by the retry.
            let mut tries = 0;
            loop {
                let marked = sqlx::query!(
                    "UPDATE notifications SET sent_at = now(), claimed_by = NULL
                     WHERE article_id = $1 AND recipient_id = $2",
                    article_id,
                    recipient_id
                )
                .execute(&context.db)
                .await;
                match marked {
                    Ok(_) => return Ok(()),
                    Err(error) if tries >= 20 => return Err(error.into()),
                    Err(error) => {
                        tries += 1;
                        tracing::warn!(%error, recipient_id, "could not record a sent email yet; trying again");
                        tokio::time::sleep(std::time::Duration::from_millis(250 * tries)).await;
                    }
                }
            }
        }
        Err(SendError::Permanent(reason)) => refuse(context, article_id, recipient_id, &reason).await,
        Err(SendError::Transient(reason)) => {
            // Free it for the retry at once.
            sqlx::query!(
                "UPDATE notifications SET claimed_by = NULL WHERE article_id = $1 AND recipient_id = $2",
                article_id,
                recipient_id
            )
            .execute(&context.db)
            .await?;
            anyhow::bail!("sending to reader {recipient_id}: {reason}")
        }
    }
}

/// Records that the mail server refused this recipient for good.
async fn refuse(context: &Context, article_id: i64, recipient_id: i64, reason: &str) -> anyhow::Result<()> {
    tracing::warn!(
        article_id,
        recipient_id,
        reason,
        "an email was refused for good; not trying again"
    );
    sqlx::query!(
        "UPDATE notifications SET refused = $3, claimed_by = NULL WHERE article_id = $1 AND recipient_id = $2",
        article_id,
        recipient_id,
        reason
    )
    .execute(&context.db)
    .await?;
    Ok(())
}
