//! Reads spread to replicas: `DATABASE_REPLICA_URLS`.
//!
//! A real streaming replica is `make cluster-test`'s business; here a
//! second database stands in for one. It holds what the primary does not,
//! so a page that only it can answer shows where a read went.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use crate::{
    helpers::{TestApp, dead_port, eventually, fixtures, fresh_database},
    own_redis::OwnRedis,
};

/// Waits until `/readyz` reports every replica as `healthy`.
async fn replicas_become(app: &TestApp, healthy: bool) -> Value {
    eventually(
        Duration::from_secs(10),
        "the replicas' health is reported",
        async || {
            let body: Value = app.get("/readyz").await.json().await.expect("JSON");
            let replicas = body["checks"]["replicas"].as_array().expect("a list of replicas");
            if !replicas.is_empty() && replicas.iter().all(|replica| replica["healthy"] == healthy) {
                Ok(body)
            } else {
                Err(body.to_string())
            }
        },
    )
    .await
}

#[tokio::test]
async fn public_reads_go_to_a_healthy_replica() {
    let (replica_url, replica) = fresh_database().await;
    let author = fixtures::user(&replica, "only-here").await;
    let slug = fixtures::article(&replica, author, "Only on the replica", Utc::now(), Some(Utc::now())).await;
    let app = TestApp::builder()
        .var("DATABASE_REPLICA_URLS", replica_url)
        .spawn()
        .await;

    let body = replicas_become(&app, true).await;
    assert_eq!(body["status"], "ready");
    let response = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(response.status(), 200, "the replica answered the read");
    assert!(app.page("/").await.contains("Only on the replica"));

    // The primary does not have it: an author's own data is read there.
    assert_eq!(
        sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM articles")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn with_the_replica_down_reads_come_from_the_primary_and_the_instance_stays_ready() {
    let app = TestApp::builder()
        .var(
            "DATABASE_REPLICA_URLS",
            format!("postgres://warta@127.0.0.1:{}/warta", dead_port()),
        )
        .var("WARTA_DB_ACQUIRE_TIMEOUT_MS", "300")
        .spawn()
        .await;
    app.sign_up("writer").await;
    let location = app.write_with(&app.client, "Written to the primary", "publish").await;

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200, "a dead replica does not take the instance out");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["replicas"][0]["healthy"], false, "{body}");
    assert_eq!(app.get(&location).await.status(), 200);
    assert!(app.page("/").await.contains("Written to the primary"));
}

#[tokio::test]
async fn a_write_moves_its_cache_groups_to_the_primarys_wal_position() {
    // With replicas, a cached group's generation is the WAL position a
    // replica must have replayed before it may fill the group again.
    let redis = OwnRedis::start().await;
    let (replica_url, _replica) = fresh_database().await;
    let app = TestApp::builder()
        .var("DATABASE_REPLICA_URLS", replica_url)
        .var("REDIS_URL", redis.url())
        .spawn()
        .await;
    let lsn = || async {
        let text = sqlx::query_scalar!(r#"SELECT pg_current_wal_insert_lsn()::text AS "lsn!""#)
            .fetch_one(&app.db)
            .await
            .unwrap();
        app::ssr::database::Lsn::parse(&text).unwrap().0
    };

    app.sign_up("writer").await;
    let before = lsn().await;
    app.write_with(&app.client, "A new generation", "publish").await;
    let after = lsn().await;

    let keys = redis
        .keys(&format!("generation:{}", app::ssr::cache::key_part("latest")))
        .await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let generation: u64 = redis::cmd("GET").arg(&keys[0]).query_async(&mut conn).await.unwrap();
    assert!(
        before < generation && generation <= after,
        "generation {generation} is not the position after the write ({before}..={after})"
    );
}
