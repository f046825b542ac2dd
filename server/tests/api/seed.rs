use warta::seed::SeedArgs;

use crate::helpers::fresh_database;

fn args(seed: u64) -> SeedArgs {
    SeedArgs {
        users: 300,
        articles: 2_000,
        seed,
        until: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        jobs: 2,
        if_empty: false,
    }
}

struct ArticleIndex {
    name: String,
    valid: bool,
    partitions: i64,
}

/// The secondary indexes on `articles`, with how many partitions each covers.
async fn article_indexes(db: &sqlx::PgPool) -> Vec<ArticleIndex> {
    sqlx::query_as!(
        ArticleIndex,
        r#"SELECT i.indexrelid::regclass::text AS "name!", i.indisvalid AS "valid!",
                  (SELECT count(*) FROM pg_inherits WHERE inhparent = i.indexrelid) AS "partitions!"
           FROM pg_index i
           WHERE i.indrelid = 'articles'::regclass AND NOT i.indisprimary
           ORDER BY 1"#
    )
    .fetch_all(db)
    .await
    .unwrap()
}

/// A digest of everything seeded, to compare two loads.
async fn digest(db: &sqlx::PgPool) -> String {
    sqlx::query_scalar!(
        r#"SELECT md5(string_agg(concat_ws('|', id, user_id, slug, title, md5(body), status, views,
                                          created_at, published_at, search), ',' ORDER BY id)) AS "digest!"
           FROM articles"#
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// Every foreign key's name, by table.
async fn foreign_key_names(db: &sqlx::PgPool) -> Vec<String> {
    sqlx::query_scalar!(
        r#"SELECT conrelid::regclass::text || '.' || conname AS "name!" FROM pg_constraint
           WHERE contype = 'f' AND conparentid = 0 ORDER BY 1"#
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn favorites_count(db: &sqlx::PgPool, article: i64) -> i32 {
    sqlx::query_scalar!("SELECT favorites_count FROM articles WHERE id = $1", article)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn seeding_is_deterministic_for_a_given_seed() {
    let (_, first) = fresh_database().await;
    let (_, second) = fresh_database().await;
    let (_, other) = fresh_database().await;
    warta::seed::run(&first, &args(7)).await.unwrap();
    warta::seed::run(&second, &args(7)).await.unwrap();
    warta::seed::run(&other, &args(8)).await.unwrap();
    assert_eq!(digest(&first).await, digest(&second).await);
    assert_ne!(digest(&first).await, digest(&other).await);
}

#[tokio::test]
async fn seeded_data_looks_like_a_real_site() {
    let (_, db) = fresh_database().await;
    warta::seed::run(&db, &args(1)).await.unwrap();

    let stats = sqlx::query!(
        r#"SELECT count(*) AS "articles!",
                  count(*) FILTER (WHERE status = 'published') AS "published!",
                  avg(length(body))::float8 AS "avg_body!",
                  max(views) AS "max_views!",
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY views) FILTER (WHERE status = 'published') AS "median_views!",
                  (extract(epoch FROM max(created_at) - min(created_at)) / 86400)::float8 AS "days!"
           FROM articles"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stats.articles, 2_000);
    let published = stats.published as f64 / 2_000.0;
    assert!((0.87..0.93).contains(&published), "{published} published");
    assert!(
        (1_500.0..4_500.0).contains(&stats.avg_body),
        "average body {} bytes",
        stats.avg_body
    );
    assert!(stats.max_views as f64 > 50.0 * stats.median_views, "heavy-tailed views");
    assert!(stats.days > 1_000.0, "spread over three years, got {} days", stats.days);

    // The bulk load skipped the registries' trigger and filled them itself:
    // every seeded account is found by its email and its name.
    let registered = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM users) AS "users!",
                  (SELECT count(*) FROM users u JOIN user_emails e ON e.user_id = u.id AND e.email = lower(u.email)) AS "emails!",
                  (SELECT count(*) FROM users u JOIN user_names n ON n.user_id = u.id AND n.username = lower(u.username)) AS "names!""#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(registered.users > 0);
    assert_eq!(
        (registered.emails, registered.names),
        (registered.users, registered.users)
    );

    // Indexes and keys dropped for the bulk load are all back (the same as
    // a freshly migrated database has), valid, and on every partition.
    let indexes = article_indexes(&db).await;
    let partitions =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM pg_inherits WHERE inhparent = 'articles'::regclass"#)
            .fetch_one(&db)
            .await
            .unwrap();
    let (_, fresh) = fresh_database().await;
    let names = |indexes: &[ArticleIndex]| indexes.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&indexes), names(&article_indexes(&fresh).await));
    assert!(indexes.len() >= 3, "{:?}", names(&indexes));
    for index in &indexes {
        assert!(index.valid, "{} is valid", index.name);
        assert_eq!(index.partitions, partitions, "{} covers every partition", index.name);
    }
    let foreign_keys = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM pg_constraint
           WHERE contype = 'f' AND conparentid = 0
             AND conrelid IN ('articles'::regclass, 'article_slugs'::regclass)"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(foreign_keys, 2, "articles.user_id and article_slugs' article key");
    let slugs = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM article_slugs"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(slugs, 2_000);

    // Tags: most articles carry some, a few tags carry most, the counts
    // agree with the rows, and the tag pages' index survived the rebuild.
    let tagged = sqlx::query_scalar!(r#"SELECT count(DISTINCT article_id) AS "n!" FROM article_tags"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!((1_200..1_700).contains(&tagged), "{tagged} of 2,000 articles tagged");
    let mismatched = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM tag_counts c
           FULL JOIN (SELECT tag, count(*) AS n FROM article_tags WHERE published_at IS NOT NULL GROUP BY tag) t
             ON t.tag = c.tag
           WHERE c.articles IS DISTINCT FROM t.n::int"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(mismatched, 0, "tag_counts agrees with article_tags");
    let top = sqlx::query_scalar!("SELECT articles FROM tag_counts ORDER BY articles DESC LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    let bottom = sqlx::query_scalar!("SELECT articles FROM tag_counts ORDER BY articles LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(top > 5 * bottom, "popularity falls off: {top} vs {bottom}");
    let index_valid = sqlx::query_scalar!(
        r#"SELECT indisvalid AS "valid!" FROM pg_index WHERE indexrelid = 'article_tags_published_idx'::regclass"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(index_valid);

    // Readers saved and answered what they read: favorites and comments
    // only on published articles and after they were published, each
    // article's count agreeing with its rows, and every trigger the load
    // set aside working again.
    let engagement = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM favorites) AS "favorites!",
                  (SELECT count(*) FROM comments) AS "comments!",
                  (SELECT count(*) FROM articles a
                   WHERE favorites_count <> (SELECT count(*) FROM favorites f WHERE f.article_id = a.id)) AS "miscounted!",
                  (SELECT count(*) FROM favorites f JOIN articles a ON a.id = f.article_id
                   WHERE a.status <> 'published' OR f.created_at < a.published_at) AS "early_favorites!",
                  (SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id
                   WHERE a.status <> 'published' OR c.created_at < a.published_at) AS "early_comments!",
                  (SELECT count(*) FROM articles a
                   WHERE (a.status = 'published') <> EXISTS (
                       SELECT 1 FROM author_publications p
                       WHERE p.article_id = a.id AND p.created_at = a.created_at
                         AND p.user_id = a.user_id AND p.published_at = a.published_at)) AS "mislisted!",
                  (SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D') AS "disabled_triggers!",
                  (SELECT longest FROM article_publication_delay)
                      >= (SELECT max(published_at - created_at) FROM articles) AS "delay_bounded!""#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(engagement.favorites > 200, "{} favorites", engagement.favorites);
    assert!(engagement.comments > 50, "{} comments", engagement.comments);
    assert_eq!(
        (
            engagement.miscounted,
            engagement.early_favorites,
            engagement.early_comments
        ),
        (0, 0, 0)
    );
    assert_eq!(
        engagement.mislisted, 0,
        "every published article, and only those, on its author's page"
    );
    assert_eq!(engagement.disabled_triggers, 0);
    // Every search vector the seed composed is the one Postgres computes
    // from the text (see `server/src/seed/search.rs`).
    let misparsed = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM articles
           WHERE search IS DISTINCT FROM article_search_vector(title, description, body, language)"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(misparsed, 0, "seeded search vectors differ from Postgres's");
    assert!(engagement.delay_bounded);
    assert_eq!(
        foreign_key_names(&db).await,
        foreign_key_names(&fresh).await,
        "every foreign key is back"
    );
    let article = sqlx::query!("SELECT id, created_at FROM articles WHERE status = 'published' LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    let before = favorites_count(&db, article.id).await;
    sqlx::query!(
        "INSERT INTO favorites (user_id, article_id, article_created_at)
         SELECT u.id, $1, $2 FROM users u
         WHERE NOT EXISTS (SELECT 1 FROM favorites f WHERE f.user_id = u.id AND f.article_id = $1) LIMIT 1",
        article.id,
        article.created_at
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(
        favorites_count(&db, article.id).await,
        before + 1,
        "the count trigger is back"
    );

    // Seeded users can sign in with the demo password.
    let hash = sqlx::query_scalar!("SELECT password_hash FROM users LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn seeding_with_if_empty_leaves_a_populated_database_alone() {
    let (_, db) = fresh_database().await;
    warta::seed::run(&db, &args(1)).await.unwrap();
    let mut again = args(2);
    again.if_empty = true;
    warta::seed::run(&db, &again).await.unwrap();
    let users = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM users"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(users, 300);
}

#[tokio::test]
async fn a_failed_bulk_load_puts_indexes_keys_and_triggers_back() {
    // The first seeded account's name, taken in advance in the registry of
    // an otherwise empty database: registering the seeded names fails.
    let (_, first) = fresh_database().await;
    warta::seed::run(&first, &args(5)).await.unwrap();
    let taken = sqlx::query_scalar!("SELECT username FROM users WHERE id = 1")
        .fetch_one(&first)
        .await
        .unwrap();
    let (_, db) = fresh_database().await;
    sqlx::query!(
        "INSERT INTO user_names (username, user_id) VALUES (lower($1), 999999)",
        taken
    )
    .execute(&db)
    .await
    .unwrap();

    let error = warta::seed::run(&db, &args(5)).await.unwrap_err();
    assert!(format!("{error:#}").contains("usernames"), "{error:#}");
    let disabled = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM pg_trigger WHERE tgenabled = 'D'"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(disabled, 0, "no trigger is left disabled");
    let (_, fresh) = fresh_database().await;
    let names = |indexes: Vec<ArticleIndex>| indexes.into_iter().map(|i| (i.name, i.valid)).collect::<Vec<_>>();
    assert_eq!(names(article_indexes(&db).await), names(article_indexes(&fresh).await));
    assert_eq!(foreign_key_names(&db).await, foreign_key_names(&fresh).await);
}
