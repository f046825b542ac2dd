//! The media store (cover images) and the route that serves it.

use std::sync::Arc;

use anyhow::Context as _;
use app::ssr::{AppState, Media, covers};
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use object_store::{ObjectStoreExt as _, local::LocalFileSystem};

/// Opens the store `WARTA_MEDIA_URL` names.
pub fn open(url: &str) -> anyhow::Result<Media> {
    if url.starts_with("s3://") {
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_url(url)
            .build()
            .context("WARTA_MEDIA_URL: cannot use this S3 location (check the AWS_* variables)")?;
        return Ok(Arc::new(store));
    }
    let folder = url.strip_prefix("file://").unwrap_or(url);
    std::fs::create_dir_all(folder).with_context(|| format!("WARTA_MEDIA_URL: cannot create {folder}"))?;
    let store =
        LocalFileSystem::new_with_prefix(folder).with_context(|| format!("WARTA_MEDIA_URL: cannot use {folder}"))?;
    Ok(Arc::new(store))
}

/// `GET /media/{key}`: a stored file, kept by browsers and CDNs for a year
/// (a key's content never changes: a new upload gets a new key).
pub async fn serve(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    if !covers::is_media_key(&key) {
        return (StatusCode::NOT_FOUND, "No such file.\n").into_response();
    }
    let found = state.media.get(&object_store::path::Path::from(key.as_str())).await;
    let bytes = match found {
        Ok(found) => found.bytes().await,
        Err(error) => Err(error),
    };
    match bytes {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(covers::content_type(&key)),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(object_store::Error::NotFound { .. }) => (StatusCode::NOT_FOUND, "No such file.\n").into_response(),
        Err(error) => {
            tracing::error!(%error, key, "reading a media file failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "This file cannot be read just now.\n",
            )
                .into_response()
        }
    }
}
