//! What a bulk load into empty tables sets aside and puts back.
//!
//! Secondary indexes and foreign keys are dropped before the load and
//! rebuilt from their own saved definitions afterwards, which is several
//! times faster than maintaining them row by row; the triggers that work a
//! row at a time are disabled, and the load does their work itself.

use std::time::Instant;

use anyhow::Context as _;
use futures::{StreamExt as _, TryStreamExt as _};
use sqlx::PgPool;

/// The tables a bulk load drops secondary indexes and foreign keys on.
const TABLES: [&str; 7] = [
    "users",
    "articles",
    "article_slugs",
    "author_publications",
    "article_tags",
    "favorites",
    "comments",
];

/// Triggers that work a row at a time, each with what does its work
/// instead during a bulk load:
/// - `articles_publication_delay` keeps the longest delay between writing and
///   publishing: [`Deferred::restore`] records the generator's bound;
/// - `articles_withheld_insert` withholds articles by suspended accounts: no
///   seeded account is suspended;
/// - `favorites_count` counts an article's favorites: the seeded articles
///   carry their counts;
/// - `articles_search` computes an article's search vector: the seeded
///   articles carry theirs (see `search`);
/// - `articles_author_publications_insert` (by statement, but it keeps every
///   inserted row, bodies and all, in a transition table) lists published
///   articles on their authors' pages: the load writes those rows itself.
const ROW_TRIGGERS: [(&str, &str); 5] = [
    ("articles", "articles_search"),
    ("articles", "articles_author_publications_insert"),
    ("articles", "articles_publication_delay"),
    ("articles", "articles_withheld_insert"),
    ("favorites", "favorites_count"),
];

/// A secondary index set aside.
#[derive(Debug)]
struct Index {
    name: String,
    /// `CREATE INDEX …` as Postgres prints it.
    definition: String,
    /// The table's partitions, if it has any.
    partitions: Vec<String>,
}

impl Index {
    /// The statements that rebuild it, each run on its own: one per
    /// partition, if the table has them (Postgres would build them one
    /// after another in one statement), or the whole index.
    fn builds(&self) -> Vec<String> {
        match self.definition.find(" USING ") {
            Some(using) if !self.partitions.is_empty() => self
                .partitions
                .iter()
                .map(|partition| format!("CREATE INDEX ON {partition}{}", &self.definition[using..]))
                .collect(),
            _ => vec![self.definition.clone()],
        }
    }

    /// A partitioned table's index itself, after its partitions' are
    /// built: creating it finds and attaches them. A partitioned table's index prints as `ON
    /// ONLY parent`, which would create an invalid index attached to none.
    fn statement(&self) -> String {
        self.definition.replacen(" ON ONLY ", " ON ", 1)
    }
}

/// Indexes, foreign keys and triggers set aside during a bulk load.
#[derive(Debug, Default)]
pub(super) struct Deferred {
    indexes: Vec<Index>,
    foreign_keys: Vec<(String, String, String)>,
    triggers: bool,
}

