//! Emailing an account about itself: the reset and verification links
//! ([`app::ssr::recovery::SendLink`]) and the notices that a password or an
//! address changed ([`app::ssr::recovery::SendNotice`]).
//!
//! A link's token is made here, as the email is sent, and stored hashed
//! (see [`app::ssr::recovery`]); a retry makes a new one, which replaces
//! the last. An address that is not verified is sent nothing but its links.

use app::{
    i18n::Locale,
    ssr::{
        jobs::ClaimedJob,
        queries::{self, links::Purpose},
        recovery::{self, Notice, SendLink, SendNotice},
    },
};
use lettre::{Address, message::Mailbox};

use super::context::{Context, Outcome};
use crate::mail::{self, AccountLink, AccountNotice, SendError};

/// Sends the link a [`SendLink`] asks for, if there is still someone to
/// send it to: a reset goes to the account that has the address (none, and
/// nothing is sent: whoever asked is told the same either way); a
/// verification goes to its address while that is still the account's
/// address or pending address.
pub(super) async fn send_link(context: &Context, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let task: SendLink = serde_json::from_value(job.payload.clone())?;
    let recipient = match (task.purpose, task.user_id) {
        (Purpose::Reset, _) => queries::accounts::link_recipient(&context.db, &task.email).await?,
        (Purpose::Verify, Some(id)) => {
            let account = queries::accounts::by_id(&context.db, id).await?;
            account
                .filter(|account| {
                    let wanted = task.email.to_lowercase();
                    account.email.to_lowercase() == wanted
                        || account.pending_email.as_deref().map(str::to_lowercase) == Some(wanted)
                })
                .map(|account| queries::accounts::LinkRecipient {
                    id: account.id,
                    username: account.username,
                    email: task.email.clone(),
                    email_verified: account.email_verified,
                    locale: account.locale,
                })
        }
        (Purpose::Verify, None) => None,
    };
    let Some(recipient) = recipient else {
        return Ok(Outcome::Done);
    };
    let Ok(address) = recipient.email.parse::<Address>() else {
        tracing::warn!(
            job = job.id,
            "not sending a link to an address the mail library refuses"
        );
        return Ok(Outcome::Done);
    };
    let token = recovery::issue(
        &context.db,
        &context.clock,
        recipient.id,
        task.purpose,
        &recipient.email,
    )
    .await?;
    let locale = Locale::from_code(&task.locale);
    let page = match task.purpose {
        Purpose::Reset => "reset-password",
        Purpose::Verify => "verify-email",
    };
    let url = format!("{}{}", context.public_url, locale.href(&format!("/{page}/{token}")));
    let message = mail::account_link_message(
        &context.from,
        &AccountLink {
            recipient: Mailbox::new(Some(recipient.username.clone()), address),
            locale,
            username: &recipient.username,
            purpose: task.purpose,
            email: &recipient.email,
            url: &url,
            message_id: format!(
                "<{}-{}.job-{}.try-{}@{}>",
                task.purpose.as_str(),
                recipient.id,
                job.id,
                job.attempts,
                context.mail_host()
            ),
        },
    )?;
    deliver(context, message).await
}

/// Sends the notice a [`SendNotice`] asks for, to a verified address: the
/// account's (a new password) or the one it had (a new address).
pub(super) async fn send_notice(context: &Context, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let task: SendNotice = serde_json::from_value(job.payload.clone())?;
    let Some(account) = queries::accounts::link_recipient_by_id(&context.db, task.user_id).await? else {
        return Ok(Outcome::Done);
    };
    let to = match &task.notice {
        Notice::PasswordChanged if account.email_verified => account.email.clone(),
        Notice::EmailChanged {
            old,
            old_verified: true,
            ..
        } => old.clone(),
        _ => return Ok(Outcome::Done),
    };
    let Ok(address) = to.parse::<Address>() else {
        return Ok(Outcome::Done);
    };
    let locale = Locale::from_code(&account.locale);
    let forgot_url = format!("{}{}", context.public_url, locale.href("/forgot-password"));
    let message = mail::account_notice_message(
        &context.from,
        &AccountNotice {
            recipient: Mailbox::new(Some(account.username.clone()), address),
            locale,
            username: &account.username,
            notice: &task.notice,
            forgot_url: &forgot_url,
            message_id: format!("<notice-{}.job-{}@{}>", account.id, job.id, context.mail_host()),
        },
    )?;
    deliver(context, message).await
}

/// Hands `message` to the mail server: a refusal for good ends the job (the
/// address takes no mail), anything else is retried.
async fn deliver(context: &Context, message: lettre::Message) -> anyhow::Result<Outcome> {
    match context.mailer.send(message).await {
        Ok(()) => Ok(Outcome::Done),
        Err(SendError::Permanent(reason)) => {
            tracing::warn!(%reason, "the mail server refused an account email for good");
            Ok(Outcome::Done)
        }
        Err(SendError::Transient(reason)) => anyhow::bail!("sending an account email failed: {reason}"),
    }
}
