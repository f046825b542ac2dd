use chrono::{TimeZone as _, Utc};

use crate::helpers::{fixtures, fresh_database};

#[tokio::test]
async fn emails_and_usernames_are_unique_regardless_of_case() {
    let (_, db) = fresh_database().await;
    fixtures::user(&db, "Ada").await;
    let same_email =
        sqlx::query!("INSERT INTO users (username, email, password_hash) VALUES ('other', 'ADA@example.com', 'x')")
            .execute(&db)
            .await
            .unwrap_err();
    assert_eq!(
        same_email.as_database_error().unwrap().constraint(),
        Some("users_email_key")
    );
    let same_name =
        sqlx::query!("INSERT INTO users (username, email, password_hash) VALUES ('ada', 'b@example.com', 'x')")
            .execute(&db)
            .await
            .unwrap_err();
    assert_eq!(
        same_name.as_database_error().unwrap().constraint(),
        Some("users_username_key")
    );
}

#[tokio::test]
async fn slugs_are_unique_across_partitions() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "ada").await;
    let now = Utc::now();
    fixtures::article(&db, ada, "Same title", now, Some(now)).await;
    let error = sqlx::query!(
        "INSERT INTO article_slugs (slug, article_id, article_created_at)
         SELECT 'same-title', id, created_at FROM articles LIMIT 1"
    )
    .execute(&db)
    .await
    .unwrap_err();
    assert!(error.as_database_error().unwrap().is_unique_violation());
}

#[tokio::test]
async fn articles_land_in_their_month_partition_and_old_months_in_the_default() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "ada").await;
    let now = Utc::now();
    let long_ago = Utc.with_ymd_and_hms(2001, 5, 17, 12, 0, 0).unwrap();
    fixtures::article(&db, ada, "Current", now, Some(now)).await;
    fixtures::article(&db, ada, "Ancient", long_ago, Some(long_ago)).await;

    let partitions = sqlx::query!(
        r#"SELECT a.title, a.tableoid::regclass::text AS "partition!" FROM articles a ORDER BY a.created_at"#
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        partitions[0].partition, "articles_default",
        "no partition for 2001: the default takes it"
    );
    assert_eq!(partitions[1].partition, format!("articles_y{}", now.format("%Ym%m")));
}

#[tokio::test]
async fn partitions_are_created_ahead_and_creation_is_idempotent_and_concurrency_safe() {
    let (_, db) = fresh_database().await;
    let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    // Several instances doing upkeep at once must neither fail nor duplicate.
    let results = futures::future::join_all((0..4).map(|_| warta::db::ensure_partitions_from(&db, from))).await;
    let created: i32 = results.into_iter().map(|r| r.expect("upkeep succeeds")).sum();
    assert!(
        created > 24,
        "2024 onwards needs more than 24 months, created {created}"
    );
    assert_eq!(
        warta::db::ensure_partitions_from(&db, from).await.unwrap(),
        0,
        "nothing left to create"
    );

    let ahead = Utc::now().date_naive() + chrono::Months::new(warta::db::PARTITION_MONTHS_AHEAD as u32);
    let name = format!("articles_y{}", ahead.format("%Ym%m"));
    let exists = sqlx::query_scalar!(r#"SELECT to_regclass($1) IS NOT NULL AS "exists!""#, name)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(exists, "{name} exists");
}

/// `author_publications` against the articles it indexes: the same
/// published rows, after each kind of write.
async fn assert_mirrors_articles(db: &sqlx::PgPool, step: &str) {
    let index = sqlx::query!(
        "SELECT article_id, created_at, user_id, published_at FROM author_publications ORDER BY article_id"
    )
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.article_id, row.created_at, row.user_id, row.published_at))
    .collect::<Vec<_>>();
    let published = sqlx::query!(
        r#"SELECT id, created_at, user_id, published_at AS "published_at!" FROM articles
           WHERE status = 'published' ORDER BY id"#
    )
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.id, row.created_at, row.user_id, row.published_at))
    .collect::<Vec<_>>();
    assert_eq!(index, published, "after {step}");
}

