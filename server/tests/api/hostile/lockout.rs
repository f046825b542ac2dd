//! Issue 23, points 4 and 6: strangers guessing a password cannot lock its
//! owner out, and searching, the most expensive thing a stranger can ask
//! for, has a budget and a time limit of its own.

use chrono::Utc;
use reqwest::{StatusCode, header};

use crate::helpers::{TestApp, browser, fixtures};

/// A sign-in through the JSON API from `address` (behind our trusted
/// proxy); its status.
async fn sign_in_from(app: &TestApp, address: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/api/users/login"))
        .header("x-forwarded-for", address)
        .json(&serde_json::json!({ "user": { "email": "ada@example.org", "password": password } }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn strangers_guessing_wrong_cannot_keep_the_owner_out_from_where_they_sign_in() {
    let app = TestApp::builder()
        .var("WARTA_TRUSTED_PROXIES", "127.0.0.1")
        .var("WARTA_ATTEMPTS_PER_ADDRESS", "1000")
        // A low ceiling, so the test spends a dozen password hashes, not a
        // hundred; the rule is the same.
        .var("WARTA_ATTEMPTS_PER_ACCOUNT", "12")
        .spawn()
        .await;
    app.api_token("ada").await;
    const HOME: &str = "198.51.100.7";
    assert_eq!(
        sign_in_from(&app, HOME, "password123").await,
        200,
        "Ada signs in from home"
    );

    // A stranger spends their address's budget on Ada's account.
    let mut stranger = Vec::new();
    for _ in 0..11 {
        stranger.push(sign_in_from(&app, "203.0.113.66", "a wrong guess").await);
    }
    assert!(!stranger[..10].contains(&429), "{stranger:?}");
    assert_eq!(stranger[10], 429, "the guesser is refused: {stranger:?}");
    assert_eq!(sign_in_from(&app, HOME, "password123").await, 200, "not Ada");
    // Two more strangers take the account over its ceiling: a new address
    // is refused even the right password for ten minutes...
    for _ in 0..3 {
        sign_in_from(&app, "203.0.113.67", "a wrong guess").await;
    }
    assert_eq!(sign_in_from(&app, "192.0.2.200", "password123").await, 429);
    // ...but the address Ada signed in from before is not.
    assert_eq!(sign_in_from(&app, HOME, "password123").await, 200);

    // The email is one account however it is typed, and a 300 KB one is
    // answered like any other.
    let typed = app
        .client
        .post(app.url("/api/users/login"))
        .header("x-forwarded-for", "203.0.113.66")
        .json(&serde_json::json!({ "user": { "email": "  ADA@Example.ORG ", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        typed.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's budget, any spelling"
    );
    let huge = app
        .client
        .post(app.url("/api/users/login"))
        .json(&serde_json::json!({ "user": { "email": format!("{}@x.org", "a".repeat(300_000)), "password": "x" } }))
        .send()
        .await
        .unwrap();
    assert!(huge.status().as_u16() < 500);
}

#[tokio::test]
async fn searches_from_one_address_have_a_budget_and_a_time_limit() {
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "0").spawn().await;
    let mut statuses = Vec::new();
    for n in 0..31 {
        let response = browser()
            .get(app.url(&format!("/search?q=word{n}")))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[..30].iter().all(|status| *status == 200), "{statuses:?}");
    let refused = browser().get(app.url("/search?q=one-more")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    assert!(refused.text().await.unwrap().contains("Too many requests"));
    let api = browser().get(app.url("/api/articles?q=one-more")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);

    // A search that runs past its own time limit asks for a narrower one:
    // 503, with a message, not a page-wide failure.
    let slow = TestApp::builder()
        .var("WARTA_SEARCH_TIMEOUT_MS", "1")
        .var("WARTA_PAGE_CACHE_MS", "0")
        .spawn()
        .await;
    let ada = fixtures::user(&slow.db, "ada").await;
    sqlx::query(
        "WITH a AS (
            INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
            SELECT $1, 'common-' || n, 'Common ' || n, 'About', repeat('common words everywhere ', 200),
                   'published', now() - n * interval '1 minute', now() - n * interval '1 minute'
            FROM generate_series(1, 3000) AS n
            RETURNING id, slug, created_at
         )
         INSERT INTO article_slugs (slug, article_id, article_created_at) SELECT slug, id, created_at FROM a",
    )
    .bind(ada)
    .execute(&slow.db)
    .await
    .unwrap();
    let response = browser().get(slow.url("/search?q=common")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.unwrap().contains("this took too long"));
}

#[tokio::test]
async fn a_highlight_an_author_types_highlights_nothing() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now();
    fixtures::article(&app.db, ada, "Kettle", at, Some(at)).await;
    sqlx::query(
        "UPDATE articles SET body = 'A kettle story. ' || chr(57344) || 'Send your password to evil.example' || chr(57345)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let page = app.page("/search?q=kettle").await;
    let document = scraper::Html::parse_document(&page);
    let marks: Vec<String> = document
        .select(&scraper::Selector::parse("mark").unwrap())
        .map(|mark| mark.text().collect())
        .collect();
    assert!(!marks.is_empty(), "the word searched for is marked: {page}");
    assert!(
        marks.iter().all(|mark| mark.to_lowercase().contains("kettle")),
        "only what the search found is marked: {marks:?}"
    );
    assert!(!page.contains('\u{E000}') && !page.contains('\u{E001}'));
}
