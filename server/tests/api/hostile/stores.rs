//! Issue 23, points 2 and 3: strangers cannot fill the Redis that holds
//! sessions, leave large or lasting keys in the cache's, or empty an
//! instance's page cache; and a flood of cache misses against a cache with
//! a small memory limit signs nobody out.

use std::time::Instant;

use chrono::Utc;
use reqwest::{StatusCode, header};

use crate::{
    helpers::{TestApp, browser, fixtures, location},
    own_redis::OwnRedis,
};

/// The longest a key for something that does not exist may live.
const ABSENT_TTL: i64 = 15;

#[tokio::test]
async fn what_strangers_ask_for_leaves_short_keys_and_only_short_lived_ones_for_nothing() {
    let (cache, sessions) = (OwnRedis::start().await, OwnRedis::start().await);
    let app = TestApp::builder()
        .var("REDIS_URL", cache.url())
        .var("WARTA_SESSION_REDIS_URL", sessions.url())
        .spawn()
        .await;
    let ada = fixtures::user(&app.db, "ada").await;
    fixtures::stories(&app.db, ada, 30, Utc::now()).await;

    // What a reader of real pages leaves: the listing, the sitemaps'
    // newest id. Kept as long as their kind's policy says.
    for path in ["/", "/sitemap.xml"] {
        assert_eq!(
            browser().get(app.url(path)).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let real: Vec<String> = cache.keys_and_ttls().await.into_iter().map(|(key, _)| key).collect();

    let huge_email = format!("{}@example.org", "a".repeat(300_000));
    let requests = [
        "/articles/no-such-article".to_owned(),
        "/articles/no-such-article/view.gif".to_owned(),
        "/sitemaps/articles-999999.xml".to_owned(),
        "/tags/no-such-tag".to_owned(),
        "/search?q=nothing-matches-this".to_owned(),
        "/@nobody-at-all".to_owned(),
        "/fn/comments?slug=no-such-article".to_owned(),
    ];
    for path in &requests {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert!(response.status().as_u16() < 500, "{path}");
    }
    assert_eq!(
        browser()
            .get(app.url("/sitemaps/articles-999999.xml"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "a sitemap past the end does not exist"
    );
    // Deep and odd offsets of the API's listing: answered, not kept.
    for offset in [7, 13, 29] {
        let response = browser()
            .get(app.url(&format!("/api/articles?limit=100&offset={offset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let sign_in = browser()
        .post(app.url("/api/users/login"))
        .json(&serde_json::json!({ "user": { "email": huge_email, "password": "whatever" } }))
        .send()
        .await
        .unwrap();
    assert!(sign_in.status().as_u16() < 500);

    let cached = cache.keys_and_ttls().await;
    for (key, _) in &cached {
        assert!(key.len() < 160, "a key is short whatever was asked: {key}");
        assert!(!key.contains("no-such") && !key.contains("nothing-matches"), "{key}");
    }
    // Nothing found, nothing kept for long: at most seconds each.
    let lasting: Vec<&(String, i64)> = cached
        .iter()
        .filter(|(key, _)| !real.contains(key))
        .filter(|(_, ttl)| *ttl > ABSENT_TTL || *ttl == -1)
        .collect();
    let odd_offsets = lasting.len();
    assert!(
        lasting.is_empty(),
        "only short-lived keys for things that do not exist; found {odd_offsets}: {lasting:?}"
    );
    // The sessions' Redis holds the attempt budgets, short keys all, and
    // never what was typed.
    for (key, ttl) in sessions.keys_and_ttls().await {
        assert!(key.len() < 160 && !key.contains("aaaa"), "{key}");
        assert!(ttl > 0, "every budget expires: {key}");
    }
}

#[tokio::test]
async fn only_a_write_empties_the_page_cache_never_a_cookie_named_like_the_session() {
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "60000").spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let x_cache = |path: &'static str| {
        let app = &app;
        async move {
            let response = browser().get(app.url(path)).send().await.unwrap();
            response.headers()["x-cache"].to_str().unwrap().to_owned()
        }
    };
    x_cache("/").await;
    assert_eq!(x_cache("/").await, "hit");

    // A made-up session cookie on a state change, answered or not.
    for (path, body) in [
        ("/fn/me", ""),
        ("/fn/logout", ""),
        ("/fn/follow", "username=ada&follow=true"),
    ] {
        let response = browser()
            .post(app.url(path))
            .header(header::COOKIE, "warta_session=made-up")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, &app.address)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(response.status().as_u16() < 500, "{path}");
    }
    // A real sign-in changes no page either.
    app.post_form_with(
        &browser(),
        "/fn/login",
        "/login",
        &[("email", "ada@example.org"), ("password", "correct horse")],
    )
    .await;
    assert_eq!(x_cache("/").await, "hit", "nothing a stranger sent emptied the cache");

    // Publishing is a write: the next reader gets the new page.
    let published = app.write_with(&ada, "A real write", "publish").await;
    assert!(published.starts_with("/articles/"));
    let response = browser().get(app.url("/")).send().await.unwrap();
    assert_eq!(response.headers()["x-cache"], "miss");
    assert!(response.text().await.unwrap().contains("A real write"));
}

/// The flood: a cache Redis of 2 MB, evicting, beside a sessions' Redis;
/// readers signed in, then a few thousand cache-missing anonymous requests
/// whose values add up to many times the cache's memory. Every session
/// still works, and signing in still works.
#[tokio::test]
async fn a_flood_of_cache_misses_signs_nobody_out_and_leaves_sign_in_working() {
    const READERS: usize = 5;
    const ARTICLES: i64 = 300;
    let cache = OwnRedis::start_with(&["--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"]).await;
    // The sessions' server as every setup ships it: never evicting, and
    // here with a small limit of its own, which the flood must not touch.
    let sessions = OwnRedis::start_with(&["--maxmemory", "8mb", "--maxmemory-policy", "noeviction"]).await;
    let app = TestApp::builder()
        .var("REDIS_URL", cache.url())
        .var("WARTA_SESSION_REDIS_URL", sessions.url())
        // Every response rendered afresh: the flood reaches Redis.
        .var("WARTA_PAGE_CACHE_MS", "0")
        // Every search too (the budget would turn most of them away).
        .var("WARTA_SEARCHES_PER_ADDRESS", "1000000")
        .spawn()
        .await;
    let mut readers = Vec::new();
    for n in 0..READERS {
        let client = browser();
        app.sign_up_with(&client, &format!("reader{n}")).await;
        readers.push(client);
    }
    let author = fixtures::user(&app.db, "prolific").await;
    // Bodies of 8 KB: each article's cached page holds its text twice.
    sqlx::query(
        "WITH a AS (
            INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
            SELECT $1, 'flood-' || n, 'Flood ' || n, 'About ' || n, repeat('words and more words ', 400),
                   'published', now() - n * interval '1 minute', now() - n * interval '1 minute'
            FROM generate_series(1, $2) AS n
            RETURNING id, slug, created_at
         )
         INSERT INTO article_slugs (slug, article_id, article_created_at) SELECT slug, id, created_at FROM a",
    )
    .bind(author)
    .bind(ARTICLES)
    .execute(&app.db)
    .await
    .unwrap();
    let sessions_before = sessions.keys_and_ttls().await;
    let sessions_memory_before = sessions.info("used_memory").await;
    let memory_before = cache.info("used_memory").await;

    let started = Instant::now();
    let client = browser();
    let mut requests = 0;
    for n in 1..=ARTICLES {
        for path in [
            format!("/articles/flood-{n}"),
            format!("/api/articles/flood-{n}"),
            format!("/search?q=flood%20{n}"),
            format!("/?page={}", n % 15 + 1),
        ] {
            let status = client.get(app.url(&path)).send().await.unwrap().status();
            assert_eq!(status, StatusCode::OK, "{path}: each answer is a page that was cached");
            requests += 1;
        }
    }
    let flood = started.elapsed();
    let memory_after = cache.info("used_memory").await;
    let evicted = cache.info("evicted_keys").await;
    let cache_keys = cache.keys_and_ttls().await.len();
    let sessions_after = sessions.keys_and_ttls().await;
    let sessions_memory_after = sessions.info("used_memory").await;
    eprintln!(
        "flood: {requests} requests in {flood:.1?}; cache Redis used_memory {memory_before} -> {memory_after} bytes \
         (maxmemory 2 MB), {evicted} keys evicted, {cache_keys} keys left; sessions' Redis {} -> {} keys, \
         used_memory {sessions_memory_before} -> {sessions_memory_after} bytes",
        sessions_before.len(),
        sessions_after.len()
    );
    // What the sessions' server holds besides budget counters: sessions.
    let held = |keys: &[(String, i64)]| {
        let counters = keys.iter().filter(|(key, _)| key.contains("rate:")).count();
        (keys.len() - counters, counters)
    };
    let (sessions_left, counters_after) = held(&sessions_after);
    let (sessions_at_start, counters_before) = held(&sessions_before);
    assert_eq!(
        sessions_left, sessions_at_start,
        "the flood neither adds nor evicts a session"
    );
    assert!(
        counters_after <= counters_before + 1,
        "the flood's one address costs one search budget counter: {sessions_after:?}"
    );
    assert!(evicted > 0, "the flood was bigger than the cache: it had to evict");
    assert!(memory_after <= 3 * 1024 * 1024, "the cache stays near its limit");
    assert!(sessions_left >= READERS, "every session is still there");

    for (n, reader) in readers.iter().enumerate() {
        let settings = reader.get(app.url("/settings")).send().await.unwrap();
        assert_eq!(settings.status(), StatusCode::OK, "reader{n} is still signed in");
        let page = settings.text().await.unwrap();
        assert!(
            page.contains(&format!("reader{n}@example.org")),
            "reader{n} is still signed in"
        );
    }
    let fresh = browser();
    let signed_in = app
        .post_form_with(
            &fresh,
            "/fn/login",
            "/login",
            &[("email", "reader0@example.org"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(location(&signed_in), "/", "signing in still works");
}
