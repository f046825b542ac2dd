//! Favorites: the RealWorld endpoints, counts in every article shape, a
//! reader's favorites, and the heart with JavaScript off.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{QueryCounter, TestApp, browser, location, text_of};

async fn json(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

async fn publish(app: &TestApp, token: &str, title: &str) -> String {
    app.publish(token, json!({ "title": title, "description": "d", "body": "b" }))
        .await
}

#[tokio::test]
async fn the_api_saves_counts_and_lists_favorites() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    let cy = app.api_token("cy").await;
    let looms = publish(&app, &ada, "On looms").await;
    let engines = publish(&app, &ada, "On engines").await;
    let path = format!("/api/articles/{looms}/favorite");

    let saved = json(app.api(Method::POST, &path, &bob, Value::Null).await, StatusCode::OK).await;
    assert_eq!(saved["article"]["slug"], looms.as_str());
    assert_eq!(saved["article"]["favorited"], true);
    assert_eq!(saved["article"]["favoritesCount"], 1);
    assert_eq!(saved["article"]["author"]["username"], "ada");
    // Saving twice is saving once.
    let again = json(app.api(Method::POST, &path, &bob, Value::Null).await, StatusCode::OK).await;
    assert_eq!(again["article"]["favoritesCount"], 1);
    let cys = json(app.api(Method::POST, &path, &cy, Value::Null).await, StatusCode::OK).await;
    assert_eq!(cys["article"]["favoritesCount"], 2);

    // The article, as each reader sees it.
    let seen = |token: Option<&str>| {
        let mut request = app.client.get(app.url(&format!("/api/articles/{looms}")));
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Token {token}"));
        }
        request.send()
    };
    let anonymous = json(seen(None).await.unwrap(), StatusCode::OK).await;
    assert_eq!(
        (
            &anonymous["article"]["favorited"],
            &anonymous["article"]["favoritesCount"]
        ),
        (&json!(false), &json!(2))
    );
    let by_bob = json(seen(Some(&bob)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(by_bob["article"]["favorited"], true);
    let by_ada = json(seen(Some(&ada)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(by_ada["article"]["favorited"], false);

    // In lists: the count for everyone, `favorited` for the reader.
    let list = json(
        app.api(Method::GET, "/api/articles", &bob, Value::Null).await,
        StatusCode::OK,
    )
    .await;
    let item = |list: &Value, slug: &str| {
        list["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|article| article["slug"] == slug)
            .cloned()
            .unwrap()
    };
    assert_eq!(item(&list, &looms)["favorited"], true);
    assert_eq!(item(&list, &looms)["favoritesCount"], 2);
    assert_eq!(item(&list, &engines)["favorited"], false);
    assert_eq!(item(&list, &engines)["favoritesCount"], 0);

    let bobs = json(app.get("/api/articles?favorited=bob").await, StatusCode::OK).await;
    assert_eq!(bobs["articlesCount"], 1);
    assert_eq!(bobs["articles"][0]["slug"], looms.as_str());
    let adas = json(app.get("/api/articles?favorited=ada").await, StatusCode::OK).await;
    assert_eq!(adas, json!({ "articles": [], "articlesCount": 0 }));

    let unsaved = json(app.api(Method::DELETE, &path, &bob, Value::Null).await, StatusCode::OK).await;
    assert_eq!(unsaved["article"]["favorited"], false);
    assert_eq!(unsaved["article"]["favoritesCount"], 1);
    let bobs = json(app.get("/api/articles?favorited=bob").await, StatusCode::OK).await;
    assert_eq!(bobs["articlesCount"], 0, "the reader's list is forgotten on unsaving");

    // Errors, as RealWorld shapes them.
    let anonymous = app.client.post(app.url(&path)).send().await.unwrap();
    assert_eq!(
        json(anonymous, StatusCode::UNAUTHORIZED).await,
        json!({ "errors": { "token": ["is missing"] } })
    );
    let unknown = app
        .api(
            Method::POST,
            "/api/articles/no-such-article/favorite",
            &bob,
            Value::Null,
        )
        .await;
    assert_eq!(
        json(unknown, StatusCode::NOT_FOUND).await,
        json!({ "errors": { "article": ["not found"] } })
    );
}

#[tokio::test]
async fn a_page_of_articles_learns_what_the_reader_saved_in_one_query() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    for n in 0..6 {
        let slug = publish(&app, &ada, &format!("Story {n}")).await;
        if n % 2 == 0 {
            let saved = app
                .api(
                    Method::POST,
                    &format!("/api/articles/{slug}/favorite"),
                    &bob,
                    Value::Null,
                )
                .await;
            assert_eq!(saved.status(), StatusCode::OK);
        }
    }
    let counter = QueryCounter::new(&app.db).await;
    let before = counter.calls("JOIN favorites f").await;
    let list = json(
        app.api(Method::GET, "/api/articles?limit=6", &bob, Value::Null).await,
        StatusCode::OK,
    )
    .await;
    let after = counter.calls("JOIN favorites f").await;
    let favorited: Vec<bool> = list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|article| article["favorited"].as_bool().unwrap())
        .collect();
    assert_eq!(favorited.iter().filter(|saved| **saved).count(), 3, "{list}");
    assert_eq!(after - before, 1, "one query for the page, not one per article");
}

#[tokio::test]
async fn the_heart_saves_without_javascript_and_the_profile_lists_favorites() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    app.sign_up("bob").await;
    let article = "/articles/engines-of-thought";

    // Anonymous readers see the count and a way to sign in.
    let page = app.page(article).await;
    assert!(
        page.contains(r#"href="/login?next=/articles/engines-of-thought""#),
        "{page}"
    );

    let page = app.get(article).await.text().await.unwrap();
    assert_eq!(
        text_of(&page, "[data-testid=favorite-form] [data-testid=favorites-count]").as_deref(),
        Some("0")
    );
    let response = app
        .post_form(
            "/fn/favorite",
            article,
            &[("slug", "engines-of-thought"), ("favorite", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).starts_with(&app.url(article)),
        "back to the article"
    );
    let page = app.get(article).await.text().await.unwrap();
    assert!(page.contains(r#"aria-pressed="true""#), "{page}");
    assert_eq!(
        text_of(&page, "[data-testid=favorite-form] [data-testid=favorites-count]").as_deref(),
        Some("1")
    );
    // Everyone sees the new count at once: the cached article is forgotten.
    let anonymous = app.page(article).await;
    assert!(anonymous.contains("Sign in to favorite (1 favorite)"), "{anonymous}");

    let favorites = app.page("/@bob/favorites").await;
    assert!(favorites.contains("Engines of thought"), "{favorites}");
    assert_eq!(
        text_of(&favorites, "nav[aria-label=Lists] a[aria-current=page]").as_deref(),
        Some("Favorites")
    );
    let none = app.page("/@ada/favorites").await;
    assert!(none.contains("ada has not saved any stories yet."), "{none}");
    let nobody = app.client.get(app.url("/@nobody-here/favorites")).send().await.unwrap();
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);

    // Signed out, saving is refused and nothing is written.
    let response = app
        .post_form_with(
            &browser(),
            "/fn/favorite",
            article,
            &[("slug", "engines-of-thought"), ("favorite", "true")],
        )
        .await;
    assert!(response.status().is_client_error() || response.status().is_redirection());
    let count: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM favorites"#)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
