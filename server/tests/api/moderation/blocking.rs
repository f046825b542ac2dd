//! Blocking: a blocked account cannot follow or comment, its follow ends,
//! its comments are hidden for the one who blocked it, and the settings
//! list undoes it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{api_comment, page_for};
use crate::helpers::{TestApp, browser, text_of};

const ARTICLE: &str = "/articles/engines-of-thought";

async fn follows(app: &TestApp, follower: &str, author: &str) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows f
                        JOIN users a ON a.id = f.author_id JOIN users r ON r.id = f.follower_id
                        WHERE r.username = $1 AND a.username = $2)",
    )
    .bind(follower)
    .bind(author)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_blocked_account_can_neither_follow_nor_comment_until_unblocked() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let troll = app.api_token("troll").await;
    let follow = app
        .api(Method::POST, "/api/profiles/ada/follow", &troll, json!({}))
        .await;
    assert_eq!(follow.status(), StatusCode::OK);
    api_comment(&app, &troll, "engines-of-thought", "Boring").await;
    assert!(follows(&app, "troll", "ada").await);

    // Blocking from the profile page ends the follow.
    let (_, profile) = page_for(&app, &ada, "/@troll").await;
    assert!(profile.contains("Block troll"), "the button: {profile}");
    let blocked = app
        .post_form_with(
            &ada,
            "/fn/block",
            "/@troll",
            &[("username", "troll"), ("block", "true")],
        )
        .await;
    assert_eq!(blocked.status(), StatusCode::FOUND);
    assert!(!follows(&app, "troll", "ada").await, "the follow ended");
    let (_, profile) = page_for(&app, &ada, "/@troll").await;
    assert!(profile.contains("Unblock troll"), "{profile}");

    // It can no longer follow or comment, and is told why.
    let again = app
        .api(Method::POST, "/api/profiles/ada/follow", &troll, json!({}))
        .await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["errors"]["profile"][0], "has blocked you");
    assert!(!follows(&app, "troll", "ada").await);
    let comment = app
        .api(
            Method::POST,
            "/api/articles/engines-of-thought/comments",
            &troll,
            json!({ "comment": { "body": "Still boring" } }),
        )
        .await;
    assert_eq!(comment.status(), StatusCode::FORBIDDEN);
    let troll_browser = browser();
    let signed_in = app
        .post_form_with(
            &troll_browser,
            "/fn/login",
            "/login",
            &[("email", "troll@example.org"), ("password", "password123")],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    let (_, profile) = page_for(&app, &troll_browser, "/@ada").await;
    assert!(profile.contains("This author has blocked you."), "{profile}");
    let form = app
        .post_form_with(
            &troll_browser,
            "/fn/comment",
            ARTICLE,
            &[("slug", "engines-of-thought"), ("body", "Boring again")],
        )
        .await;
    let back = app.follow_with(&troll_browser, &form).await;
    assert!(back.contains("does not accept comments from you"), "{back}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 1);

    // Its comments are hidden for ada, and only for her.
    let (_, adas) = page_for(&app, &ada, ARTICLE).await;
    assert!(!text_of(&adas, "#comments").unwrap().contains("Boring"), "{adas}");
    assert!(
        text_of(&app.page(ARTICLE).await, "#comments")
            .unwrap()
            .contains("Boring")
    );

    // The settings list shows it, and undoes it.
    let (_, list) = page_for(&app, &ada, "/settings/blocked").await;
    let listed = text_of(&list, "[data-testid=blocked]").expect("a list");
    assert!(listed.contains("troll"), "{listed}");
    let unblocked = app
        .post_form_with(
            &ada,
            "/fn/block",
            "/settings/blocked",
            &[("username", "troll"), ("block", "false")],
        )
        .await;
    assert_eq!(unblocked.status(), StatusCode::FOUND);
    let (_, list) = page_for(&app, &ada, "/settings/blocked").await;
    assert!(list.contains("You have not blocked anyone."), "{list}");
    let (_, adas) = page_for(&app, &ada, ARTICLE).await;
    assert!(text_of(&adas, "#comments").unwrap().contains("Boring"));
    let follow = app
        .api(Method::POST, "/api/profiles/ada/follow", &troll, json!({}))
        .await;
    assert_eq!(follow.status(), StatusCode::OK);

    // Signed out, the list asks for a sign-in; nobody blocks themselves.
    let signed_out = browser()
        .get(app.url("/settings/blocked"))
        .header(reqwest::header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_redirection(), "{}", signed_out.status());
    assert_eq!(crate::helpers::location(&signed_out), "/login?next=/settings/blocked");
    let own = app
        .post_form_with(&ada, "/fn/block", "/@ada", &[("username", "ada"), ("block", "true")])
        .await;
    assert!(!own.status().is_server_error());
    let blocks: i64 = sqlx::query_scalar("SELECT count(*) FROM blocks")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(blocks, 0);
}

#[tokio::test]
async fn a_reader_blocks_from_a_comment_and_the_blocked_account_cannot_follow_from_the_profile() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let troll = app.api_token("troll").await;
    api_comment(&app, &troll, "engines-of-thought", "Boring").await;

    // Under each comment of someone else, a button blocks its writer, and
    // the form comes back to the article.
    let (_, page) = page_for(&app, &ada, ARTICLE).await;
    let form = text_of(&page, "[data-testid=block-writer-form]").expect("a block button under troll's comment");
    assert!(form.contains("Block troll"), "{form}");
    let blocked = app
        .post_form_with(&ada, "/fn/block", ARTICLE, &[("username", "troll"), ("block", "true")])
        .await;
    assert_eq!(blocked.status(), StatusCode::FOUND);
    assert!(
        crate::helpers::location(&blocked).ends_with(ARTICLE),
        "back to the article: {}",
        crate::helpers::location(&blocked)
    );
    let (_, page) = page_for(&app, &ada, ARTICLE).await;
    assert!(!text_of(&page, "#comments").unwrap().contains("Boring"), "{page}");
    assert!(
        text_of(&page, "[data-testid=block-writer-form]").is_none(),
        "nothing left to block"
    );

    // The profile's follow form, without JavaScript, refuses and says why.
    let troll_browser = browser();
    let signed_in = app
        .post_form_with(
            &troll_browser,
            "/fn/login",
            "/login",
            &[("email", "troll@example.org"), ("password", "password123")],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    let refused = app
        .post_form_with(
            &troll_browser,
            "/fn/follow",
            "/@ada",
            &[("username", "ada"), ("follow", "true")],
        )
        .await;
    assert!(
        crate::helpers::location(&refused).contains("__err="),
        "refused: {}",
        crate::helpers::location(&refused)
    );
    let back = app.follow_with(&troll_browser, &refused).await;
    assert!(back.contains("This author has blocked you."), "{back}");
    assert!(!follows(&app, "troll", "ada").await, "no follow was made");
}
