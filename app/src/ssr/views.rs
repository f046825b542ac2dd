//! Counting article views without a database write per view.
//!
//! A view is counted when the reader's browser fetches the article's view
//! pixel (`GET /articles/{slug}/view.gif`, an `<img>` on the article page,
//! so it works with JavaScript off, and is never cached, so it counts even
//! when a CDN serves the page). Counting is one Redis script call:
//!
//! - one count per visitor (a hash of the reader's address, an IPv6
//!   reader's /64) per article per [`DEDUP_WINDOW`]: reloads, or a new
//!   User-Agent per request, do not inflate popularity;
//! - the count lands in a Redis hash of pending counts, by slug: one of
//!   [`SHARDS`], chosen by the slug. A shard's keys share a hash tag
//!   (`{v7}`), so in a Redis Cluster the script's two keys, and a flush's
//!   rename, stay on one node, while the shards spread over the nodes.
//!
//! Every few seconds each instance [`flush`]es: it atomically renames each
//! shard's pending hash to a key of its own (so instances never flush the
//! same counts twice), adds the counts to `articles.views` in one `UPDATE`,
//! and deletes the batches, then marks the cached popular lists stale. Should
//! Postgres fail, the batch stays and the next flush retries it. With Redis
//! down, views go uncounted: popularity is not worth failing a page for.

use std::{sync::LazyLock, time::Duration};

use sha2::{Digest as _, Sha256};
use sqlx::PgPool;

use crate::ssr::{cache::Cache, queries::articles, reading};

/// One view per visitor per article per this long.
pub const DEDUP_WINDOW: Duration = Duration::from_secs(30 * 60);

/// How many hashes the pending counts are spread over.
pub const SHARDS: u8 = 16;

/// Counts a view unless this visitor was counted recently. Returns
/// whether it counted (`false` too when Redis is unavailable).
static RECORD: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        if redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[2]) then
            redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
            return 1
        end
        return 0
        ",
    )
});

/// Whether `slug` could name an article; anything else is not counted, so
/// junk cannot pile up in the pending counts.
pub fn plausible_slug(slug: &str) -> bool {
    (1..=200).contains(&slug.len())
        && !slug
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '/'))
}

/// Records that `visitor` (any stable description of the reader, hashed
/// here) viewed `slug`.
pub async fn record(cache: &Cache, slug: &str, visitor: &str) -> bool {
    if !plausible_slug(slug) {
        return false;
    }
    let redis = cache.redis();
    let shard = Sha256::digest(slug.as_bytes())[0] % SHARDS;
    let digest = Sha256::digest(format!("{slug}\n{visitor}").as_bytes());
    let seen = redis.key(format_args!("views:{{v{shard}}}:seen:{}", hex(&digest[..12])));
    let pending = redis.key(format_args!("views:{{v{shard}}}:pending"));
    redis
        .run("count a view", |mut conn| async move {
            RECORD
                .key(seen)
                .key(pending)
                .arg(slug)
                .arg(DEDUP_WINDOW.as_secs())
                .invoke_async::<i64>(&mut conn)
                .await
        })
        .await
        == Some(1)
}

/// Moves this instance's share of pending view counts into Postgres.
/// Returns how many articles changed. `instance` names this process, so a
/// failed batch is retried by the same instance.
pub async fn flush(db: &PgPool, cache: &Cache, instance: &str) -> Result<u64, sqlx::Error> {
    let redis = cache.redis();
    let mut batches = Vec::new();
    let mut counts: Vec<(String, i64)> = Vec::new();
    for shard in 0..SHARDS {
        let pending = redis.key(format_args!("views:{{v{shard}}}:pending"));
        let batch = redis.key(format_args!("views:{{v{shard}}}:flushing:{instance}"));
        // A batch left by a failed flush goes first; otherwise take what is
        // pending (RENAMENX fails harmlessly when nothing is).
        let batch_key = batch.clone();
        let taken = redis
            .run("views flush", |mut conn| async move {
                let exists: bool = redis::cmd("EXISTS").arg(&batch_key).query_async(&mut conn).await?;
                if !exists {
                    let renamed: redis::RedisResult<i64> = redis::cmd("RENAMENX")
                        .arg(&pending)
                        .arg(&batch_key)
                        .query_async(&mut conn)
                        .await;
                    if renamed.is_err() {
                        return Ok(Vec::new()); // nothing pending
                    }
                }
                redis::cmd("HGETALL")
                    .arg(&batch_key)
                    .query_async::<Vec<(String, i64)>>(&mut conn)
                    .await
            })
            .await
            .unwrap_or_default();
        if !taken.is_empty() {
            counts.extend(taken);
            batches.push(batch);
        }
    }
    if counts.is_empty() {
        return Ok(0);
    }

    let (slugs, views): (Vec<String>, Vec<i64>) = counts.into_iter().unzip();
    let changed = articles::add_views(db, &slugs, &views).await?;
    for batch in batches {
        redis
            .run("views flush", |mut conn| async move {
                redis::cmd("DEL").arg(&batch).query_async::<()>(&mut conn).await
            })
            .await;
    }
    if changed > 0 {
        // The rankings moved: the next /popular read refreshes them.
        reading::refresh_popular(cache).await;
    }
    Ok(changed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_slug_shaped_names_are_counted() {
        assert!(plausible_slug("hello-world-42"));
        for junk in ["", "a b", "<script>", "../etc", "tab\there", &"x".repeat(201)] {
            assert!(!plausible_slug(junk), "{junk:?}");
        }
    }
}
