//! Hostile text is shown as text, and the content security policy lets
//! none of it run (case 1, and every field on every page).

use reqwest::{StatusCode, header};
use serde_json::json;

use super::{HOSTILE, publish};
use crate::helpers::{TestApp, assert_harmless, browser, location, text_of};

/// The title that once ran as a script on every page showing it.
const TITLE_PAYLOAD: &str = r#"</title><script nonce="">alert(document.domain)</script>"#;

/// The `script-src` directive of a response's policy.
fn script_src(response: &reqwest::Response) -> String {
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {policy}"))
        .to_owned()
}

/// What the policy allows of `page`: every inline script whose hash it
/// lists. Those are ours, and carry user text only as escaped JSON data
/// (no `<` at all, so nothing can end the script early); none is made of
/// user text (a script whose whole text is a call like `alert(`).
fn assert_no_allowed_script_runs(path: &str, page: &str, script_src: &str) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let document = scraper::Html::parse_document(page);
    let selector = scraper::Selector::parse("script:not([src])").unwrap();
    for script in document.select(&selector) {
        let text: String = script.text().collect();
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()));
        if script_src.contains(&format!("'sha256-{hash}'")) {
            assert!(!text.contains('<'), "{path}: an allowed script holds markup: {text}");
            assert!(
                !text.trim_start().starts_with("alert("),
                "{path}: the policy allows a script made of hostile text: {text}"
            );
        }
    }
}

/// Case 1: the title `</title><script nonce="">…` is shown as text on every
/// page that shows it, and no policy allows it to run.
#[tokio::test]
async fn a_title_that_closes_the_title_element_is_text_and_cannot_run() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let slug = publish(
        &app,
        &ada,
        json!({ "title": TITLE_PAYLOAD, "description": TITLE_PAYLOAD, "body": "b", "tagList": ["x"] }),
    )
    .await;
    for path in [format!("/articles/{slug}"), "/".to_owned(), "/@ada".to_owned()] {
        let response = browser().get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let script_src = script_src(&response);
        let page = response.text().await.unwrap();
        assert_harmless(&path, &page);
        assert_no_allowed_script_runs(&path, &page, &script_src);
        assert!(!page.contains(TITLE_PAYLOAD), "{path}: the payload appears unescaped");
        let document = scraper::Html::parse_document(&page);
        let titles = scraper::Selector::parse("title").unwrap();
        assert_eq!(document.select(&titles).count(), 1, "{path}: one <title>");
        let scripts = scraper::Selector::parse("script").unwrap();
        for script in document.select(&scripts) {
            let text: String = script.text().collect();
            assert!(
                script.value().attr("src").is_some() || !text.trim_start().starts_with("alert("),
                "{path}: the payload became a script element"
            );
        }
    }
    let article = app.page(&format!("/articles/{slug}")).await;
    assert_eq!(
        text_of(&article, "title").as_deref(),
        Some(format!("{TITLE_PAYLOAD} · Warta").as_str()),
        "readers see the title as written"
    );
    assert_eq!(text_of(&article, "h1").as_deref(), Some(TITLE_PAYLOAD));
    let description = scraper::Html::parse_document(&article);
    let meta = scraper::Selector::parse(r#"meta[property="og:title"]"#).unwrap();
    assert_eq!(
        description
            .select(&meta)
            .next()
            .and_then(|meta| meta.value().attr("content")),
        Some(TITLE_PAYLOAD),
        "attributes carry it escaped, whole"
    );
}

