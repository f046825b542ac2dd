//! The job that makes a cover's resized WebP copies.

use app::ssr::{
    covers::{self, MakeCoverVariants},
    jobs::ClaimedJob,
    queries, reading,
};
use object_store::{ObjectStoreExt as _, path::Path};

use super::context::{Context, Outcome};

/// Makes the copies of the cover at the job's key and records their widths;
/// nothing when the cover has been replaced or removed since.
pub(super) async fn make_variants(context: &Context, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let task: MakeCoverVariants = serde_json::from_value(job.payload.clone())?;
    let current = queries::covers::current(&context.db, task.article_id).await?;
    let Some(current) = current.filter(|current| current.key == task.key) else {
        return Ok(Outcome::Done);
    };
    let _turn = context.image_work.acquire().await?;
    let original = context.media.get(&Path::from(task.key.as_str())).await?.bytes().await?;
    let variants = tokio::task::spawn_blocking(move || crate::imaging::make_variants(&original)).await??;
    let mut widths = Vec::with_capacity(variants.len());
    for (width, bytes) in variants {
        context
            .media
            .put(&Path::from(covers::variant_key(&task.key, width)), bytes.into())
            .await?;
        widths.push(width as i32);
    }
    queries::covers::set_variants(&context.db, task.article_id, &task.key, &widths).await?;
    reading::forget_article(&context.cache, &current.slug).await;
    Ok(Outcome::Done)
}

/// Deletes a cover's files once nothing shows them any more.
pub(super) async fn delete_files(context: &Context, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let task: covers::DeleteCoverFiles = serde_json::from_value(job.payload.clone())?;
    let in_use = queries::covers::in_use(&context.db, &task.key).await?;
    if !in_use {
        covers::delete_files(&context.media, &task.key).await;
    }
    Ok(Outcome::Done)
}
