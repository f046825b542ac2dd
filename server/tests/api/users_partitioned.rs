//! `users` is hash-partitioned on id (16 partitions); emails and usernames
//! stay unique through the registry tables `user_emails` and `user_names`.
//! A lookup by id reads one partition, by email or name the registry and
//! then one partition; moving an existing database to this layout keeps
//! every row, id, key and session generation.

use app::ssr::queries::{accounts, moderation, users};
use sqlx::{Connection as _, PgConnection, PgPool};

use crate::{
    helpers::{fixtures, fresh_database},
    plans::{explaining, nodes, ran},
};

/// The partitions of `users` and the registries this connection read. A
/// backend keeps its counts pending for up to a second before publishing
/// them, and shows them all as its transaction's: so each lookup is made on
/// a connection of its own.
async fn read(conn: &mut PgConnection) -> (Vec<String>, Vec<String>) {
    let tables: Vec<String> = sqlx::query_scalar!(
        r#"SELECT relname AS "name!" FROM pg_stat_xact_user_tables
           WHERE (relname LIKE 'users\_p%' OR relname IN ('user_emails', 'user_names'))
             AND seq_scan + coalesce(idx_scan, 0) > 0
           ORDER BY relname"#
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    tables.into_iter().partition(|name| name.starts_with("users_p"))
}

#[tokio::test]
async fn account_lookups_read_one_partition_of_users() {
    let (url, db) = fresh_database().await;
    let connect = async || PgConnection::connect(&url).await.unwrap();
    for n in 0..48 {
        fixtures::user(&db, &format!("reader{n}")).await;
    }
    let id = fixtures::user(&db, "Findable").await;

    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    let account = accounts::by_id(&mut *tx, id).await.unwrap().expect("found by id");
    assert_eq!(account.username, "Findable");
    let (partitions, registries) = read(&mut tx).await;
    assert_eq!(
        (partitions.len(), registries.len()),
        (1, 0),
        "{partitions:?} {registries:?}"
    );
    tx.rollback().await.unwrap();

    // Any case finds the account, through the registry, then one partition.
    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    let credentials = accounts::by_email(&mut *tx, "FINDABLE@Example.com")
        .await
        .unwrap()
        .expect("found by email");
    assert_eq!(credentials.user.id, id);
    let (partitions, registries) = read(&mut tx).await;
    assert_eq!(partitions.len(), 1, "{partitions:?}");
    assert_eq!(registries, ["user_emails"]);
    tx.rollback().await.unwrap();

    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    let recipient = accounts::link_recipient(&mut *tx, "findable@example.com")
        .await
        .unwrap()
        .expect("found by email");
    assert_eq!(recipient.id, id);
    assert_eq!(read(&mut tx).await.0.len(), 1);
    tx.rollback().await.unwrap();

    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    let (profile_id, _) = users::profile(&mut *tx, "FINDABLE")
        .await
        .unwrap()
        .expect("found by name");
    assert_eq!(profile_id, id);
    let (partitions, registries) = read(&mut tx).await;
    assert_eq!(partitions.len(), 1, "{partitions:?}");
    assert_eq!(registries, ["user_names"]);
    tx.rollback().await.unwrap();

    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    let member = moderation::member_named(&mut *tx, "findable")
        .await
        .unwrap()
        .expect("found by name");
    assert_eq!(member.id, id);
    assert_eq!(read(&mut tx).await.0.len(), 1);
    tx.rollback().await.unwrap();

    // Nobody by that name: the registry answers, no partition is read.
    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    assert!(
        accounts::by_email(&mut *tx, "nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (partitions, registries) = read(&mut tx).await;
    assert_eq!(
        (partitions.len(), registries.as_slice()),
        (0, ["user_emails".to_owned()].as_slice())
    );
    tx.rollback().await.unwrap();
}

/// The `users` partitions in the plans of one lookup, each with how many
/// times its scan ran, and the partitions the plans removed before running.
fn partitions_planned(plans: &[serde_json::Value]) -> (Vec<(String, u64)>, u64) {
    let mut scans = Vec::new();
    let mut removed = 0;
    for plan in plans {
        for node in nodes(&plan["Plan"]) {
            removed += node["Subplans Removed"].as_u64().unwrap_or(0);
            if let Some(name) = node["Relation Name"].as_str()
                && name.starts_with("users_p")
            {
                scans.push((name.to_owned(), node["Actual Loops"].as_u64().unwrap_or(0)));
            }
        }
    }
    (scans, removed)
}

/// A lookup by email or name finds its partition as the statement starts:
/// the id is a stable function's result, not a subquery's, so the plan keeps
/// one partition's scan and removes 15 before running (a subquery's plan
/// opens all 16 and runs one), and an address nobody has opens none. Both
/// plans a connection can use: custom ones, made for each call's values,
/// and the generic one it settles on after five calls.
#[tokio::test]
async fn lookups_by_email_or_name_open_one_partition() {
    let (url, db) = fresh_database().await;
    for n in 0..48 {
        fixtures::user(&db, &format!("reader{n}")).await;
    }
    let id = fixtures::user(&db, "Findable").await;
    for settings in [
        "SET plan_cache_mode = force_custom_plan",
        "SET plan_cache_mode = force_generic_plan",
    ] {
        let explained = explaining(&url, settings).await;
        let one = |plans: &[serde_json::Value], what: &str| {
            let (scans, removed) = partitions_planned(plans);
            assert_eq!(scans.len(), 1, "{settings}: {what} planned {scans:?}");
            assert_eq!(scans[0].1, 1, "{settings}: {what} ran {scans:?}");
            assert_eq!(removed, 15, "{settings}: {what}");
        };

        let (found, plans) = ran(accounts::by_email(&explained, "FINDABLE@Example.com")).await;
        assert_eq!(found.unwrap().expect("found by email").user.id, id);
        one(&plans, "by_email");

        let (found, plans) = ran(accounts::link_recipient(&explained, "findable@example.com")).await;
        assert_eq!(found.unwrap().expect("found by email").id, id);
        one(&plans, "link_recipient");

        let (found, plans) = ran(users::profile(&explained, "FINDABLE")).await;
        assert_eq!(found.unwrap().expect("found by name").0, id);
        one(&plans, "profile");

        let (found, plans) = ran(moderation::member_named(&explained, "findable")).await;
        assert_eq!(found.unwrap().expect("found by name").id, id);
        one(&plans, "member_named");

        let (found, plans) = ran(accounts::by_email(&explained, "nobody@example.com")).await;
        assert!(found.unwrap().is_none());
        let (scans, removed) = partitions_planned(&plans);
        assert_eq!(
            (scans.len(), removed),
            (0, 16),
            "{settings}: nobody's address {scans:?}"
        );
    }
}

#[tokio::test]
async fn the_registries_follow_every_insert_change_and_delete() {
    let (_, db) = fresh_database().await;
    let ada = fixtures::user(&db, "Ada").await;

    // Taken in any case, under the names the old unique indexes had.
    let taken = |username: &'static str, email: &'static str| {
        let db = db.clone();
        async move {
            let error = sqlx::query!(
                "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'x')",
                username,
                email
            )
            .execute(&db)
            .await
            .expect_err("a taken name or address is refused");
            error.as_database_error().unwrap().constraint().unwrap().to_owned()
        }
    };
    assert_eq!(taken("other", "ADA@example.com").await, "users_email_key");
    assert_eq!(taken("ADA", "other@example.com").await, "users_username_key");

    // A change frees the old spelling and takes the new one.
    sqlx::query!(
        "UPDATE users SET username = 'Lovelace', email = 'lovelace@example.org' WHERE id = $1",
        ada
    )
    .execute(&db)
    .await
    .unwrap();
    let grace = fixtures::user(&db, "ada").await;
    assert!(accounts::by_email(&db, "Lovelace@example.org").await.unwrap().is_some());
    assert_eq!(taken("lovelace", "x@example.org").await, "users_username_key");

    // Changing only the case keeps the registration.
    sqlx::query!("UPDATE users SET username = 'LOVELACE' WHERE id = $1", ada)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        users::profile(&db, "lovelace").await.unwrap().map(|(id, _)| id),
        Some(ada)
    );

    // A deleted account frees its name and address.
    sqlx::query!("DELETE FROM users WHERE id = $1", grace)
        .execute(&db)
        .await
        .unwrap();
    assert!(users::profile(&db, "ada").await.unwrap().is_none());
    fixtures::user(&db, "ada").await;

    let (users, emails, names) = registry_counts(&db).await;
    assert_eq!((emails, names), (users, users));
}

async fn registry_counts(db: &PgPool) -> (i64, i64, i64) {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM users) AS "users!",
                  (SELECT count(*) FROM users u JOIN user_emails e ON e.user_id = u.id AND e.email = lower(u.email)) AS "emails!",
                  (SELECT count(*) FROM users u JOIN user_names n ON n.user_id = u.id AND n.username = lower(u.username)) AS "names!""#
    )
    .fetch_one(db)
    .await
    .unwrap();
    (row.users, row.emails, row.names)
}

