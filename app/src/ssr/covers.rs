//! Cover images: where originals and their resized copies live, what the
//! database records of them, and the job that makes the copies.
//!
//! Keys are `covers/{article id}/{random}/original.{jpg|png|webp}`, with the
//! WebP copies beside the original (`…/{random}/768.webp`). A new upload
//! gets a new random folder, so a key's content never changes and pages can
//! tell browsers and CDNs to keep a file for a year.

use chrono::{DateTime, Utc};
use object_store::{ObjectStoreExt as _, path::Path};
use serde::{Deserialize, Serialize};

pub use crate::ssr::queries::covers::CoverRecord;
use crate::ssr::{
    AppState, Media,
    jobs::{self, Task},
    queries::{self, editing::EditableArticle},
    reading,
};

/// The largest cover image accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The widths of the WebP copies, in pixels (none wider than the original).
pub const WIDTHS: [u32; 3] = [320, 768, 1280];

/// Make the resized copies of the cover stored under `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeCoverVariants {
    pub article_id: i64,
    pub key: String,
}

impl Task for MakeCoverVariants {
    const KIND: &'static str = "cover_variants";
}

/// Delete the files of a cover no longer used (replaced, removed, or its
/// article deleted), some minutes after: pages a CDN or a browser still
/// holds may point at them until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCoverFiles {
    pub key: String,
}

impl Task for DeleteCoverFiles {
    const KIND: &'static str = "delete_cover_files";
}

/// How long a replaced cover's files stay: more than the 60 s a CDN keeps
/// a page plus the 300 s it may serve it stale.
pub const FILES_KEPT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Queues the deletion of the files of the cover at `key` (see
/// [`DeleteCoverFiles`]), in the transaction that stops using it.
pub async fn delete_later(tx: impl sqlx::PgExecutor<'_>, key: &str) -> sqlx::Result<()> {
    jobs::enqueue_after(tx, &DeleteCoverFiles { key: key.to_owned() }, FILES_KEPT).await?;
    Ok(())
}

/// A new cover, checked and ready to store.
#[derive(Debug, Clone)]
pub struct NewCover {
    pub bytes: Vec<u8>,
    /// `jpg`, `png` or `webp`.
    pub extension: &'static str,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The path readers fetch `key` at.
pub fn url(key: &str) -> String {
    format!("/media/{key}")
}

/// The key of the `width`-pixel WebP copy of the original at `key`.
pub fn variant_key(key: &str, width: u32) -> String {
    let folder = key.rsplit_once('/').map_or(key, |(folder, _)| folder);
    format!("{folder}/{width}.webp")
}

/// Whether `key` is one this module makes (anything else is not served).
pub fn is_media_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    let [covers, article, folder, file] = parts.as_slice() else {
        return false;
    };
    let file_ok = matches!(*file, "original.jpg" | "original.png" | "original.webp")
        || file
            .strip_suffix(".webp")
            .is_some_and(|width| WIDTHS.iter().any(|w| w.to_string() == width));
    *covers == "covers"
        && !article.is_empty()
        && article.chars().all(|c| c.is_ascii_digit())
        && folder.len() == 32
        && folder.chars().all(|c| c.is_ascii_hexdigit())
        && file_ok
}

/// The content type of the file at `key`.
pub fn content_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, extension)| extension) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => "image/webp",
    }
}

/// Stores `cover` as `article`'s cover (replacing any), queues the job that
/// makes its copies in the same transaction, and forgets cached pages.
/// The previous cover's files are deleted later ([`DeleteCoverFiles`]).
pub async fn replace(state: &AppState, article: &EditableArticle, cover: NewCover) -> anyhow::Result<()> {
    let folder = uuid::Uuid::new_v4().simple().to_string();
    let key = format!("covers/{}/{folder}/original.{}", article.id, cover.extension);
    state.media.put(&Path::from(key.as_str()), cover.bytes.into()).await?;
    let mut tx = state.db.begin().await?;
    let previous = queries::covers::lock_key(&mut *tx, article.id).await?;
    queries::covers::upsert(
        &mut *tx,
        article.id,
        article.created_at,
        &key,
        cover.content_type,
        cover.width as i32,
        cover.height as i32,
    )
    .await?;
    jobs::enqueue(
        &mut *tx,
        &MakeCoverVariants {
            article_id: article.id,
            key: key.clone(),
        },
    )
    .await?;
    if let Some(previous) = previous {
        delete_later(&mut *tx, &previous).await?;
    }
    tx.commit().await?;
    forget_pages(state, article).await;
    Ok(())
}

/// Removes `article`'s cover, if it has one.
pub async fn remove(state: &AppState, article: &EditableArticle) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let previous = queries::covers::delete(&mut *tx, article.id).await?;
    if let Some(previous) = &previous {
        delete_later(&mut *tx, previous).await?;
    }
    tx.commit().await?;
    if previous.is_some() {
        forget_pages(state, article).await;
    }
    Ok(())
}

/// Forgets every cached page showing `article`, after its cover changed.
/// Called from here rather than through `publishing`: publishing uses cover
/// storage (a deleted article's files), so covers calling back up into it
/// would tie the two into a loop.
async fn forget_pages(state: &AppState, article: &EditableArticle) {
    reading::forget_article_pages(&state.cache, &article.slug, &article.author, article.published).await;
}

/// `article_id`'s cover, for the editor.
pub async fn of_article(
    db: &sqlx::PgPool,
    article_id: i64,
    created_at: DateTime<Utc>,
) -> sqlx::Result<Option<CoverRecord>> {
    queries::covers::of_article(db, article_id, created_at).await
}

/// Deletes the original at `key` and its copies; failures are only logged
/// (an orphaned file costs storage, never correctness).
pub async fn delete_files(media: &Media, key: &str) {
    let mut keys = vec![key.to_owned()];
    keys.extend(WIDTHS.iter().map(|width| variant_key(key, *width)));
    for key in keys {
        match media.delete(&Path::from(key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => tracing::warn!(%error, key, "could not delete a media file"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_this_module_makes_are_media_keys() {
        let key = "covers/12/0123456789abcdef0123456789abcdef/original.png";
        assert!(is_media_key(key));
        assert!(is_media_key(&variant_key(key, 768)));
        assert_eq!(
            variant_key(key, 320),
            "covers/12/0123456789abcdef0123456789abcdef/320.webp"
        );
        assert!(!is_media_key("covers/12/0123456789abcdef0123456789abcdef/999.webp"));
        assert!(!is_media_key("covers/12/../../etc/passwd"));
        assert!(!is_media_key("covers/x/0123456789abcdef0123456789abcdef/original.png"));
        assert!(!is_media_key("other/12/0123456789abcdef0123456789abcdef/original.png"));
        assert_eq!(content_type(key), "image/png");
        assert_eq!(content_type(&variant_key(key, 320)), "image/webp");
    }
}
