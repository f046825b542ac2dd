//! Comments under an article, with JavaScript off: posting, refusals that
//! keep what was typed, deleting one's own, pages of them, the budget, and
//! a cache that forgets only the article's comments.

use reqwest::StatusCode;

use crate::helpers::{QueryCounter, TestApp, browser, location, text_of};

const ARTICLE: &str = "/articles/engines-of-thought";

async fn comment(app: &TestApp, client: &reqwest::Client, body: &str) -> reqwest::Response {
    app.post_form_with(
        client,
        "/fn/comment",
        ARTICLE,
        &[("slug", "engines-of-thought"), ("body", body)],
    )
    .await
}

#[tokio::test]
async fn readers_comment_and_delete_their_own_without_javascript() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;

    // Signed out: a way to sign in that comes back, and no form.
    let page = app.page(ARTICLE).await;
    assert!(
        page.contains(r#"href="/login?next=/articles/engines-of-thought""#),
        "{page}"
    );
    assert!(!page.contains("comment-form"));
    assert!(page.contains("No comments yet."));

    let response = comment(&app, &bob, "Lovely <b>machines</b>\nSecond line").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).starts_with(&app.url(ARTICLE)),
        "back to the article"
    );
    let page = app.page(ARTICLE).await;
    let listed = text_of(&page, "[data-testid=comments] li p.whitespace-pre-line").unwrap();
    assert_eq!(
        listed, "Lovely <b>machines</b>\nSecond line",
        "text as written, markup as text"
    );
    assert!(!page.contains("<b>machines</b>"), "{page}");

    // A refusal comes back with the message and what was typed.
    let long = "x".repeat(5001);
    let refused = comment(&app, &bob, &long).await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    let back = bob.get(location(&refused)).send().await.unwrap().text().await.unwrap();
    assert!(back.contains("Body is too long"), "{back}");
    assert!(back.contains(&long), "what was typed is kept");
    let blank = comment(&app, &bob, "   ").await;
    let back = bob.get(location(&blank)).send().await.unwrap().text().await.unwrap();
    assert!(
        back.contains("Body can&#x27;t be blank") || back.contains("Body can't be blank"),
        "{back}"
    );

    // The writer and the article's author see the delete button; nobody
    // else sees it or may use it.
    let id: i64 = sqlx::query_scalar("SELECT id FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let carl = browser();
    app.sign_up_with(&carl, "carl").await;
    let carls_view = carl.get(app.url(ARTICLE)).send().await.unwrap().text().await.unwrap();
    assert!(!carls_view.contains("Delete comment"));
    let adas_view = ada.get(app.url(ARTICLE)).send().await.unwrap().text().await.unwrap();
    assert!(adas_view.contains("Delete comment"), "the article's author");
    let bobs_view = bob.get(app.url(ARTICLE)).send().await.unwrap().text().await.unwrap();
    assert!(bobs_view.contains("Delete comment"));
    let id_text = id.to_string();
    let fields = [("slug", "engines-of-thought"), ("id", id_text.as_str())];
    let forbidden = app.post_form_with(&carl, "/fn/delete-comment", ARTICLE, &fields).await;
    assert!(!forbidden.status().is_success(), "{}", forbidden.status());
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM comments")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        1
    );
    let deleted = app.post_form_with(&bob, "/fn/delete-comment", ARTICLE, &fields).await;
    assert_eq!(deleted.status(), StatusCode::FOUND);
    assert!(app.page(ARTICLE).await.contains("No comments yet."));

    // Signed out, posting is refused and nothing is written.
    let anonymous = comment(&app, &browser(), "Hello").await;
    assert!(!anonymous.status().is_success());
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM comments")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn long_threads_come_in_pages_and_writers_have_a_budget() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    sqlx::query(
        "INSERT INTO comments (article_id, article_created_at, user_id, body)
         SELECT a.id, a.created_at, a.user_id, 'Comment ' || n
         FROM articles a, generate_series(1, 55) n WHERE a.slug = 'engines-of-thought' ORDER BY n",
    )
    .execute(&app.db)
    .await
    .unwrap();

    let first = app.page(ARTICLE).await;
    assert!(first.contains("Comment 1<") && first.contains("Comment 50<") && !first.contains("Comment 51<"));
    let later = text_of(&first, "nav[aria-label='Comment pages'] a").expect("a link to the later comments");
    assert_eq!(later, "Later comments →");
    let fiftieth: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE body = 'Comment 50'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let second = app.page(&format!("{ARTICLE}?after={fiftieth}")).await;
    assert!(second.contains("Comment 51<") && second.contains("Comment 55<") && !second.contains("Comment 50<"));

    // Twenty comments in ten minutes, then a wait; what was typed stays.
    for n in 0..20 {
        let response = comment(&app, &ada, &format!("Mine {n}")).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert!(!location(&response).contains("__err"), "comment {n} refused");
    }
    let over = comment(&app, &ada, "One too many").await;
    let back = ada.get(location(&over)).send().await.unwrap().text().await.unwrap();
    assert!(back.contains("Please wait 10 minutes"), "{back}");
    assert!(back.contains("One too many"));
    let scripted = ada
        .post(app.url("/fn/comment"))
        .header("origin", app.url(""))
        .form(&[("slug", "engines-of-thought"), ("body", "Scripted")])
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_new_comment_forgets_the_articles_comments_and_nothing_else() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let counter = QueryCounter::new(&app.db).await;
    // Warm the caches.
    app.page(ARTICLE).await;
    app.page("/").await;
    let article_reads = counter.calls("LEFT JOIN article_covers").await;
    let comment_reads = counter.calls("JOIN comments c ON c.article_id = s.article_id").await;

    assert_eq!(comment(&app, &ada, "First!").await.status(), StatusCode::FOUND);
    // The comment is a write: the instance's page cache no longer serves
    // the page it rendered before, so this render reads the cache.
    let page = app.page(ARTICLE).await;
    assert!(page.contains("First!"), "{page}");
    assert_eq!(
        counter.calls("JOIN comments c ON c.article_id = s.article_id").await,
        comment_reads + 1,
        "the comments are read again"
    );
    assert_eq!(
        counter.calls("LEFT JOIN article_covers").await,
        article_reads,
        "the article itself stays cached"
    );
}
