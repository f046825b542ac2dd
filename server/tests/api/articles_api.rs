//! The RealWorld article endpoints: writing through the API, what readers
//! see right after, and stored markup rendered harmless everywhere.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_harmless, browser};

async fn anonymous_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = browser().get(app.url(path)).send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

fn titles(listing: &Value) -> Vec<String> {
    listing["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|article| article["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn api_writes_show_at_once_in_every_listing_and_keep_created_at() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    // Warm every cache first.
    for path in ["/api/articles", "/api/articles?author=ada", "/api/articles?tag=maths"] {
        assert_eq!(anonymous_json(&app, path).await.1["articlesCount"], 0, "{path}");
    }
    let created = app.api(reqwest::Method::POST,
        "/api/articles",
        &ada,
        json!({ "article": { "title": "Notes", "description": "On engines", "body": "Body", "tagList": ["maths", "engines"] } }),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let slug = created["article"]["slug"].as_str().unwrap().to_owned();
    assert_eq!(created["article"]["tagList"], json!(["maths", "engines"]));
    for path in ["/api/articles", "/api/articles?author=ada", "/api/articles?tag=maths"] {
        let (_, listing) = anonymous_json(&app, path).await;
        assert_eq!(titles(&listing), ["Notes"], "{path}");
        assert_eq!(listing["articlesCount"], 1, "{path}");
    }
    assert!(anonymous_json(&app, "/api/articles?tag=nothing").await.1["articles"] == json!([]));

    let updated = app
        .api(
            reqwest::Method::PUT,
            &format!("/api/articles/{slug}"),
            &ada,
            json!({ "article": { "title": "Better notes", "tagList": [] } }),
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["article"]["slug"], slug.as_str(), "the slug stays");
    assert_eq!(updated["article"]["createdAt"], created["article"]["createdAt"]);
    assert_ne!(updated["article"]["updatedAt"], created["article"]["updatedAt"]);
    let (_, article) = anonymous_json(&app, &format!("/api/articles/{slug}")).await;
    assert_eq!(article["article"]["title"], "Better notes");
    assert_eq!(article["article"]["tagList"], json!([]));
    assert_eq!(
        anonymous_json(&app, "/api/articles?tag=maths").await.1["articlesCount"],
        0
    );

    let bob = app.api_token("bob").await;
    let forbidden = app
        .api(
            reqwest::Method::DELETE,
            &format!("/api/articles/{slug}"),
            &bob,
            Value::Null,
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.json::<Value>().await.unwrap(),
        json!({ "errors": { "article": ["forbidden"] } })
    );

    let deleted = app
        .api(
            reqwest::Method::DELETE,
            &format!("/api/articles/{slug}"),
            &ada,
            Value::Null,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        anonymous_json(&app, &format!("/api/articles/{slug}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(anonymous_json(&app, "/api/articles").await.1["articlesCount"], 0);
}

#[tokio::test]
async fn bad_article_input_gets_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    for (article, field) in [
        (json!({ "title": "", "description": "d", "body": "b" }), "title"),
        (json!({ "title": "t", "description": "", "body": "b" }), "description"),
        (json!({ "title": "t", "description": "d", "body": " " }), "body"),
        (
            json!({ "title": "t".repeat(201), "description": "d", "body": "b" }),
            "title",
        ),
        (
            json!({ "title": "t", "description": "d", "body": "b", "tagList": [1] }),
            "tagList",
        ),
    ] {
        let response = app
            .api(
                reqwest::Method::POST,
                "/api/articles",
                &ada,
                json!({ "article": article }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let missing = app
        .client
        .post(app.url("/api/articles"))
        .json(&json!({ "article": { "title": "t" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
}

const HOSTILE_TITLE: &str = r#"<script>alert("title")</script><img src=x onerror=alert(1)>"#;
const HOSTILE_BODY: &str = r#"Hello <script>alert("body")</script>
<img src="x" onerror="alert(2)"> [click](javascript:alert(3))
<a href="javascript:alert(4)">link</a> <iframe src="https://evil.example"></iframe>
<div <script>broken</div> <svg onload=alert(5)><p style="x" onclick="alert(6)">para</p>"#;

#[tokio::test]
async fn stored_markup_is_harmless_on_every_page_and_in_the_api() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let created = app.api(reqwest::Method::POST,
        "/api/articles",
        &ada,
        json!({ "article": { "title": HOSTILE_TITLE, "description": HOSTILE_TITLE, "body": HOSTILE_BODY, "tagList": ["tag"] } }),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let slug = created.json::<Value>().await.unwrap()["article"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{slug}");

    for path in ["/", "/popular", "/@ada", &format!("/articles/{slug}")] {
        let page = browser().get(app.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("alert"), "{path} shows the text");
        assert_harmless(path, &page);
    }
    let api = browser()
        .get(app.url(&format!("/api/articles/{slug}")))
        .send()
        .await
        .unwrap();
    assert!(
        api.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    let body: Value = api.json().await.unwrap();
    assert_eq!(
        body["article"]["body"], HOSTILE_BODY,
        "the API returns the Markdown as written, as JSON data"
    );
}

#[tokio::test]
async fn comments_are_added_listed_and_deleted_by_their_writer_only() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    let created: Value = app
        .api(
            reqwest::Method::POST,
            "/api/articles",
            &ada,
            json!({ "article": { "title": "Talk", "description": "d", "body": "b" } }),
        )
        .await
        .json()
        .await
        .unwrap();
    let slug = created["article"]["slug"].as_str().unwrap();
    let path = format!("/api/articles/{slug}/comments");
    let added = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": "First" } }),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let id = added.json::<Value>().await.unwrap()["comment"]["id"].as_i64().unwrap();
    app.api(
        reqwest::Method::POST,
        &path,
        &bob,
        json!({ "comment": { "body": "Second" } }),
    )
    .await;
    let (_, listed) = anonymous_json(&app, &path).await;
    let bodies: Vec<&str> = listed["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|comment| comment["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["First", "Second"], "oldest first");

    let by_bob = app
        .api(reqwest::Method::DELETE, &format!("{path}/{id}"), &bob, Value::Null)
        .await;
    assert_eq!(by_bob.status(), StatusCode::FORBIDDEN);
    let by_ada = app
        .api(reqwest::Method::DELETE, &format!("{path}/{id}"), &ada, Value::Null)
        .await;
    assert_eq!(by_ada.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        anonymous_json(&app, &path).await.1["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let blank = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": " " } }),
        )
        .await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
