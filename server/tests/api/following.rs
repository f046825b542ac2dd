//! Following authors: the button with JavaScript off, the "Following" feed,
//! and the RealWorld follow and feed endpoints.

use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::helpers::{TestApp, browser, location, text_of};

#[tokio::test]
async fn a_reader_follows_and_unfollows_without_javascript_and_gets_a_following_feed() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    app.sign_up("bob").await;

    // Anonymous readers get a link to sign in, on a page every reader shares.
    let anonymous = browser().get(app.url("/@ada")).send().await.unwrap();
    assert!(
        anonymous.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let page = anonymous.text().await.unwrap();
    assert!(page.contains(r#"href="/login?next=/@ada""#), "{page}");
    assert!(!page.contains("feed-tabs"), "no tabs for anonymous readers");

    let page = app.get("/@ada").await.text().await.unwrap();
    assert_eq!(
        text_of(&page, "[data-testid=follow-form] button").as_deref(),
        Some("Follow ada")
    );
    let empty = app.get("/following").await.text().await.unwrap();
    assert!(empty.contains("feed-empty"), "{empty}");

    // The button is a plain form: a POST, then back to the page it was on.
    let response = app
        .post_form("/fn/follow", "/@ada", &[("username", "ada"), ("follow", "true")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(location(&response).starts_with(&app.url("/@ada")), "back to the page");
    let page = app.get("/@ada").await.text().await.unwrap();
    assert_eq!(
        text_of(&page, "[data-testid=follow-form] button").as_deref(),
        Some("Unfollow ada")
    );
    let article = app.get("/articles/engines-of-thought").await.text().await.unwrap();
    assert_eq!(
        text_of(&article, "[data-testid=follow-form] button").as_deref(),
        Some("Unfollow ada")
    );

    let feed = app.get("/following").await.text().await.unwrap();
    assert!(feed.contains("Engines of thought"), "{feed}");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("feed-tabs") && home.contains(r#"href="/following""#));

    let response = app
        .post_form("/fn/follow", "/@ada", &[("username", "ada"), ("follow", "false")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let feed = app.get("/following").await.text().await.unwrap();
    assert!(!feed.contains("Engines of thought"), "unfollowed");

    // Signed out, following is refused; the feed asks to sign in.
    let response = app
        .post_form_with(
            &browser(),
            "/fn/follow",
            "/@ada",
            &[("username", "ada"), ("follow", "true")],
        )
        .await;
    assert!(response.status().is_client_error() || response.status().is_redirection());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM follows")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let feed = app.page("/following").await;
    assert!(feed.contains("/login?next=/following"), "{feed}");
}

async fn json(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_api_follows_unfollows_and_serves_the_feed() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    let auth = |token: &str| format!("Token {token}");
    let client = browser();

    let response = client
        .post(app.url("/api/articles"))
        .header(header::AUTHORIZATION, auth(&ada))
        .json(&serde_json::json!({ "article": { "title": "On looms", "description": "d", "body": "b" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    let profile = |token: Option<&str>| {
        let mut request = client.get(app.url("/api/profiles/ada"));
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, auth(token));
        }
        request.send()
    };
    let body = json(profile(Some(&bob)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(body["profile"]["following"], false);

    let follow = client
        .post(app.url("/api/profiles/ada/follow"))
        .header(header::AUTHORIZATION, auth(&bob))
        .send()
        .await
        .unwrap();
    assert_eq!(json(follow, StatusCode::OK).await["profile"]["following"], true);
    assert_eq!(
        json(profile(Some(&bob)).await.unwrap(), StatusCode::OK).await["profile"]["following"],
        true
    );
    assert_eq!(
        json(profile(None).await.unwrap(), StatusCode::OK).await["profile"]["following"],
        false
    );

    let bobs_feed_answer = async |query: String| {
        client
            .get(app.url(&format!("/api/articles/feed?{query}")))
            .header(header::AUTHORIZATION, auth(&bob))
            .send()
            .await
            .unwrap()
    };
    let bobs_feed = async |query: String| json(bobs_feed_answer(query).await, StatusCode::OK).await;
    let feed = bobs_feed("limit=5".to_owned()).await;
    assert_eq!(feed["articlesCount"], 1);
    assert_eq!(feed["articles"][0]["title"], "On looms");
    assert_eq!(feed["articles"][0]["author"]["following"], true);
    assert!(feed["articles"][0].get("body").is_none());
    // Past the end is an empty page; past the deepest offset a filtered
    // list reads to, however far, a 422 naming it, not an overflow.
    let past = bobs_feed("limit=5&offset=10000".to_owned()).await;
    assert_eq!(past["articlesCount"], 1);
    assert_eq!(past["articles"], serde_json::json!([]));
    let far = bobs_feed_answer(format!("limit=5&offset={}", i64::MAX)).await;
    assert!(
        json(far, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["offset"][0]
            .as_str()
            .unwrap()
            .contains("too deep")
    );

    // Nobody follows themself; unknown people are 404; no token is 401.
    let myself = client
        .post(app.url("/api/profiles/ada/follow"))
        .header(header::AUTHORIZATION, auth(&ada))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(myself, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["profile"][0],
        "cannot follow yourself"
    );
    let nobody = client
        .post(app.url("/api/profiles/nobody/follow"))
        .header(header::AUTHORIZATION, auth(&bob))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    let anonymous = client.get(app.url("/api/articles/feed")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let bad = client
        .get(app.url("/api/profiles/ada"))
        .header(header::AUTHORIZATION, "Token nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        StatusCode::UNAUTHORIZED,
        "a bad token is not read as anonymous"
    );

    let unfollow = client
        .delete(app.url("/api/profiles/ada/follow"))
        .header(header::AUTHORIZATION, auth(&bob))
        .send()
        .await
        .unwrap();
    assert_eq!(json(unfollow, StatusCode::OK).await["profile"]["following"], false);
    let feed = client
        .get(app.url("/api/articles/feed"))
        .header(header::AUTHORIZATION, auth(&bob))
        .send()
        .await
        .unwrap();
    assert_eq!(json(feed, StatusCode::OK).await["articlesCount"], 0);
}