/// What must survive the move, row by row.
async fn accounts_snapshot(db: &PgPool) -> Vec<(i64, String, String, String, i64, String)> {
    sqlx::query_as("SELECT id, username, email, password_hash, session_generation, role FROM users ORDER BY id")
        .fetch_all(db)
        .await
        .unwrap()
}

/// Rows that point at accounts, per table.
async fn references(db: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT 'articles', count(*) FROM articles UNION ALL
         SELECT 'follows', count(*) FROM follows UNION ALL
         SELECT 'api_tokens', count(*) FROM api_tokens UNION ALL
         SELECT 'foreign keys', count(*) FROM pg_constraint
             WHERE contype = 'f' AND confrelid = 'users'::regclass AND conparentid = 0",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_existing_database_moves_to_partitioned_users_keeping_every_row_and_session() {
    // The schema as it was before the partitioning, with accounts in it.
    let db = crate::helpers::database_before(20261209000000).await;
    sqlx::query(
        "INSERT INTO users (username, email, password_hash, session_generation, role)
         SELECT 'Writer' || n, 'Writer' || n || '@Example.org', 'hash' || n, n % 3,
                CASE WHEN n = 1 THEN 'admin' ELSE 'reader' END
         FROM generate_series(1, 200) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("DELETE FROM users WHERE id % 7 = 0")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO articles (user_id, slug, title, body, status, published_at)
         SELECT id, 'story-' || id, 'Story', 'Body', 'published', now() FROM users WHERE id % 2 = 0",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO follows (follower_id, author_id) SELECT a.id, 2 FROM users a WHERE a.id <> 2")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, expires_at)
         SELECT sha256(id::text::bytea), id, now() + interval '1 day' FROM users",
    )
    .execute(&db)
    .await
    .unwrap();
    let accounts_before = accounts_snapshot(&db).await;
    let references_before = references(&db).await;

    warta::db::migrate(&db).await.expect("users move to partitions");

    let partitions: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_partition_tree('users') WHERE isleaf")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(partitions, 16);
    // Every account as it was: ids, names, addresses, password hashes and
    // the session generation a signed-in session is checked against.
    assert_eq!(accounts_snapshot(&db).await, accounts_before);
    assert_eq!(references(&db).await, references_before);
    let (users, emails, names) = registry_counts(&db).await;
    assert_eq!((users, emails, names), (accounts_before.len() as i64, users, users));

    // New accounts take ids after the old ones, and deleting one still
    // takes what pointed at it.
    let newest = accounts_before.last().unwrap().0;
    let fresh = fixtures::user(&db, "newcomer").await;
    assert!(fresh > newest, "{fresh} after {newest}");
    sqlx::query("DELETE FROM users WHERE id = 2")
        .execute(&db)
        .await
        .unwrap();
    let follows: i64 = sqlx::query_scalar("SELECT count(*) FROM follows")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(follows, 0);
}
