//! What a job handler works against: the [`Context`] it is given and the
//! [`Outcome`] it reports.
//!
//! Kept apart from the job loop in `worker/mod.rs` (claiming, leases,
//! dispatch), which depends on the handlers: handlers depend on this
//! contract only, and cannot reach into the loop's lease handling.

use app::ssr::{Media, cache::Cache, clock::Clock, tokens::Signer};
use lettre::message::Mailbox;
use sqlx::PgPool;

use crate::{config::WorkerSettings, mail::Mailer};

/// What jobs need.
#[derive(Debug)]
pub struct Context {
    pub db: PgPool,
    pub mailer: Mailer,
    /// `WARTA_MAIL_FROM`.
    pub from: Mailbox,
    /// Where readers reach the site, for links in email.
    pub public_url: String,
    pub signer: Signer,
    pub settings: WorkerSettings,
    /// Cover images.
    pub media: Media,
    /// The cache, to forget an article whose cover copies are ready.
    pub cache: Cache,
    /// Cover images are resized one at a time: each may take a few hundred
    /// MB while it is decoded.
    pub image_work: tokio::sync::Semaphore,
    /// The time, as links' expiry reads it.
    pub clock: Clock,
}

impl Context {
    /// What jobs need, from `settings`; `public_url` is where readers reach
    /// the site.
    pub fn new(
        settings: &crate::config::Settings,
        db: PgPool,
        public_url: String,
        media: Media,
        cache: Cache,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            clock,
            media,
            cache,
            image_work: tokio::sync::Semaphore::new(1),
            db,
            mailer: Mailer::new(&settings.mail)?,
            from: settings.mail.from.clone(),
            public_url,
            signer: Signer::new(settings.secret.expose()),
            settings: settings.worker.clone(),
        })
    }

    /// The host part of Message-IDs.
    pub(super) fn mail_host(&self) -> &str {
        self.from.email.domain()
    }
}

/// How a job's run ended, short of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Finished: the job is deleted.
    Done,
    /// Stopped at a safe point because the worker is stopping: the job goes
    /// back to the queue, this attempt not counted.
    Interrupted,
    /// The lease was lost to another worker: leave the job to it.
    Lost,
}
