//! Read-through caching in Redis, without stampedes.
//!
//! A value is stored with the moment it stops being *fresh*, and kept in
//! Redis for a while after that as *stale*:
//!
//! - fresh: served as is;
//! - stale: served as is, and one request across all instances (the holder
//!   of a short Redis lock) recomputes it in the background;
//! - missing: one request per key on this instance computes it while the
//!   others wait for its result (an in-process single flight), so a cold
//!   key under load costs the database one query per instance, not one per
//!   request.
//!
//! When Redis is down or slow, reads and writes are skipped (see
//! [`Redis::run`]) and every value is computed from Postgres: slower, never
//! broken. The single flight still groups concurrent requests.
//!
//! Values are JSON, behind a version in the key: a deploy that changes a
//! shape bumps [`VERSION`] rather than reading old shapes.
//!
//! What strangers can make this cache hold is bounded. Keys are hashes of
//! the names callers give (a 200-character search, a tag, a slug are all
//! 32 hex digits), so no request can make a key large. A value that says
//! the thing asked for does not exist (no such article, an empty page; see
//! [`Found`]) is kept [`ABSENT`]: seconds, not the hour an article is kept,
//! so made-up names cannot pile up. And the cache lives in a Redis of its
//! own (`REDIS_URL`), given a memory limit and an eviction policy, apart
//! from the one that holds sessions and attempt budgets
//! (`WARTA_SESSION_REDIS_URL`): a flood of cache misses evicts cached
//! pages, never a session.
//!
//! A group's generation is the primary's WAL position after the write that
//! last bumped it, and a value of the group is computed on a replica that
//! has replayed that far, or on the primary (see [`crate::ssr::database`]):
//! the compute functions are handed the pool to read from. So replica lag
//! can delay nothing a write has invalidated.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use serde::{Serialize, de::DeserializeOwned};

use sqlx::PgPool;

use crate::ssr::{
    database::{Database, Lsn},
    queries::QueryError,
    redis::Redis,
};

mod policy;

pub use policy::{ABSENT, Found, Policy};

/// The cache's format version, part of every key.
pub const VERSION: &str = "v5";

/// How long the holder of a refresh lock has to recompute a stale value.
const REFRESH_LOCK: Duration = Duration::from_secs(10);

/// The counter of lookups, labelled `group` (its kind, see [`group_kind`])
/// and `result` (see [`Lookup`]).
pub const LOOKUPS: &str = "warta_cache_lookups_total";

/// The kinds of group [`crate::ssr::reading`] names: a group is `kind` or
/// `kind:name` (`author:ada`, `comments:{slug}`).
const GROUP_KINDS: [&str; 5] = ["latest", "sitemaps", "article", "author", "comments"];

/// The kind of `group`, for a metric label: `comments:{slug}` is
/// `comments`, and anything not named as [`crate::ssr::reading`] names
/// groups is `other`. A label never carries a slug or a username, so the
/// number of series stays the same however many articles there are.
pub fn group_kind(group: &str) -> &'static str {
    let kind = group.split_once(':').map_or(group, |(kind, _)| kind);
    GROUP_KINDS.into_iter().find(|known| *known == kind).unwrap_or("other")
}

/// How a lookup was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Fresh, from Redis.
    Hit,
    /// Stale, from Redis, while one request recomputes it.
    Stale,
    /// Not in Redis: computed (once per key on this instance).
    Miss,
    /// Redis could not say the group's generation: computed on the primary,
    /// not cached.
    Bypass,
    /// A shape of request not worth keeping (an offset off the page grid):
    /// computed, not cached.
    Skip,
}

impl Lookup {
    fn count(self, kind: &'static str) {
        let result = match self {
            Self::Hit => "hit",
            Self::Stale => "stale",
            Self::Miss => "miss",
            Self::Bypass => "bypass",
            Self::Skip => "skip",
        };
        metrics::counter!(LOOKUPS, "group" => kind, "result" => result).increment(1);
    }
}

/// Sets a group's generation to the WAL position `ARGV[1]` unless it is
/// already at or past it. Positions are compared as numbers written in
/// decimal: by length, then by text (Lua's numbers are doubles).
static ADVANCE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local current = redis.call('GET', KEYS[1]) or '0'
        local wanted = ARGV[1]
        if #wanted > #current or (#wanted == #current and wanted > current) then
            redis.call('SET', KEYS[1], wanted)
        end
        return 0
        ",
    )
});

/// Rewrites each stored value's fresh-until time to 0, keeping the value
/// and its time to live.
static EXPIRE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        for _, key in ipairs(KEYS) do
            local stored = redis.call('GET', key)
            local at = stored and string.find(stored, '\n', 1, true)
            if at then
                redis.call('SET', key, '0' .. string.sub(stored, at), 'KEEPTTL')
            end
        end
        return 0
        ",
    )
});

