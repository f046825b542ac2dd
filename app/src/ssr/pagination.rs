//! Numbered pages of the latest-articles listing that cost the same at page
//! 10,000 as at page 1.
//!
//! `OFFSET n` reads and throws away `n` index entries: page 10,000 of 20
//! reads 200,000 of them, a hundred times the work of page 1. Keyset (seek)
//! pagination reads only the page, but it moves one page at a time from a
//! cursor; readers (and the RealWorld API's `offset`) ask for page numbers.
//!
//! So we keep a sparse index of *seek anchors*: the sort key of every
//! `stride`-th published article, newest first, read in one background pass.
//! A page at `offset` seeks to the nearest anchor at or before it and skips
//! fewer than `stride` rows from there: at most `stride + limit` index
//! entries whatever the page. A deferred join would still walk the skipped
//! entries; the anchors let the index do the walking once, ahead of time.
//!
//! New articles are published at `now()`, so they all sort before the
//! anchors. Counting the articles newer than the first anchor (a short index
//! range) says how far every position has shifted, and the shifted offset
//! finds the right anchor: page links stay correct while articles arrive.
//! Articles removed between rebuilds can move a page by as many rows as were
//! removed above it, until the next rebuild ([`REBUILD_AFTER`]).

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sqlx::PgPool;

use crate::{
    model::ArticleSummary,
    ssr::queries::{
        QueryError,
        articles::{self, SortKey},
    },
};

/// One anchor per this many articles: a page skips at most this many rows.
pub const STRIDE: i64 = 1000;

/// How old the anchors may grow before a request rebuilds them in the
/// background (serving the old ones meanwhile).
pub const REBUILD_AFTER: Duration = Duration::from_secs(10 * 60);

/// The anchors as read at one moment.
#[derive(Debug)]
struct Anchors {
    /// Sort keys of the articles at positions 0, stride, 2 × stride…
    keys: Vec<SortKey>,
    /// How many articles were published then.
    total: i64,
    built: Instant,
}

/// A page of the listing and the size of the whole listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    pub articles: Vec<ArticleSummary>,
    /// Published articles in all, as of this page.
    pub total: i64,
}

/// A page with nothing on it (a listing with nothing in it, or a page past
/// its end) is kept only briefly (see [`crate::ssr::cache::ABSENT`]).
impl crate::ssr::cache::Found for Page {
    fn found(&self) -> bool {
        !self.articles.is_empty()
    }
}

/// The seek anchors of the latest-articles listing, shared by every request
/// on this instance.
#[derive(Debug)]
pub struct LatestIndex {
    stride: i64,
    anchors: RwLock<Option<Arc<Anchors>>>,
    /// Held while the anchors are being rebuilt: one rebuild at a time.
    rebuilding: Arc<tokio::sync::Mutex<()>>,
}

impl Default for LatestIndex {
    fn default() -> Self {
        Self::new(STRIDE)
    }
}

impl LatestIndex {
    /// An empty index with one anchor every `stride` articles; built on
    /// first use.
    pub fn new(stride: i64) -> Self {
        assert!(stride > 0, "the stride must be positive");
        Self {
            stride,
            anchors: RwLock::new(None),
            rebuilding: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// `limit` articles from position `offset` (0-based, newest first), and
    /// the total. Two queries: the count of articles newer than the anchors,
    /// and the page itself.
    pub async fn page(self: &Arc<Self>, db: &PgPool, offset: i64, limit: i64) -> Result<Page, QueryError> {
        let anchors = self.anchors(db).await?;
        let newer = match anchors.keys.first() {
            Some(&top) => articles::count_published_newer_than(db, top).await?,
            // Nothing was published when the anchors were read.
            None => articles::count_published(db).await?,
        };
        let total = anchors.total + newer;
        // Every article of the page was published no earlier than the
        // anchor a stride past the page's end (a stride more than needed,
        // in case up to a stride of articles above it were removed since
        // the anchors were read): that bounds which partitions are read.
        let at = offset.saturating_sub(newer).max(0);
        let floor = usize::try_from(at.saturating_add(limit) / self.stride + 2)
            .ok()
            .and_then(|index| anchors.keys.get(index))
            .map(|key| key.0);
        let anchors = &anchors;
        let read = |floor| async move {
            match offset.checked_sub(newer) {
                // Near the top: a plain offset reads no more than a seek would.
                Some(at) if at >= self.stride => {
                    let anchor = usize::try_from(at / self.stride)
                        .unwrap_or(usize::MAX)
                        .min(anchors.keys.len().saturating_sub(1));
                    let skip = at - anchor as i64 * self.stride;
                    match anchors.keys.get(anchor) {
                        Some(&key) => articles::latest_published_from(db, key, limit, skip, floor).await,
                        None => articles::latest_published(db, limit, offset, floor).await,
                    }
                }
                _ => articles::latest_published(db, limit, offset, floor).await,
            }
        };
        let mut articles = read(floor).await?;
        // A short page that is not the last: more articles were removed
        // above the floor than it allows for. Read it again without one.
        if floor.is_some() && (articles.len() as i64) < limit && offset + (articles.len() as i64) < total {
            articles = read(None).await?;
        }
        Ok(Page { articles, total })
    }

    /// Reads the anchors afresh and replaces the current ones.
    pub async fn rebuild(&self, db: &PgPool) -> Result<(), QueryError> {
        let _one_at_a_time = self.rebuilding.lock().await;
        self.build(db).await.map(|_| ())
    }

    async fn build(&self, db: &PgPool) -> Result<Arc<Anchors>, QueryError> {
        let started = Instant::now();
        let (keys, total) = articles::seek_anchors(db, self.stride).await?;
        tracing::info!(
            anchors = keys.len(),
            total,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "built the listing's seek anchors"
        );
        let anchors = Arc::new(Anchors {
            keys,
            total,
            built: Instant::now(),
        });
        *self.anchors.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(anchors.clone());
        Ok(anchors)
    }

    /// The current anchors: built now if there are none (one request builds,
    /// the others wait for it), rebuilt in the background if stale.
    async fn anchors(self: &Arc<Self>, db: &PgPool) -> Result<Arc<Anchors>, QueryError> {
        let current = self
            .anchors
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        match current {
            Some(anchors) => {
                if anchors.built.elapsed() > REBUILD_AFTER
                    && let Ok(guard) = Arc::clone(&self.rebuilding).try_lock_owned()
                {
                    let index = Arc::clone(self);
                    let db = db.clone();
                    tokio::spawn(async move {
                        let _guard = guard;
                        if let Err(error) = index.build(&db).await {
                            tracing::warn!(%error, "rebuilding the seek anchors failed; keeping the old ones");
                        }
                    });
                }
                Ok(anchors)
            }
            None => {
                let _one_at_a_time = self.rebuilding.lock().await;
                let built = self
                    .anchors
                    .read()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .clone();
                match built {
                    Some(anchors) => Ok(anchors),
                    None => self.build(db).await,
                }
            }
        }
    }
}