/// Case 1, the policy half: scripts that look like Leptos' own (an empty
/// nonce, as Leptos writes them) are not allowed by being found in the
/// page; only the scripts this render stamped are.
#[tokio::test]
async fn the_policy_allows_only_scripts_the_render_wrote() {
    let app = TestApp::spawn().await;
    let response = browser().get(app.url("/")).send().await.unwrap();
    let script_src = script_src(&response);
    let page = response.text().await.unwrap();
    let hashes = script_src.matches("'sha256-").count();
    assert!(hashes >= 2, "the bootstrap and the data: {script_src}");
    let policy_of = |response: &reqwest::Response| {
        response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let again = browser().get(app.url("/?page=1")).send().await.unwrap();
    let policy = policy_of(&again);
    for directive in [
        "default-src 'self'",
        "img-src",
        "connect-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // The render's mark is gone from the page; what is left is the same
    // for every render, so a shared cache can keep it.
    assert!(page.contains(r#"nonce="""#));
    let second = browser().get(app.url("/")).send().await.unwrap();
    assert_eq!(
        script_src,
        self::script_src(&second),
        "the same policy for the same page"
    );
}

/// Escaping at the source: a hostile string in every field a user can
/// write, and every page that shows them, harmless.
#[tokio::test]
async fn every_page_shows_hostile_text_as_text() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let saved = app
        .post_form(
            "/fn/save-settings",
            "/settings",
            &[
                ("username", "ada"),
                ("email", "ada@example.org"),
                ("bio", HOSTILE),
                ("image", "https://example.com/a.png?x=\"'"),
                ("password", ""),
            ],
        )
        .await;
    // The quote makes it no image address.
    let page = app.follow(&saved).await;
    assert!(page.contains("Image must be an http(s) URL"));
    app.post_form(
        "/fn/save-settings",
        "/settings",
        &[
            ("username", "ada"),
            ("email", "ada@example.org"),
            ("bio", HOSTILE),
            ("image", "https://example.com/a.png?x=1&y=2"),
            ("password", ""),
        ],
    )
    .await;
    // A tag cannot hold markup at all (`tags.rs`): the one here is plain.
    let tags = "plain".to_owned();
    let written = app
        .post_form(
            "/editor",
            "/editor",
            &[
                ("title", HOSTILE),
                ("description", HOSTILE),
                ("body", &format!("{HOSTILE}\n\n[x](javascript:alert(3))")),
                ("tags", &tags),
                ("intent", "publish"),
            ],
        )
        .await;
    assert_eq!(written.status(), StatusCode::SEE_OTHER);
    let article = location(&written);
    let slug = article.trim_start_matches("/articles/").to_owned();
    let draft = app
        .post_form(
            "/editor",
            "/editor",
            &[
                ("title", HOSTILE),
                ("description", ""),
                ("body", "b"),
                ("tags", ""),
                ("intent", "draft"),
            ],
        )
        .await;
    assert_eq!(draft.status(), StatusCode::SEE_OTHER);

    let signed_in = [
        "/".to_owned(),
        "/popular".to_owned(),
        article.clone(),
        "/@ada".to_owned(),
        format!("/editor/{slug}"),
        format!("/editor/{slug}/delete"),
        "/settings".to_owned(),
        "/following".to_owned(),
    ];
    for path in &signed_in {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let script_src = script_src(&response);
        let page = response.text().await.unwrap();
        assert_harmless(path, &page);
        assert_no_allowed_script_runs(path, &page, &script_src);
        assert!(!page.contains("<img src=x"), "{path}: markup from the hostile text");
    }
    for path in [
        "/".to_owned(),
        article.clone(),
        "/@ada".to_owned(),
        "/popular".to_owned(),
    ] {
        let response = browser().get(app.url(&path)).send().await.unwrap();
        let script_src = script_src(&response);
        let page = response.text().await.unwrap();
        assert_harmless(&path, &page);
        assert_no_allowed_script_runs(&path, &page, &script_src);
    }
    let article_page = app.page(&article).await;
    assert_eq!(text_of(&article_page, "h1").as_deref(), Some(HOSTILE));
    let profile = app.page("/@ada").await;
    assert!(
        text_of(&profile, "header p").is_some_and(|bio| bio.contains(HOSTILE)),
        "the bio, as text"
    );
}