#[tokio::test]
async fn author_publications_holds_exactly_the_published_articles() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "ada").await;
    let now = Utc::now();
    let draft = fixtures::article(&db, ada, "Draft", now, None).await;
    fixtures::article(&db, ada, "Published", now, Some(now)).await;
    fixtures::stories(&db, ada, 5, now).await;
    assert_mirrors_articles(&db, "inserts of drafts, one article and several in one statement").await;
    let count: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM author_publications"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 6);

    sqlx::query!(
        "UPDATE articles SET status = 'published', published_at = now() WHERE slug = $1",
        draft
    )
    .execute(&db)
    .await
    .unwrap();
    assert_mirrors_articles(&db, "publishing a draft").await;

    // Writes that leave publication alone do not touch the index row.
    let xmin = async || -> String {
        sqlx::query_scalar!(
            r#"SELECT xmin::text AS "xmin!" FROM author_publications
               WHERE article_id = (SELECT id FROM articles WHERE slug = 'published')"#
        )
        .fetch_one(&db)
        .await
        .unwrap()
    };
    let before = xmin().await;
    sqlx::query!(
        "UPDATE articles SET views = views + 7, title = 'Retitled', updated_at = now() WHERE slug = 'published'"
    )
    .execute(&db)
    .await
    .unwrap();
    let after = xmin().await;
    assert_eq!(before, after, "a view count or an edit rewrote the index row");

    sqlx::query!("UPDATE articles SET status = 'draft' WHERE slug = 'story-1'")
        .execute(&db)
        .await
        .unwrap();
    assert_mirrors_articles(&db, "unpublishing").await;
    sqlx::query!(
        "UPDATE articles SET status = 'published', published_at = now() + interval '1 minute' WHERE slug = 'story-1'"
    )
    .execute(&db)
    .await
    .unwrap();
    assert_mirrors_articles(&db, "publishing again, later").await;
    sqlx::query!("DELETE FROM articles WHERE slug IN ('story-2', 'draft')")
        .execute(&db)
        .await
        .unwrap();
    assert_mirrors_articles(&db, "deleting").await;
    sqlx::query!("DELETE FROM users WHERE id = $1", ada)
        .execute(&db)
        .await
        .unwrap();
    assert_mirrors_articles(&db, "deleting the author").await;
}

/// The text limits (migrations of 2026-12-05) hold for rows written before
/// them too: those are mended as the constraints arrive, so `warta migrate`
/// succeeds on an existing database and leaves nothing that breaks a rule.
#[tokio::test]
async fn rows_written_before_the_text_limits_are_mended_when_they_arrive() {
    // The schema as it was the day before.
    let db = crate::helpers::database_before(20261205000000).await;
    sqlx::query(
        "INSERT INTO users (username, email, password_hash, bio, image)
         VALUES ('ada', 'ada@example.org', 'x', $1, 'javascript:alert(1)')",
    )
    .bind(format!("line one\r\nline two\u{202E}{}", "b".repeat(1500)))
    .execute(&db)
    .await
    .unwrap();
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
         SELECT id, 'old', $1, $2, 'body', 'published', $3, $3 FROM users",
    )
    .bind("Tabs\tand\u{202E}overrides")
    .bind("A\u{7}bell")
    .bind(now)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO article_tags (article_id, article_created_at, tag, position)
         SELECT id, created_at, t.tag, t.position FROM articles,
         (VALUES ('rust', 0), (E'ru\\u2066st', 1), (E'new\\u202Eer', 2)) AS t(tag, position)",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO comments (article_id, article_created_at, user_id, body)
         SELECT a.id, a.created_at, a.user_id, E'first\\r\\nsecond' FROM articles a",
    )
    .execute(&db)
    .await
    .unwrap();

    warta::db::migrate(&db)
        .await
        .expect("the text limits apply to old rows");

    let (bio, image): (String, Option<String>) = sqlx::query_as("SELECT bio, image FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(bio.starts_with("line one\nline twob"), "{bio:?}");
    assert_eq!(bio.chars().count(), 1000);
    assert_eq!(image, None);
    let (title, description): (String, String) = sqlx::query_as("SELECT title, description FROM articles")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((title.as_str(), description.as_str()), ("Tabs andoverrides", "Abell"));
    let tags: Vec<String> = sqlx::query_scalar("SELECT tag FROM article_tags ORDER BY position")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(tags, ["rust", "newer"], "a tag that would repeat another is dropped");
    let comment: String = sqlx::query_scalar("SELECT body FROM comments")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(comment, "first\nsecond");

    // And the rules hold from now on.
    let refused = sqlx::query("UPDATE users SET bio = E'a\\rb'")
        .execute(&db)
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_database_error().unwrap().constraint(),
        Some("users_bio_text")
    );
    db.close().await;
}

