//! Full-text search over published articles (see the `search` migration).

use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::model::ArticleSummary;

/// How many matches are ranked, at most. A word in a tenth of five million
/// articles matches half a million: ranking all of them would read every
/// one's vector. The count then says "1,000 or more".
///
/// Which [`CANDIDATES`] are ranked matters: the GIN index returns matches
/// partition by partition, oldest month first, so "the first 1,000" of a
/// common word are all years old. [`published`] therefore takes the first
/// `CANDIDATES + 1` as they come, which settles most searches (a rare word
/// has fewer, and all of them are ranked), and only when that fills up
/// collects the candidates month by month, newest first. Doing the monthly
/// walk always would cost a rare word every month's scan (0.3–0.4 s on the
/// 5M dataset); ordering by date instead lets the planner read whole
/// partitions through the date index.
pub const CANDIDATES: i64 = 1_000;

/// Where a snippet's highlighted words begin and end: characters from the
/// Private Use Area, so the page can split on them and escape everything
/// else. An author may type them (they are ordinary characters to
/// [`crate::domain`]), so [`published`] deletes them from the text before
/// `ts_headline` adds its own: only a match the search found is marked.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// One search result: the article, and a few lines of it around the words
/// searched for, marked with [`MARK_START`] and [`MARK_END`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub article: ArticleSummary,
    pub snippet: String,
}

/// `limit` of the published articles matching `query` (web-search syntax:
/// words, `"a phrase"`, `-without`, `or`), best first, after skipping
/// `offset`, and how many match (counted up to [`CANDIDATES`]).
///
/// The GIN index finds the matches. When there are more than
/// [`CANDIDATES`], those ranked are the newest months' (see
/// [`CANDIDATES`]). Candidates are ranked (title words count most, then the
/// description, then the body); equal ranks go newest first, and only the
/// page is read in full.
///
/// The statement may run for `time_limit` at most (Postgres cancels it
/// after that, an error with code 57014), in a transaction of its own so
/// the limit ends with it.
/// Shards: all — full-text search asks every shard's index; throttled per address, time-limited, cached.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn published(
    db: &PgPool,
    query: &str,
    limit: i64,
    offset: i64,
    time_limit: std::time::Duration,
) -> sqlx::Result<(Vec<Hit>, i64)> {
    let mut tx = db.begin().await?;
    let milliseconds = i64::try_from(time_limit.as_millis()).unwrap_or(i64::MAX).max(1);
    sqlx::query!(
        "SELECT set_config('statement_timeout', $1, true)",
        format!("{milliseconds}ms")
    )
    .fetch_one(&mut *tx)
    .await?;
    let rows = sqlx::query!(
        r#"
        WITH q AS (SELECT websearch_to_tsquery('simple', $1) AS query),
        -- Any CANDIDATES + 1 matches, in the order the index yields them: all
        -- the matches there are, unless this fills up.
        first AS MATERIALIZED (
            SELECT a.id, a.created_at, ts_rank_cd(a.search, q.query, 1) AS rank
            FROM articles a, q
            WHERE a.status = 'published' AND a.search @@ q.query
            LIMIT $4::bigint + 1
        ),
        -- Only when that filled up (a one-time filter: otherwise this never
        -- runs), the newest months' matches, one month's partition at a time.
        recent AS MATERIALIZED (
            SELECT m.id, m.created_at, m.rank
            FROM generate_series(
                     date_trunc('month', (SELECT max(created_at) FROM articles), 'UTC'),
                     date_trunc('month', (SELECT min(created_at) FROM articles), 'UTC'),
                     interval '-1 month'
                 ) AS month
                 CROSS JOIN LATERAL (
                     SELECT a.id, a.created_at, ts_rank_cd(a.search, q.query, 1) AS rank
                     FROM articles a, q
                     WHERE a.status = 'published' AND a.search @@ q.query
                       AND a.created_at >= month AND a.created_at < month + interval '1 month'
                     LIMIT $4
                 ) AS m
            WHERE (SELECT count(*) FROM first) > $4
            LIMIT $4
        ),
        candidates AS (
            SELECT id, created_at, rank FROM first WHERE (SELECT count(*) FROM first) <= $4
            UNION ALL
            SELECT id, created_at, rank FROM recent
        ),
        page AS (
            SELECT id, created_at, rank FROM candidates ORDER BY rank DESC, id DESC LIMIT $2 OFFSET $3
        )
        SELECT a.slug, a.title, a.description, a.created_at, a.published_at AS "published_at!",
               a.updated_at, a.views, a.favorites_count, u.username AS author, u.image AS author_image,
               article_tag_list(a.id, a.created_at) AS "tag_list!",
               ts_headline('simple', translate(left(a.body, 20000), chr(57344) || chr(57345), ''), q.query,
                           'StartSel=' || chr(57344) || ', StopSel=' || chr(57345)
                           || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS "snippet!",
               (SELECT count(*) FROM candidates) AS "total!"
        FROM page p
        JOIN articles a ON a.id = p.id AND a.created_at = p.created_at
        JOIN users u ON u.id = a.user_id
        CROSS JOIN q
        ORDER BY p.rank DESC, p.id DESC
        "#,
        query,
        limit,
        offset,
        CANDIDATES
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |row| row.total);
    let hits = rows
        .into_iter()
        .map(|row| Hit {
            snippet: row.snippet,
            article: ArticleSummary {
                slug: row.slug,
                title: row.title,
                description: row.description,
                created_at: row.created_at,
                published_at: row.published_at,
                updated_at: row.updated_at,
                author: row.author,
                author_image: row.author_image,
                views: row.views,
                favorites_count: row.favorites_count,
                tag_list: row.tag_list,
            },
        })
        .collect();
    Ok((hits, total))
}
