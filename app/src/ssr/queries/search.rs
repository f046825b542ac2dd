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
/// How much of a body, in characters, its snippet is chosen from: the
/// Markdown's first 20,000, made plain.
const SNIPPET_SOURCE: usize = 20_000;
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
        WITH q AS (SELECT search_query($1) AS query),
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
               article_tag_list(a.id, a.created_at) AS "tag_list!", a.language,
               left(a.body, $5) AS "body!",
               (SELECT count(*) FROM candidates) AS "total!"
        FROM page p
        JOIN articles a ON a.id = p.id AND a.created_at = p.created_at
        JOIN users u ON u.id = a.user_id
        ORDER BY p.rank DESC, p.id DESC
        "#,
        query,
        limit,
        offset,
        CANDIDATES,
        SNIPPET_SOURCE as i32
    )
    .fetch_all(&mut *tx)
    .await?;
    // Snippets come from the text a reader sees, never the Markdown: the
    // page's bodies are made plain here, then marked by Postgres in each
    // article's language, in the same transaction (and time limit).
    let plain: Vec<String> = rows
        .iter()
        .map(|row| crate::ssr::markdown::excerpt(&row.body, SNIPPET_SOURCE))
        .collect();
    let languages: Vec<String> = rows.iter().map(|row| row.language.clone()).collect();
    let snippets = if rows.is_empty() {
        Vec::new()
    } else {
        sqlx::query_scalar!(
            r#"
            SELECT ts_headline(search_config(p.language), translate(p.plain, chr(57344) || chr(57345), ''),
                               search_query($1),
                               'StartSel=' || chr(57344) || ', StopSel=' || chr(57345)
                               || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS "snippet!"
            FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS p (plain, language, n)
            ORDER BY p.n
            "#,
            query,
            &plain,
            &languages
        )
        .fetch_all(&mut *tx)
        .await?
    };
    tx.commit().await?;
    let total = rows.first().map_or(0, |row| row.total);
    let hits = rows
        .into_iter()
        .zip(snippets)
        .map(|(row, snippet)| Hit {
            snippet,
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
                language: row.language,
            },
        })
        .collect();
    Ok((hits, total))
}

/// `prefix` as a `LIKE` pattern that matches what starts with it.
fn starting_with(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Up to `limit` authors (accounts with a published article, not
/// suspended) whose name starts with `prefix` (lower case), the exact name
/// first, then in order. One range of `user_names_prefix_idx`.
/// Shards: all — user_names is spread by name; each shard's range, for the search page; cached.
#[tracing::instrument(skip_all)]
pub async fn authors_starting(db: &PgPool, prefix: &str, limit: i64) -> sqlx::Result<Vec<crate::model::AuthorMatch>> {
    sqlx::query_as!(
        crate::model::AuthorMatch,
        r#"SELECT u.username, u.image
           FROM user_names n
           JOIN users u ON u.id = n.user_id
           WHERE n.username LIKE $1 AND u.suspended_at IS NULL
             AND EXISTS (SELECT 1 FROM author_publications p WHERE p.user_id = u.id)
           ORDER BY n.username <> $2, n.username
           LIMIT $3"#,
        starting_with(prefix),
        prefix,
        limit
    )
    .fetch_all(db)
    .await
}

/// Up to `limit` tags published articles carry that start with `prefix`
/// (a canonical tag), the most used first. One range of
/// `tag_counts_prefix_idx`.
/// Shards: all — tag_counts is spread by tag; each shard's range, for the search page; cached.
#[tracing::instrument(skip_all)]
pub async fn tags_starting(db: &PgPool, prefix: &str, limit: i64) -> sqlx::Result<Vec<crate::model::TagCount>> {
    sqlx::query_as!(
        crate::model::TagCount,
        r#"SELECT tag, articles
           FROM tag_counts
           WHERE tag LIKE $1 AND articles > 0
           ORDER BY articles DESC, tag
           LIMIT $2"#,
        starting_with(prefix),
        limit
    )
    .fetch_all(db)
    .await
}