type Flight = Arc<tokio::sync::OnceCell<Result<Arc<str>, QueryError>>>;

/// How many new generations this process has started ([`Cache::bump`]):
/// the signal that a write here changed what readers see. The server keeps
/// a rendered public page only while this count has not moved since the
/// page was rendered, so a write empties this instance's page cache and
/// nothing else does: not a request's cookies, method or status.
#[derive(Clone, Debug, Default)]
pub struct LocalChanges(Arc<AtomicU64>);

impl LocalChanges {
    /// The count now.
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    fn record(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// The cache: Redis, the database values are computed from, and this
/// instance's in-flight computations.
#[derive(Clone, Debug)]
pub struct Cache {
    redis: Redis,
    database: Database,
    flights: Arc<Mutex<HashMap<String, Flight>>>,
    changes: LocalChanges,
}

impl Cache {
    pub fn new(redis: Redis, database: Database) -> Self {
        Self {
            redis,
            database,
            flights: Arc::default(),
            changes: LocalChanges::default(),
        }
    }

    /// The count of this process's writes to what readers see (see
    /// [`LocalChanges`]).
    pub fn local_changes(&self) -> LocalChanges {
        self.changes.clone()
    }

    /// The Redis connection underneath.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// The cached value of `name`, or `compute`'s, cached under `policy`;
    /// `compute` is handed a pool on a server that has replayed the WAL up
    /// to `at_least`.
    async fn fetch_after<T, F, Fut>(
        &self,
        kind: &'static str,
        name: &str,
        at_least: Lsn,
        policy: Policy,
        compute: F,
    ) -> Result<T, QueryError>
    where
        T: Found + Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, QueryError>> + Send + 'static,
    {
        let key = self.key(name);
        let stored = self
            .redis
            .run("cache read", |mut conn| {
                let key = &key;
                async move {
                    redis::cmd("GET")
                        .arg(key)
                        .query_async::<Option<String>>(&mut conn)
                        .await
                }
            })
            .await
            .flatten();
        if let Some((fresh_until, value)) = stored.as_deref().and_then(decode::<T>) {
            if fresh_until < now_ms() {
                Lookup::Stale.count(kind);
                self.refresh_in_background(key, at_least, policy, compute);
            } else {
                Lookup::Hit.count(kind);
            }
            return Ok(value);
        }
        Lookup::Miss.count(kind);
        let json = self.single_flight(key, at_least, Some(policy), compute).await?;
        serde_json::from_str(&json).map_err(|error| QueryError::Encoding(error.to_string().into()))
    }

    /// The cached value of `name`, or `compute`'s, cached under `policy`.
    /// The value belongs to `group` (every page of a listing, say): its key
    /// carries the group's generation, so [`Cache::bump`] drops every value
    /// of the group at once, however many there are, and `compute` reads
    /// where the write behind that generation is visible. When the
    /// generation cannot be read, nothing is cached and the value is
    /// computed on the primary.
    pub async fn fetch_in<T, F, Fut>(
        &self,
        group: &str,
        name: &str,
        policy: Policy,
        compute: F,
    ) -> Result<T, QueryError>
    where
        T: Found + Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, QueryError>> + Send + 'static,
    {
        let kind = group_kind(group);
        match self.generation(group).await {
            Some(generation) => {
                let name = format!("{name}:g{generation}");
                self.fetch_after(kind, &name, Lsn(generation), policy, compute).await
            }
            // Reading a value without knowing its generation could serve
            // one that was dropped.
            None => {
                Lookup::Bypass.count(kind);
                compute(self.database.primary().clone()).await
            }
        }
    }

    /// `compute`'s value for `name`, read where `group`'s last write is
    /// visible, and not kept: for shapes of request few readers ask for (an
    /// offset off the page grid, a deep page of comments), which would only
    /// fill the cache with keys nobody reads again. Requests for the same
    /// name at the same moment still share one computation.
    pub async fn compute_in<T, F, Fut>(&self, group: &str, name: &str, compute: F) -> Result<T, QueryError>
    where
        T: Found + Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(PgPool) -> Fut,
        Fut: Future<Output = Result<T, QueryError>>,
    {
        let kind = group_kind(group);
        match self.generation(group).await {
            Some(generation) => {
                Lookup::Skip.count(kind);
                let key = self.key(&format!("{name}:g{generation}"));
                let json = self.single_flight(key, Lsn(generation), None, compute).await?;
                serde_json::from_str(&json).map_err(|error| QueryError::Encoding(error.to_string().into()))
            }
            None => {
                Lookup::Bypass.count(kind);
                compute(self.database.primary().clone()).await
            }
        }
    }

    /// `group`'s generation (0 before its first bump); `None` when Redis
    /// cannot say.
    async fn generation(&self, group: &str) -> Option<u64> {
        let generation_key = self.generation_key(group);
        self.redis
            .run("cache generation", |mut conn| {
                let key = &generation_key;
                async move { redis::cmd("GET").arg(key).query_async::<Option<u64>>(&mut conn).await }
            })
            .await
            .map(Option::unwrap_or_default)
    }

    /// Starts a new generation of each of `groups`, after a write to what
    /// they were computed from has committed: values cached in the old one
    /// are never read again (they expire on their own). The generation is
    /// the primary's WAL position now, so the group's next values are
    /// computed where that write is visible; without replicas it is a
    /// counter.
    pub async fn bump(&self, groups: &[&str]) {
        // Before anything can fail: Redis being down does not make the
        // write any less real.
        self.changes.record();
        let keys: Vec<String> = groups.iter().map(|group| self.generation_key(group)).collect();
        let position = self.database.write_position().await;
        self.redis
            .run("cache bump", |mut conn| async move {
                // One call per key: in a Redis Cluster each group's
                // generation may live on a different node.
                for key in &keys {
                    match position {
                        Some(Lsn(position)) => {
                            ADVANCE
                                .key(key)
                                .arg(position.to_string())
                                .invoke_async::<()>(&mut conn)
                                .await?
                        }
                        None => redis::cmd("INCR").arg(key).query_async::<()>(&mut conn).await?,
                    }
                }
                Ok(())
            })
            .await;
    }

    /// Marks `names` of `group` stale: the next read still gets the old
    /// value at once and one request recomputes it in the background. For
    /// changes that should show soon but are not worth a reader waiting
    /// for. The names must share a hash tag (`{popular}:day`), so that in a
    /// Redis Cluster they live on one node and one script call reaches
    /// them all.
    pub async fn expire_in(&self, group: &str, names: &[&str]) {
        let Some(generation) = self.generation(group).await else {
            return;
        };
        let keys: Vec<String> = names
            .iter()
            .map(|name| self.key(&format!("{name}:g{generation}")))
            .collect();
        self.redis
            .run("cache expire", |mut conn| async move {
                let mut invocation = EXPIRE.prepare_invoke();
                for key in &keys {
                    invocation.key(key);
                }
                invocation.invoke_async::<()>(&mut conn).await
            })
            .await;
    }

    fn key(&self, name: &str) -> String {
        self.redis.key(format_args!("cache:{VERSION}:{}", key_part(name)))
    }

    fn generation_key(&self, group: &str) -> String {
        self.redis
            .key(format_args!("cache:{VERSION}:generation:{}", key_part(group)))
    }

    async fn single_flight<T, F, Fut>(
        &self,
        key: String,
        at_least: Lsn,
        policy: Option<Policy>,
        compute: F,
    ) -> Result<Arc<str>, QueryError>
    where
        T: Found + Serialize,
        F: FnOnce(PgPool) -> Fut,
        Fut: Future<Output = Result<T, QueryError>>,
    {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(flights.entry(key.clone()).or_default())
        };
        // If the request computing the value goes away (a client hangs up),
        // tokio hands the computation to one of the waiters.
        let result = flight
            .get_or_init(|| async {
                let value = compute(self.database.reader(at_least).clone()).await?;
                let json = encode(&value)?;
                if let Some(policy) = policy {
                    self.write(&key, &json, kept(&value, policy)).await;
                }
                Ok(json)
            })
            .await
            .clone();
        // Later arrivals find the value in Redis (or, not kept, compute it
        // again).
        let mut flights = self.flights.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if flights.get(&key).is_some_and(|current| Arc::ptr_eq(current, &flight)) {
            flights.remove(&key);
        }
        result
    }

    fn refresh_in_background<T, F, Fut>(&self, key: String, at_least: Lsn, policy: Policy, compute: F)
    where
        T: Found + Serialize + Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, QueryError>> + Send + 'static,
    {
        let cache = self.clone();
        tokio::spawn(async move {
            let lock = format!("{key}:refreshing");
            let acquired = cache
                .redis
                .run("cache lock", |mut conn| async move {
                    redis::cmd("SET")
                        .arg(&lock)
                        .arg(1)
                        .arg("NX")
                        .arg("PX")
                        .arg(REFRESH_LOCK.as_millis() as u64)
                        .query_async::<Option<String>>(&mut conn)
                        .await
                })
                .await
                .flatten()
                .is_some();
            if !acquired {
                return; // Another request, here or elsewhere, is on it.
            }
            let db = cache.database.reader(at_least).clone();
            match compute(db)
                .await
                .and_then(|value| Ok((encode(&value)?, kept(&value, policy))))
            {
                Ok((json, policy)) => cache.write(&key, &json, policy).await,
                Err(error) => tracing::warn!(%error, key, "refreshing a cached value failed; serving it stale"),
            }
            let lock = format!("{key}:refreshing");
            cache
                .redis
                .run("cache unlock", |mut conn| async move {
                    redis::cmd("DEL").arg(&lock).query_async::<()>(&mut conn).await
                })
                .await;
        });
    }

    async fn write(&self, key: &str, json: &str, policy: Policy) {
        let fresh_until = now_ms() + policy.fresh.as_millis() as u64;
        let stored = format!("{fresh_until}\n{json}");
        let ttl = (policy.fresh + policy.stale).as_millis() as u64;
        self.redis
            .run("cache write", |mut conn| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(stored)
                    .arg("PX")
                    .arg(ttl.max(1))
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
    }
}

/// How long `value` is kept: `policy`, or [`ABSENT`] when it found nothing.
fn kept<T: Found>(value: &T, policy: Policy) -> Policy {
    if value.found() { policy } else { ABSENT }
}

/// The part of a key a name (or a group) becomes: its hash, so a key's
/// length never depends on what a reader typed. A Redis Cluster hash tag at
/// the front of the name (`{popular}:week`) is kept, so names that must
/// share a node still do.
pub fn key_part(name: &str) -> String {
    let tag = name
        .strip_prefix('{')
        .and_then(|rest| rest.find('}').map(|end| &name[..end + 2]))
        .filter(|tag| tag.len() <= 32)
        .unwrap_or_default();
    format!("{tag}{}", crate::ssr::redis::digest(name))
}

fn encode<T: Serialize>(value: &T) -> Result<Arc<str>, QueryError> {
    serde_json::to_string(value)
        .map(Arc::from)
        .map_err(|error| QueryError::Encoding(error.to_string().into()))
}

/// `fresh_until` and the value; `None` for anything unreadable, which is
/// then recomputed.
fn decode<T: DeserializeOwned>(stored: &str) -> Option<(u64, T)> {
    let (fresh_until, json) = stored.split_once('\n')?;
    Some((fresh_until.parse().ok()?, serde_json::from_str(json).ok()?))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip_and_junk_reads_as_missing() {
        let stored = format!("{}\n{}", 42, encode(&vec!["a", "b"]).unwrap());
        assert_eq!(
            decode::<Vec<String>>(&stored),
            Some((42, vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(decode::<Vec<String>>("not a cached value"), None);
        assert_eq!(decode::<Vec<String>>("12\n{\"a\":1}"), None, "another shape");
    }

    #[test]
    fn keys_are_short_whatever_the_name_and_keep_their_hash_tag() {
        let long = key_part(&"search:".repeat(1000));
        assert_eq!(long.len(), 32, "{long}");
        assert_ne!(key_part("tag:rust:0:20"), key_part("tag:Rust:0:20"));
        assert_eq!(key_part("tag:rust:0:20"), key_part("tag:rust:0:20"));
        let popular = key_part("{popular}:week");
        assert!(popular.starts_with("{popular}") && popular.len() == 9 + 32, "{popular}");
        assert_eq!(key_part("{unclosed").len(), 32, "no tag without its brace");
    }

    #[test]
    fn what_finds_nothing_is_kept_seconds_whatever_the_kind() {
        let hour = Policy {
            fresh: Duration::from_secs(3600),
            stale: Duration::from_secs(600),
        };
        assert_eq!(kept(&None::<u8>, hour).fresh, ABSENT.fresh);
        assert_eq!(kept(&Some(1), hour).fresh, hour.fresh);
        assert_eq!(kept(&Vec::<u8>::new(), hour).fresh, ABSENT.fresh);
        assert_eq!(kept(&(Vec::<u8>::new(), 0_i64), hour).fresh, ABSENT.fresh);
        assert_eq!(kept(&false, hour).fresh, ABSENT.fresh);
        assert!(ABSENT.fresh + ABSENT.stale <= Duration::from_secs(60));
    }

    #[test]
    fn a_group_is_labelled_by_its_kind_never_by_the_name_after_it() {
        assert_eq!(group_kind("latest"), "latest");
        assert_eq!(group_kind("sitemaps"), "sitemaps");
        assert_eq!(group_kind("comments:why-rust"), "comments");
        assert_eq!(group_kind("author:ada"), "author");
        assert_eq!(group_kind("article:a:b:c"), "article", "only the first colon counts");
        assert_eq!(
            group_kind("why-rust:comments"),
            "other",
            "a name in front is not a kind"
        );
        assert_eq!(group_kind("a-new-kind"), "other");
        assert_eq!(group_kind(""), "other");
    }
}