impl Deferred {
    /// Drops the secondary (non-unique, non-key) indexes and the foreign
    /// keys of [`TABLES`], remembering their definitions, and disables
    /// [`ROW_TRIGGERS`].
    pub(super) async fn set_aside(pool: &PgPool) -> anyhow::Result<Self> {
        let tables: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
        let foreign_keys = sqlx::query!(
            r#"SELECT conrelid::regclass::text AS "table!", conname::text AS "name!",
                      pg_get_constraintdef(oid) AS "definition!"
               FROM pg_constraint
               WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) AND conparentid = 0"#,
            &tables
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.table, row.name, row.definition))
        .collect::<Vec<_>>();
        let mut indexes = sqlx::query!(
            r#"SELECT i.indexrelid::regclass::text AS "name!", pg_get_indexdef(i.indexrelid) AS "definition!",
                      ARRAY(SELECT inhrelid::regclass::text FROM pg_inherits
                            WHERE inhparent = i.indrelid ORDER BY 1) AS "partitions!"
               FROM pg_index i
               WHERE i.indrelid::regclass::text = ANY($1) AND NOT i.indisunique AND NOT i.indisprimary"#,
            &tables
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| Index {
            name: row.name,
            definition: row.definition,
            partitions: row.partitions,
        })
        .collect::<Vec<_>>();
        // Rebuilt two at a time, the longest first, so the last to finish
        // is a short one: the GIN index over articles' text, then the rest
        // of articles', then the smaller tables'.
        indexes.sort_by_key(|index| {
            (
                !index.definition.contains("USING gin"),
                !index.definition.contains(" articles "),
            )
        });

        let mut tx = pool.begin().await?;
        for (table, name, _) in &foreign_keys {
            sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .execute(&mut *tx)
                .await?;
        }
        for index in &indexes {
            sqlx::query(&format!("DROP INDEX {}", index.name))
                .execute(&mut *tx)
                .await?;
        }
        // Disabling a partitioned table's trigger disables it on every
        // partition.
        for (table, trigger) in ROW_TRIGGERS {
            sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Self {
            indexes,
            foreign_keys,
            triggers: true,
        })
    }

    /// Puts back what [`Deferred::set_aside`] removed, building indexes on
    /// `jobs` connections at once. `longest_delay` bounds every loaded
    /// article's time from writing to publishing.
    pub(super) async fn restore(
        self,
        pool: &PgPool,
        jobs: usize,
        longest_delay: chrono::Duration,
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        let builds: Vec<String> = self.indexes.iter().flat_map(Index::builds).collect();
        futures::stream::iter(&builds)
            .map(|build| async move {
                let mut conn = pool.acquire().await?;
                sqlx::query("SET maintenance_work_mem = '512MB'")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(build)
                    .execute(&mut *conn)
                    .await
                    .with_context(|| format!("rebuilding an index: {build}"))?;
                anyhow::Ok(())
            })
            .buffer_unordered(jobs.max(1))
            .try_collect::<()>()
            .await?;
        for index in self.indexes.iter().filter(|index| !index.partitions.is_empty()) {
            sqlx::query(&index.statement())
                .execute(pool)
                .await
                .with_context(|| format!("recreating {}", index.name))?;
        }
        println!(
            "seed:   {} indexes in {:.1}s ({} builds, {} at a time)",
            self.indexes.len(),
            started.elapsed().as_secs_f64(),
            builds.len(),
            jobs.max(1)
        );
        // Adding a foreign key checks every row with one join; two at once
        // on the same table would queue on its lock anyway.
        for (table, name, definition) in &self.foreign_keys {
            let started = Instant::now();
            sqlx::query(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
                .execute(pool)
                .await
                .with_context(|| format!("recreating {name}"))?;
            println!("seed:   key {name} in {:.1}s", started.elapsed().as_secs_f64());
        }
        if self.triggers {
            let mut tx = pool.begin().await?;
            sqlx::query!(
                "UPDATE article_publication_delay SET longest = greatest(longest, make_interval(secs => $1))",
                longest_delay.num_seconds() as f64
            )
            .execute(&mut *tx)
            .await?;
            for (table, trigger) in ROW_TRIGGERS {
                sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }
}

/// `VACUUM (ANALYZE)` of every loaded table, `jobs` at once: it sets the
/// visibility map, so listings' index scans (the seek anchors' pass above
/// all) need not visit the heap, and gives the planner its statistics.
pub(super) async fn vacuum(pool: &PgPool, jobs: usize) -> anyhow::Result<()> {
    // The biggest first, as with the indexes.
    let tables = [
        "articles",
        "article_tags",
        "favorites",
        "article_slugs",
        "comments",
        "author_publications",
        "users",
        "user_emails",
        "user_names",
        "tag_counts",
    ];
    futures::stream::iter(tables)
        .map(|table| async move {
            sqlx::query(&format!("VACUUM (ANALYZE) {table}"))
                .execute(pool)
                .await
                .with_context(|| format!("vacuuming {table}"))?;
            anyhow::Ok(())
        })
        .buffer_unordered(jobs.max(1))
        .try_collect::<()>()
        .await
}