/// Tags as the listings read them: each tag row carries its article's
/// publication time (NULL for drafts), and `tag_counts` holds how many
/// published articles carry each tag. Checked against `articles` itself.
async fn assert_tags_mirror_articles(db: &sqlx::PgPool, step: &str) {
    let stale = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM article_tags t
           JOIN articles a ON a.id = t.article_id AND a.created_at = t.article_created_at
           WHERE t.published_at IS DISTINCT FROM (CASE WHEN a.status = 'published' THEN a.published_at END)"#
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(stale, 0, "tag rows with the wrong publication time after {step}");
    let counted = sqlx::query!(r#"SELECT tag, articles FROM tag_counts WHERE articles > 0 ORDER BY tag"#)
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.tag, i64::from(row.articles)))
        .collect::<Vec<_>>();
    let actual = sqlx::query!(
        r#"SELECT t.tag, count(*) AS "n!" FROM article_tags t
           JOIN articles a ON a.id = t.article_id AND a.created_at = t.article_created_at
           WHERE a.status = 'published' GROUP BY t.tag ORDER BY t.tag"#
    )
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.tag, row.n))
    .collect::<Vec<_>>();
    assert_eq!(counted, actual, "tag counts after {step}");
}

async fn tag(db: &sqlx::PgPool, slug: &str, tags: &[&str]) {
    let mut tx = db.begin().await.unwrap();
    let (id, created_at) =
        sqlx::query_as::<_, (i64, chrono::DateTime<Utc>)>("SELECT id, created_at FROM articles WHERE slug = $1")
            .bind(slug)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    let tags: Vec<String> = tags.iter().map(|tag| (*tag).to_owned()).collect();
    app::ssr::queries::editing::set_tags(&mut tx, id, created_at, &tags)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn tag_rows_and_counts_follow_every_kind_of_write() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "ada").await;
    let now = Utc::now();
    let draft = fixtures::article(&db, ada, "Draft", now, None).await;
    let published = fixtures::article(&db, ada, "Published", now, Some(now)).await;
    fixtures::stories(&db, ada, 3, now).await;
    tag(&db, &draft, &["rust", "draft-only"]).await;
    tag(&db, &published, &["rust", "web"]).await;
    tag(&db, "story-1", &["rust"]).await;
    assert_tags_mirror_articles(&db, "tagging drafts and published articles").await;
    let rust: i32 = sqlx::query_scalar!("SELECT articles FROM tag_counts WHERE tag = 'rust'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rust, 2, "the draft's tag is not counted");

    tag(&db, &published, &["web", "engines"]).await;
    assert_tags_mirror_articles(&db, "retagging").await;
    sqlx::query!(
        "UPDATE articles SET status = 'published', published_at = now() WHERE slug = $1",
        draft
    )
    .execute(&db)
    .await
    .unwrap();
    assert_tags_mirror_articles(&db, "publishing a draft").await;
    sqlx::query!("UPDATE articles SET status = 'draft' WHERE slug = 'story-1'")
        .execute(&db)
        .await
        .unwrap();
    assert_tags_mirror_articles(&db, "unpublishing").await;
    sqlx::query!(
        "UPDATE articles SET published_at = now() + interval '1 minute' WHERE slug = $1",
        published
    )
    .execute(&db)
    .await
    .unwrap();
    assert_tags_mirror_articles(&db, "moving the publication time").await;
    sqlx::query!("DELETE FROM articles WHERE slug = $1", draft)
        .execute(&db)
        .await
        .unwrap();
    assert_tags_mirror_articles(&db, "deleting an article").await;
    sqlx::query!("DELETE FROM users WHERE id = $1", ada)
        .execute(&db)
        .await
        .unwrap();
    assert_tags_mirror_articles(&db, "deleting the author").await;
}

