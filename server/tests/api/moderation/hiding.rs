//! Hiding and restoring: an article by a moderator, comments by the
//! article's author (or a moderator), each recorded.

use app::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{api_comment, assert_done, history, moderate, page_for, staff};
use crate::helpers::{TestApp, browser};

const ARTICLE: &str = "/articles/engines-of-thought";

#[tokio::test]
async fn a_hidden_article_is_gone_for_everyone_but_its_author_until_restored() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let reader = app.api_token("reader").await;
    let moderator = staff(&app, "mod", Role::Moderator).await;
    assert!(app.page("/").await.contains("Engines of thought"));

    let done = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        None,
        "ada",
        "hide",
        "Copied from a book",
    )
    .await;
    assert_done(&done, "/moderation");
    assert_eq!(
        browser().get(app.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(!app.page("/").await.contains("Engines of thought"));
    assert!(!app.page("/@ada").await.contains("Engines of thought"));
    let api = app
        .api(Method::GET, "/api/articles/engines-of-thought", &reader, json!({}))
        .await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let favorite = app
        .api(
            Method::POST,
            "/api/articles/engines-of-thought/favorite",
            &reader,
            json!({}),
        )
        .await;
    assert_eq!(favorite.status(), StatusCode::NOT_FOUND);

    // Its author still has it in the editor, and publishing it again does
    // not bring it back.
    let (status, editor) = page_for(&app, &ada, "/editor/engines-of-thought").await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("Engines of thought"));
    assert!(editor.contains("The moderators have hidden this article"), "{editor}");
    let fields = [
        ("title", "Engines of thought"),
        ("description", "What it is about"),
        ("body", "Some words."),
        ("tags", ""),
        ("intent", "publish"),
    ];
    let saved = app
        .post_form_with(
            &ada,
            "/editor/engines-of-thought",
            "/editor/engines-of-thought",
            &fields,
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser().get(app.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Its account page lists it; restoring it needs a reason too.
    let (_, account) = page_for(&app, &moderator, "/moderation/account?name=ada").await;
    assert!(account.contains("An article, hidden on"), "{account}");
    let blank = app
        .post_form_with(
            &moderator,
            "/fn/restore-writing",
            "/moderation/account?name=ada",
            &[("account", "ada"), ("article", "engines-of-thought"), ("reason", " ")],
        )
        .await;
    assert!(crate::helpers::location(&blank).contains("__err"), "refused");
    assert_eq!(
        browser().get(app.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let restored = app
        .post_form_with(
            &moderator,
            "/fn/restore-writing",
            "/moderation/account?name=ada",
            &[
                ("account", "ada"),
                ("article", "engines-of-thought"),
                ("reason", "Ada wrote the book"),
            ],
        )
        .await;
    assert_done(&restored, "/moderation/account?name=ada");
    assert_eq!(
        browser().get(app.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert!(app.page("/").await.contains("Engines of thought"));

    let recorded = history(&app, &moderator, "ada").await;
    assert!(recorded.contains("hid the article"), "{recorded}");
    assert!(recorded.contains("Copied from a book"), "{recorded}");
    assert!(recorded.contains("restored the article"), "{recorded}");
    assert!(recorded.contains("Ada wrote the book"), "{recorded}");

    // Readers may not.
    let reader_browser = browser();
    app.sign_up_with(&reader_browser, "nosy").await;
    let refused = moderate(
        &app,
        &reader_browser,
        "engines-of-thought",
        None,
        "ada",
        "hide",
        "Mine now",
    )
    .await;
    assert!(crate::helpers::location(&refused).contains("__err"));
    assert_eq!(
        browser().get(app.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (status, _) = page_for(&app, &reader_browser, "/moderation").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page_for(&app, &browser(), "/moderation").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The comments under the article, as an anonymous reader sees them.
async fn public_comments(app: &TestApp) -> String {
    let page = app.page(ARTICLE).await;
    crate::helpers::text_of(&page, "#comments").unwrap_or_default()
}

#[tokio::test]
async fn an_author_hides_and_deletes_strangers_comments_under_their_article() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let bob = app.api_token("bob").await;
    let carl = app.api_token("carl").await;
    let rude = api_comment(&app, &bob, "engines-of-thought", "A rude remark").await;
    let spam = api_comment(&app, &carl, "engines-of-thought", "Cheap watches").await;
    let kind = api_comment(&app, &carl, "engines-of-thought", "A kind remark").await;
    assert!(public_comments(&app).await.contains("A rude remark"));

    // A stranger may not hide it; the article's author may.
    let rude_id = rude.to_string();
    let fields = [
        ("slug", "engines-of-thought"),
        ("id", rude_id.as_str()),
        ("hide", "true"),
    ];
    let nosy = browser();
    app.sign_up_with(&nosy, "nosy").await;
    let refused = app.post_form_with(&nosy, "/fn/hide-comment", ARTICLE, &fields).await;
    assert!(!refused.status().is_success() && !refused.status().is_server_error());
    assert!(public_comments(&app).await.contains("A rude remark"));
    let hidden = app.post_form_with(&ada, "/fn/hide-comment", ARTICLE, &fields).await;
    assert_eq!(hidden.status(), StatusCode::FOUND);
    let public = public_comments(&app).await;
    assert!(!public.contains("A rude remark"), "{public}");
    assert!(public.contains("A kind remark"));
    let api: serde_json::Value = browser()
        .get(app.url("/api/articles/engines-of-thought/comments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = api["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|comment| comment["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Cheap watches", "A kind remark"]);

    // The author sees it greyed, with a way back.
    let (_, adas) = page_for(&app, &ada, ARTICLE).await;
    let greyed = crate::helpers::text_of(&adas, "li[data-hidden=true]").expect("shown to its author");
    assert!(
        greyed.contains("A rude remark") && greyed.contains("Hidden"),
        "{greyed}"
    );
    assert!(greyed.contains("Show again"));

    // A moderator hides another from the queue, with a reason.
    let moderator = staff(&app, "mod", Role::Moderator).await;
    let done = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        Some(spam),
        "carl",
        "hide",
        "Advertising",
    )
    .await;
    assert_done(&done, "/moderation");
    assert!(!public_comments(&app).await.contains("Cheap watches"));

    // What a moderator hid is not the author's to show again.
    let spam_id = spam.to_string();
    let overruled = app
        .post_form_with(
            &ada,
            "/fn/hide-comment",
            ARTICLE,
            &[
                ("slug", "engines-of-thought"),
                ("id", spam_id.as_str()),
                ("hide", "false"),
            ],
        )
        .await;
    assert!(!overruled.status().is_server_error(), "{}", overruled.status());
    assert!(!public_comments(&app).await.contains("Cheap watches"));

    // The author shows the first again, and deletes a stranger's comment
    // through the API.
    let shown = [
        ("slug", "engines-of-thought"),
        ("id", rude_id.as_str()),
        ("hide", "false"),
    ];
    let restored = app.post_form_with(&ada, "/fn/hide-comment", ARTICLE, &shown).await;
    assert_eq!(restored.status(), StatusCode::FOUND);
    assert!(public_comments(&app).await.contains("A rude remark"));
    let ada_token = app.api_sign_in("ada@example.org", "correct horse").await;
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/api/articles/engines-of-thought/comments/{kind}"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let stranger = app
        .api(
            Method::DELETE,
            &format!("/api/articles/engines-of-thought/comments/{rude}"),
            &carl,
            json!({}),
        )
        .await;
    assert_eq!(stranger.status(), StatusCode::FORBIDDEN);

    let bobs = history(&app, &moderator, "bob").await;
    assert!(
        bobs.contains("hid the comment") && bobs.contains("restored the comment"),
        "{bobs}"
    );
    assert!(bobs.contains("A rude remark"), "what it said: {bobs}");
    let carls = history(&app, &moderator, "carl").await;
    assert!(carls.contains("Advertising"), "{carls}");
    assert!(
        carls.contains("deleted the comment") && carls.contains("A kind remark"),
        "{carls}"
    );
}

#[tokio::test]
async fn every_instance_forgets_what_a_moderator_hid_at_once() {
    // No page cache: what is measured is the read-through cache the
    // instances share, which a moderation action starts a new generation
    // of.
    let app = TestApp::builder().var("WARTA_PAGE_CACHE_MS", "0").spawn().await;
    let other = app.sibling().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let moderator = staff(&app, "mod", Role::Moderator).await;
    // The other instance reads (and caches) every page showing it.
    for path in [ARTICLE, "/", "/@ada", "/feed.xml", "/sitemaps/articles-0.xml"] {
        let page = other.page(path).await;
        assert!(
            page.contains("ngines of thought") || page.contains("engines-of-thought"),
            "{path}"
        );
    }

    let done = moderate(&app, &moderator, "engines-of-thought", None, "ada", "hide", "Spam").await;
    assert_done(&done, "/moderation");
    assert_eq!(
        browser().get(other.url(ARTICLE)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    for path in ["/", "/@ada", "/feed.xml", "/sitemaps/articles-0.xml"] {
        let page = other.page(path).await;
        assert!(
            !page.contains("ngines of thought") && !page.contains("engines-of-thought"),
            "{path} on the other instance: {page}"
        );
    }
}
