//! Emailing followers: the fan-out and the sending (see
//! [`app::ssr::notifications`] for how the two divide the work).

use app::ssr::{
    jobs::{self, ClaimedJob, Queue},
    notifications::{FanOut, SendNotifications},
    queries::{
        self,
        notifications::{Recipient, Story},
    },
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
    let author = queries::notifications::published_author(&context.db, task.article_id, task.created_at).await?;
    let Some(author) = author else {
        // Deleted or unpublished since: nobody is told.
        return Ok(Outcome::Done);
    };
    loop {
        if *stop.borrow() {
            return Ok(Outcome::Interrupted);
        }
        let mut tx = context.db.begin().await?;
        let batch = queries::follows::notified_after(&mut *tx, author, task.after, context.settings.batch).await?;
        let Some(&last) = batch.last() else {
            return Ok(Outcome::Done);
        };
        queries::notifications::record(&mut *tx, task.article_id, &batch).await?;
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

/// Sends the batch's emails that are still owed, a few at a time, marking
/// each the moment the mail server accepts it. Recipients who have since
/// unfollowed or unsubscribed are skipped. A transient failure fails the
/// job after the rest of the batch is tried, so its retry sends only what
/// is still owed.
pub(super) async fn send(context: &Context, job: &ClaimedJob, stop: watch::Receiver<bool>) -> anyhow::Result<Outcome> {
    let task: SendNotifications = serde_json::from_value(job.payload.clone())?;
    let story = queries::notifications::story(&context.db, task.article_id, task.created_at).await?;
    let Some(story) = story else {
        return Ok(Outcome::Done);
    };
    let recipients =
        queries::notifications::owed(&context.db, task.article_id, task.after, task.through, story.author_id).await?;

    let owed = recipients.len();
    let sending = Sending {
        context,
        story: &story,
        article_id: task.article_id,
        job: job.id,
        claim: job.token,
    };
    let results: Vec<Result<(), anyhow::Error>> = futures::stream::iter(recipients)
        .take_while(|_| std::future::ready(!*stop.borrow()))
        .map(|recipient| send_one(&sending, recipient))
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
    article_id: i64,
    /// The sending job.
    job: i64,
    /// The job's claim token, which claims each email while it is sent.
    claim: uuid::Uuid,
}

async fn send_one(sending: &Sending<'_>, recipient: Recipient) -> anyhow::Result<()> {
    let Recipient {
        recipient_id,
        username,
        email,
        locale,
    } = recipient;
    let Sending {
        context,
        story,
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
    let claimed = queries::notifications::claim(
        &context.db,
        article_id,
        recipient_id,
        claim,
        job,
        context.settings.lease.as_secs_f64() / 3.0,
    )
    .await?;
    if !claimed {
        let settled = queries::notifications::settled(&context.db, article_id, recipient_id).await?;
        if settled == Some(false) {
            // Another job is sending it (if that job's worker died, a later
            // attempt of this one sends it once that lease runs out), or
            // this job's lease is running out.
            anyhow::bail!("reader {recipient_id} is being emailed by another job, or this job's lease is running out");
        }
        return Ok(());
    }
    // Links to the pages in the reader's language.
    let url = format!(
        "{}{}",
        context.public_url,
        locale.href(&format!("/articles/{}", story.slug))
    );
    let unsubscribe_url = format!(
        "{}{}",
        context.public_url,
        locale.href(&format!(
            "/unsubscribe/{}",
            context.signer.unsubscribe_token(recipient_id, story.author_id)
        ))
    );
    let message = mail::new_article_message(
        &context.from,
        &mail::NewArticle {
            recipient: Mailbox::new(Some(username), address),
            locale,
            author: &story.author,
            title: &story.title,
            description: &story.description,
            url: &url,
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
                let marked = queries::notifications::mark_sent(&context.db, article_id, recipient_id).await;
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
            queries::notifications::unclaim(&context.db, article_id, recipient_id).await?;
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
    queries::notifications::refuse(&context.db, article_id, recipient_id, reason).await?;
    Ok(())
}