#[tokio::test]
async fn favorite_counts_follow_the_rows_whoever_goes() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "ada").await;
    let now = Utc::now();
    let slug = fixtures::article(&db, ada, "Engines", now, Some(now)).await;
    let readers = [
        fixtures::user(&db, "bob").await,
        fixtures::user(&db, "cy").await,
        fixtures::user(&db, "di").await,
    ];
    let pool = db.clone();
    let count = async || -> i32 {
        sqlx::query_scalar!("SELECT favorites_count FROM articles WHERE slug = 'engines'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    for reader in readers {
        app::ssr::queries::favorites::set(&db, reader, &slug, true)
            .await
            .unwrap()
            .expect("a published article");
    }
    // Saving again changes nothing.
    let (_, again) = app::ssr::queries::favorites::set(&db, readers[0], &slug, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.count, 3);
    assert_eq!(count().await, 3);
    let (_, unsaved) = app::ssr::queries::favorites::set(&db, readers[0], &slug, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((unsaved.favorited, unsaved.count), (false, 2));
    // A reader who leaves takes their favorite with them.
    sqlx::query!("DELETE FROM users WHERE id = $1", readers[1])
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(count().await, 1);
    sqlx::query!("DELETE FROM articles WHERE slug = 'engines'")
        .execute(&db)
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM favorites"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0, "an article's favorites go with it");
    let draft = fixtures::article(&db, ada, "Draft", now, None).await;
    assert!(
        app::ssr::queries::favorites::set(&db, readers[2], &draft, true)
            .await
            .unwrap()
            .is_none(),
        "drafts cannot be saved"
    );
}

/// Tags written before the vocabulary each fold into their one spelling as
/// the migration arrives (the rule in its header): an article keeps every
/// tag with a letter or digit in it, a repeat that folds into another is
/// dropped, the counts follow, and no other spelling can be stored after.
#[tokio::test]
async fn tags_written_before_the_vocabulary_fold_into_one_spelling_each() {
    let db = crate::helpers::database_before(20261212000001).await;
    sqlx::query("INSERT INTO users (username, email, password_hash) VALUES ('ada', 'ada@example.org', 'x')")
        .execute(&db)
        .await
        .unwrap();
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
         SELECT id, s.slug, s.slug, '', 'body', 'published', $1 - s.age, $1 - s.age FROM users,
         (VALUES ('one', interval '1 minute'), ('two', interval '2 minutes')) AS s(slug, age)",
    )
    .bind(now)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO article_tags (article_id, article_created_at, tag, position, published_at)
         SELECT a.id, a.created_at, t.tag, t.position, a.published_at FROM articles a
         JOIN (VALUES ('one', 'Bersepeda', 0), ('one', 'bersepeda', 1), ('one', 'Web  Development', 2),
                      ('one', 'c++', 3), ('one', '++', 4), ('one', 'Node.js', 5), ('one', 'kopi-ō', 6),
                      ('two', 'BERSEPEDA', 0), ('two', 'rust', 1))
           AS t(slug, tag, position) ON t.slug = a.slug",
    )
    .execute(&db)
    .await
    .unwrap();

    warta::db::migrate(&db).await.expect("old tags fold");

    let tags_of = |slug: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT t.tag FROM article_tags t JOIN articles a ON a.id = t.article_id
                 WHERE a.slug = $1 ORDER BY t.position",
            )
            .bind(slug)
            .fetch_all(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        tags_of("one").await,
        ["bersepeda", "web-development", "c", "node-js", "kopi-ō"]
    );
    assert_eq!(tags_of("two").await, ["bersepeda", "rust"]);
    // Every folded tag is the app's own spelling of what was typed.
    for tag in tags_of("one").await {
        assert_eq!(app::domain::canonical_tag(&tag).as_deref(), Ok(tag.as_str()));
    }
    let counts: Vec<(String, i32)> =
        sqlx::query_as("SELECT tag, articles FROM tag_counts WHERE articles > 0 ORDER BY tag")
            .fetch_all(&db)
            .await
            .unwrap();
    let counted: Vec<(&str, i32)> = counts.iter().map(|(tag, n)| (tag.as_str(), *n)).collect();
    assert_eq!(
        counted,
        [
            ("bersepeda", 2),
            ("c", 1),
            ("kopi-ō", 1),
            ("node-js", 1),
            ("rust", 1),
            ("web-development", 1)
        ]
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM tag_counts WHERE tag <> lower(tag)")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0, "the old spellings' counts are gone");

    for other in ["Rust", "web development", "c++", "-rust", "node.js"] {
        let refused = sqlx::query("UPDATE article_tags SET tag = $1 WHERE tag = 'rust'")
            .bind(other)
            .execute(&db)
            .await
            .unwrap_err();
        assert_eq!(
            refused.as_database_error().unwrap().constraint(),
            Some("article_tags_tag_canonical"),
            "{other}"
        );
    }
    db.close().await;
}
