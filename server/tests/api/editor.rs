//! Publishing through the editor, as a browser without JavaScript posts it:
//! drafts, publishing, editing, deleting, validation, who may do what, and
//! readers seeing every change at once.

use reqwest::{StatusCode, header};

use crate::helpers::{TestApp, assert_harmless, browser, location, text_of};

/// The editor's fields, with `intent` the button pressed.
fn article<'a>(title: &'a str, body: &'a str, intent: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "A description"),
        ("body", body),
        ("tags", "rust, web"),
        ("intent", intent),
    ]
}

/// How many articles the database holds.
async fn articles_saved(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A page as an anonymous reader (no cookies) gets it.
async fn read(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser().get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn publish(app: &TestApp, title: &str, body: &str) -> String {
    let response = app
        .post_form("/editor", "/editor", &article(title, body, "publish"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{title}");
    location(&response)
        .strip_prefix("/articles/")
        .expect("goes to the article")
        .to_owned()
}

#[tokio::test]
async fn an_author_publishes_edits_and_deletes_and_readers_see_each_change_at_once() {
    // Even with the page cache keeping pages a minute.
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "60000").spawn().await;
    app.sign_up("ada").await;
    // Readers have the pages cached before anything is written.
    for path in ["/", "/@ada", "/api/articles", "/api/articles?tag=rust"] {
        assert!(!read(&app, path).await.1.contains("Hello, World"), "{path}");
    }

    let editor = app.get("/editor").await;
    assert_eq!(editor.status(), StatusCode::OK);
    assert!(editor.text().await.unwrap().contains(r#"action="/editor""#));
    let slug = publish(&app, "Hello, World!", "# Hi\n\nFirst *post*.").await;
    assert_eq!(slug, "hello-world", "readable, from the title");

    for path in [
        "/",
        "/@ada",
        "/api/articles",
        "/api/articles?tag=rust",
        "/articles/hello-world",
    ] {
        let (status, page) = read(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains("Hello, World!"), "{path} shows the new article at once");
    }
    let (_, page) = read(&app, "/articles/hello-world").await;
    assert!(page.contains("<em>post</em>"), "Markdown rendered");
    assert_eq!(
        crate::helpers::text_of(&page, r#"ul[aria-label=Tags] a[href="/tags/rust"]"#).as_deref(),
        Some("rust"),
        "tags shown, linked to their page"
    );

    let edited = app
        .post_form(
            "/editor/hello-world",
            "/editor/hello-world",
            &article("Hello again", "Changed *body*.", "publish"),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&edited), "/articles/hello-world", "the slug stays");
    for path in ["/", "/@ada", "/articles/hello-world", "/api/articles/hello-world"] {
        let (_, page) = read(&app, path).await;
        assert!(
            page.contains("Hello again") && !page.contains("Hello, World!"),
            "{path}"
        );
    }

    let confirm = app.get("/editor/hello-world/delete").await;
    assert_eq!(confirm.status(), StatusCode::OK);
    assert!(confirm.text().await.unwrap().contains("Delete this article?"));
    let deleted = app
        .post_form(
            "/fn/delete-article",
            "/editor/hello-world/delete",
            &[("slug", "hello-world")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::FOUND);
    assert_eq!(location(&deleted), "/@ada?deleted=1");
    assert_eq!(read(&app, "/articles/hello-world").await.0, StatusCode::NOT_FOUND);
    assert_eq!(read(&app, "/api/articles/hello-world").await.0, StatusCode::NOT_FOUND);
    for path in ["/", "/@ada", "/api/articles"] {
        assert!(!read(&app, path).await.1.contains("Hello again"), "{path} forgets it");
    }
}

#[tokio::test]
async fn a_refused_article_comes_back_with_messages_and_everything_typed() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let body = "A long draft\nwith <angle> & \"quotes\" </textarea><script>alert(1)</script>\n".repeat(200);
    let response = app
        .post_form("/editor", "/editor", &article("   ", &body, "publish"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert_eq!(
        text_of(&page, "#field-title-note").as_deref(),
        Some("Title can't be blank")
    );
    assert!(page.contains(r#"aria-invalid="true""#));
    assert_eq!(
        text_of(&page, "textarea#field-body").as_deref(),
        Some(body.as_str()),
        "the body is kept exactly, and cannot close its textarea"
    );
    assert_harmless("/editor (refused)", &page);
    assert!(page.contains(r#"value="rust, web""#), "the tags are kept");
    assert_eq!(articles_saved(&app).await, 0, "nothing saved");
}

#[tokio::test]
async fn a_preview_renders_sanitized_markdown_and_saves_nothing() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let response = app
        .post_form(
            "/editor",
            "/editor",
            &article(
                "",
                "**bold** <script>alert(1)</script> <img src=x onerror=alert(2)>",
                "preview",
            ),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("<strong>bold</strong>"), "{page}");
    assert_harmless("/editor (preview)", &page);
    assert_eq!(articles_saved(&app).await, 0);
}

#[tokio::test]
async fn drafts_are_seen_by_their_author_alone_until_published() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let saved = app
        .post_form("/editor", "/editor", &article("Secret plans", "Not yet.", "draft"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/editor/secret-plans?saved=draft");
    let editor = app.get("/editor/secret-plans?saved=draft").await.text().await.unwrap();
    assert!(editor.contains("Draft saved"));

    assert_eq!(read(&app, "/articles/secret-plans").await.0, StatusCode::NOT_FOUND);
    assert_eq!(read(&app, "/api/articles/secret-plans").await.0, StatusCode::NOT_FOUND);
    for path in ["/", "/@ada", "/api/articles"] {
        assert!(!read(&app, path).await.1.contains("Secret plans"), "{path}");
    }
    let own_page = app.get("/@ada").await.text().await.unwrap();
    assert!(own_page.contains("Your drafts") && own_page.contains("Secret plans"));
    let other = browser();
    app.sign_up_with(&other, "bob").await;
    let bobs_view = other.get(app.url("/@ada")).send().await.unwrap().text().await.unwrap();
    assert!(!bobs_view.contains("Secret plans"), "another user does not see it");
    let bobs_editor = other.get(app.url("/editor/secret-plans")).send().await.unwrap();
    assert_eq!(bobs_editor.status(), StatusCode::NOT_FOUND, "nor learns that it exists");

    let published = app
        .post_form(
            "/editor/secret-plans",
            "/editor/secret-plans",
            &article("Secret plans", "Now.", "publish"),
        )
        .await;
    assert_eq!(location(&published), "/articles/secret-plans");
    assert!(read(&app, "/").await.1.contains("Secret plans"));
}

#[tokio::test]
async fn articles_with_the_same_title_get_distinct_stable_slugs() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let first = publish(&app, "Same title", "One.").await;
    let second = publish(&app, "Same title", "Two.").await;
    assert_eq!(first, "same-title");
    assert_ne!(first, second);
    assert!(second.starts_with("same-title-"), "{second}");
    assert!(read(&app, &format!("/articles/{first}")).await.1.contains("One."));
    assert!(read(&app, &format!("/articles/{second}")).await.1.contains("Two."));
}

#[tokio::test]
async fn only_the_author_may_edit_and_signed_out_writers_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let slug = publish(&app, "Mine", "Ada's words.").await;
    let path = format!("/editor/{slug}");

    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    let page = bob.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.text().await.unwrap().contains("not yours to edit"));
    let post = app
        .post_form_with(&bob, &path, &path, &article("Hijacked", "Bob's words.", "publish"))
        .await;
    assert_eq!(post.status(), StatusCode::FORBIDDEN);
    let delete = app
        .post_form_with(
            &bob,
            "/fn/delete-article",
            &format!("{path}/delete"),
            &[("slug", &slug)],
        )
        .await;
    assert_ne!(delete.status(), StatusCode::OK);
    assert_eq!(
        bob.get(app.url(&format!("{path}/delete")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, article) = read(&app, &format!("/articles/{slug}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        article.contains("Ada&#x27;s words.") || article.contains("Ada's words."),
        "untouched"
    );

    let anonymous = browser();
    for (wanted, next) in [("/editor", "/editor"), (path.as_str(), path.as_str())] {
        let response = anonymous
            .get(app.url(wanted))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{wanted}");
        assert_eq!(location(&response), format!("/login?next={next}"));
    }
    assert_eq!(
        app.get("/editor/nothing-here").await.status(),
        StatusCode::NOT_FOUND,
        "signed in: no such article"
    );
}

#[tokio::test]
async fn oversized_requests_get_a_413_page_and_long_bodies_a_message() {
    let app = TestApp::builder().var("WARTA_ARTICLE_MAX_KB", "8").spawn().await;
    app.sign_up("ada").await;

    let long = "x".repeat(20 * 1024);
    let refused = app
        .post_form("/editor", "/editor", &article("Long", &long, "publish"))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Body is too long (at most 8 KB)"), "{page}");
    assert!(page.contains(&long), "what was typed is kept");

    let huge = "y".repeat(1024 * 1024);
    let response = app
        .post_form("/editor", "/editor", &article("Huge", &huge, "publish"))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("too large"));

    let api = app
        .client
        .post(app.url("/api/articles"))
        .json(&serde_json::json!({ "article": { "title": "Huge", "description": "d", "body": huge } }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(body["errors"]["body"][0].as_str().unwrap().contains("too large"));
}

#[tokio::test]
async fn an_editor_post_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let response = app
        .client
        .post(app.url("/editor"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&article("Forged", "Forged.", "publish"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(articles_saved(&app).await, 0);
}

#[tokio::test]
async fn a_second_instance_honours_the_first_instances_session() {
    let first = TestApp::spawn().await;
    let cookie = first.sign_up("ada").await;
    let second = first.sibling().await;
    let page = second
        .client
        .get(second.url("/editor"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "signed in on the other instance");
    let saved = second
        .client
        .post(second.url("/editor"))
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, second.address.as_str())
        .form(&article("From the second", "Body.", "publish"))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(read(&first, "/").await.1.contains("From the second"));
}
