//! Every author and commenter may be an attacker: each numbered case of
//! the hostile-users issue, driven as an attacker would, with the safe
//! outcome asserted.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_harmless, browser, eventually, location, text_of};

/// The title that once ran as a script on every page showing it.
const TITLE_PAYLOAD: &str = r#"</title><script nonce="">alert(document.domain)</script>"#;

/// A string that is markup in every context we can think of.
const HOSTILE: &str = r#"<script>alert(1)</script>"'><img src=x onerror=alert(2)></textarea></title><!--"#;

/// Publishes an article through the API; returns its slug.
async fn publish(app: &TestApp, token: &str, article: Value) -> String {
    app.publish(token, article).await
}

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

/// Case 2: `next` leads only to a path on this site, and a value a header
/// cannot carry does not break the answer.
#[tokio::test]
async fn signing_in_never_leaves_the_site_or_drops_the_connection() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/\u{7f}",
        "/\u{0}",
        "/é",
    ] {
        let client = browser();
        let response = app
            .post_form_with(
                &client,
                "/fn/login",
                "/login",
                &[
                    ("email", "ada@example.org"),
                    ("password", "correct horse"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FOUND, "{next:?}");
        assert_eq!(location(&response), "/", "{next:?}");
    }
    // The sign-in form does not offer such a `next` either.
    let page = app.page("/login?next=%2F%09%2Fevil.example").await;
    assert!(!page.contains("evil.example"), "{page}");
}

/// Case 3: the per-account budget counts the email an attempt uses,
/// whatever the body's media type says.
#[tokio::test]
async fn the_account_budget_holds_whatever_the_media_type() {
    let app = TestApp::spawn().await;
    app.api_token("ada").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let response = app
            .client
            .post(app.url("/fn/login"))
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::ACCEPT, "application/json")
            .body("email=ada%40example.org&password=wrong+guess")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(!statuses[..10].contains(&429), "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");

    let mut api = Vec::new();
    for _ in 0..11 {
        let response = app
            .client
            .post(app.url("/api/users/login"))
            .header(header::CONTENT_TYPE, "application/vnd.api+json")
            .body(json!({ "user": { "email": "ADA@example.org", "password": "wrong" } }).to_string())
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        api.push((response.status().as_u16(), retry_after.is_some()));
    }
    // The account's budget was spent above: the API counts the same one.
    assert!(api.iter().all(|(status, _)| *status == 429), "{api:?}");
    assert!(api.iter().all(|(_, retry_after)| *retry_after), "{api:?}");
}

/// Case 4: profile fields have limits everywhere they can be set, and a
/// listing carries no bio however long bios are.
#[tokio::test]
async fn profile_fields_are_bounded_and_listings_carry_no_bio() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let put = |user: Value| app.api(reqwest::Method::PUT, "/api/user", &ada, json!({ "user": user }));
    let huge = put(json!({ "bio": "b".repeat(360 * 1024) })).await;
    assert_eq!(huge.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = huge.json().await.unwrap();
    assert!(
        body["errors"]["bio"][0].as_str().unwrap().contains("too long"),
        "{body}"
    );
    for image in [
        format!("https://example.com/{}", "i".repeat(3000)),
        "javascript:alert(1)".to_owned(),
        "https://example.com/\"onerror=\"alert(1)".to_owned(),
    ] {
        let refused = put(json!({ "image": image })).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{image}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["errors"]["image"].is_array(), "{body}");
    }

    let bio = format!("{HOSTILE} {}", "long bio ".repeat(100));
    assert_eq!(put(json!({ "bio": bio })).await.status(), StatusCode::OK);
    for n in 0..6 {
        publish(
            &app,
            &ada,
            json!({ "title": format!("Story {n}"), "description": "d", "body": "b" }),
        )
        .await;
    }
    let listing: Value = browser()
        .get(app.url("/api/articles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listing["articlesCount"], 6);
    for article in listing["articles"].as_array().unwrap() {
        assert_eq!(article["author"]["username"], "ada");
        assert_eq!(article["author"]["bio"], Value::Null, "no bio in a listing");
    }
    let home = app.page("/").await;
    assert!(!home.contains("long bio"), "the home page carries no bio");
    assert!(home.len() < 64 * 1024, "the home page is {} bytes", home.len());
    let profile = app.page("/@ada").await;
    assert!(profile.contains("long bio"), "the author's own page shows it");
    assert_harmless("/@ada", &profile);

    // Comments carry their writer's name and picture, not the bio.
    let slug = publish(&app, &ada, json!({ "title": "Talk", "description": "d", "body": "b" })).await;
    let path = format!("/api/articles/{slug}/comments");
    let added = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": "Hi" } }),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["comment"]["author"]["bio"], Value::Null);
    let long = app
        .api(
            reqwest::Method::POST,
            &path,
            &ada,
            json!({ "comment": { "body": "c".repeat(5001) } }),
        )
        .await;
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Case 4, the form: the settings form has the same limits as the API.
#[tokio::test]
async fn the_settings_form_refuses_what_the_api_refuses() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let bio = "b".repeat(1001);
    for (field, value, message) in [
        ("bio", bio.as_str(), "Bio is too long"),
        ("image", "javascript:alert(1)", "Image must be an http(s) URL"),
        ("bio", "right\u{202E}left", "Bio may not contain control characters"),
    ] {
        let mut fields = vec![
            ("username", "ada"),
            ("email", "ada@example.org"),
            ("bio", ""),
            ("image", ""),
            ("password", ""),
        ];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        let refused = app.post_form("/fn/save-settings", "/settings", &fields).await;
        let page = app.follow(&refused).await;
        assert!(page.contains(message), "{field}: {message}");
    }
}

/// Case 5: bytes that cannot name anything are 404 or 422, never a 5xx.
#[tokio::test]
async fn nul_and_overlong_names_are_not_found_or_refused() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let long = "a".repeat(80);
    let paths = [
        "/articles/%00".to_owned(),
        "/@%00".to_owned(),
        "/api/articles/%00".to_owned(),
        "/api/articles/%00/comments".to_owned(),
        "/api/profiles/%00".to_owned(),
        "/api/articles?tag=%00".to_owned(),
        "/api/articles?author=%00".to_owned(),
        "/api/articles?favorited=%00".to_owned(),
        format!("/{long}"),
        format!("/pkg/{long}"),
        format!("/articles/{}", "a".repeat(10_000)),
        format!("/@{}", "a".repeat(10_000)),
    ];
    let signed_in = browser();
    app.sign_up_with(&signed_in, "bob").await;
    for path in &paths {
        let response = browser().get(app.url(path)).send().await.unwrap();
        let status = response.status();
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY),
            "{path}: {status}"
        );
    }
    // The editor, for a writer, on what names no article.
    for path in ["/editor/%00", "/editor/%00/delete"] {
        let response = signed_in.get(app.url(path)).send().await.unwrap();
        let status = response.status();
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY),
            "{path}: {status}"
        );
    }
    let nul_title = app
        .api(
            reqwest::Method::POST,
            "/api/articles",
            &ada,
            json!({ "article": { "title": "a\u{0}b", "description": "d", "body": "b" } }),
        )
        .await;
    assert_eq!(nul_title.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = nul_title.json().await.unwrap();
    assert!(
        body["errors"]["title"][0]
            .as_str()
            .unwrap()
            .contains("control characters"),
        "{body}"
    );
    let nul_login = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "a\u{0}@example.org", "password": "password123" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(nul_login.status(), StatusCode::UNAUTHORIZED);
}

/// Case 6: changing the password or email takes the current one, and ends
/// every other session and API token.
#[tokio::test]
async fn credential_changes_take_the_current_password_and_end_other_sessions() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    // The same account in a second browser, and an API token.
    let other = browser();
    let signed_in = app
        .post_form_with(
            &other,
            "/fn/login",
            "/login",
            &[("email", "ada@example.org"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(location(&signed_in), "/");
    let login: Value = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "ada@example.org", "password": "correct horse" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["user"]["token"].as_str().unwrap().to_owned();

    let change = |current: &'static str| {
        [
            ("username", "ada"),
            ("email", "ada@example.org"),
            ("bio", ""),
            ("image", ""),
            ("password", "a brand new password"),
            ("current_password", current),
        ]
    };
    for (current, message) in [
        ("", "Current password is needed"),
        ("wrong guess", "Current password is not right"),
    ] {
        let refused = app.post_form("/fn/save-settings", "/settings", &change(current)).await;
        let page = app.follow(&refused).await;
        assert!(page.contains(message), "{message}");
    }
    assert_eq!(
        whoami(&app, &other).await.as_deref(),
        Some("ada"),
        "nothing changed yet"
    );

    let saved = app
        .post_form("/fn/save-settings", "/settings", &change("correct horse"))
        .await;
    assert_eq!(location(&saved), "/settings?saved=1");
    assert_eq!(
        whoami(&app, &app.client).await.as_deref(),
        Some("ada"),
        "this session stays"
    );
    assert_eq!(whoami(&app, &other).await, None, "the other session has ended");
    let with_token = app
        .client
        .get(app.url("/api/user"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::UNAUTHORIZED, "the old token has ended");

    // "Sign out everywhere" ends the others too, and keeps this one.
    let third = browser();
    app.post_form_with(
        &third,
        "/fn/login",
        "/login",
        &[("email", "ada@example.org"), ("password", "a brand new password")],
    )
    .await;
    assert_eq!(whoami(&app, &third).await.as_deref(), Some("ada"));
    let refused = app
        .post_form("/fn/sign-out-everywhere", "/settings", &[("your_password", "a guess")])
        .await;
    assert!(location(&refused).contains("__err="), "it takes the password");
    assert_eq!(whoami(&app, &third).await.as_deref(), Some("ada"));
    let everywhere = app
        .post_form(
            "/fn/sign-out-everywhere",
            "/settings",
            &[("your_password", "a brand new password")],
        )
        .await;
    assert_eq!(location(&everywhere), "/settings?signed_out=1");
    assert_eq!(whoami(&app, &third).await, None);
    assert_eq!(whoami(&app, &app.client).await.as_deref(), Some("ada"));

    // Through the API, an old token needs the current password; the token
    // making the change survives it, and the other tokens do not.
    let old_token: Value = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({ "user": { "email": "ada@example.org", "password": "a brand new password" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old_token = old_token["user"]["token"].as_str().unwrap().to_owned();
    sqlx::query("UPDATE api_tokens SET created_at = now() - interval '1 hour'")
        .execute(&app.db)
        .await
        .unwrap();
    let second_token = app.api_token("someone_else").await;
    let refused = app
        .api(
            reqwest::Method::PUT,
            "/api/user",
            &old_token,
            json!({ "user": { "email": "thief@example.org" } }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert!(body["errors"]["currentPassword"].is_array(), "{body}");
    let changed = app
        .api(
            reqwest::Method::PUT,
            "/api/user",
            &old_token,
            json!({ "user": { "email": "ada2@example.org", "currentPassword": "a brand new password" } }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        app.api(reqwest::Method::GET, "/api/user", &old_token, Value::Null)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(whoami(&app, &app.client).await, None, "the browser session has ended");
    assert_eq!(
        app.api(reqwest::Method::GET, "/api/user", &second_token, Value::Null)
            .await
            .status(),
        StatusCode::OK,
        "another account's token is untouched"
    );
}

/// A session ends its set time after sign-in, however busy it is (ASVS
/// 3.3.2: periodic re-authentication), so a stolen cookie does not last
/// forever by being used.
#[tokio::test]
async fn a_session_ends_its_lifetime_after_sign_in_however_much_it_is_used() {
    let app = TestApp::builder().var("WARTA_SESSION_MAX_AGE_SECS", "2").spawn().await;
    app.sign_up("ada").await;
    assert_eq!(whoami(&app, &app.client).await.as_deref(), Some("ada"));
    eventually(
        std::time::Duration::from_secs(15),
        "the session ends",
        async || match whoami(&app, &app.client).await {
            None => Ok(()),
            Some(name) => Err(format!("still signed in as {name}")),
        },
    )
    .await;
}

/// Who `client` is signed in as, as the page header says.
async fn whoami(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let page = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    text_of(&page, r#"[data-testid="signed-in-as"]"#)
}

/// Case 7: password hashing is admitted a few at a time; past the wait a
/// sign-in is a 503 with `Retry-After`, not another 19 MiB.
#[tokio::test]
async fn password_hashing_beyond_its_threads_is_refused_with_retry_after() {
    let app = TestApp::builder()
        .var("WARTA_PASSWORD_HASHERS", "1")
        .var("WARTA_PASSWORD_WAIT_MS", "1")
        .spawn()
        .await;
    let attempts = (0..12).map(|n| {
        let client = browser();
        let url = app.url("/api/users/login");
        async move {
            let response = client
                .post(url)
                .json(&json!({ "user": { "email": format!("nobody{n}@example.org"), "password": "password123" } }))
                .send()
                .await
                .unwrap();
            (response.status(), response.headers().get(header::RETRY_AFTER).cloned())
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(busy.iter().all(|(_, retry_after)| retry_after.is_some()), "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, _)| matches!(*status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE)),
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|(status, _)| *status == StatusCode::UNAUTHORIZED),
        "the hasher still works: {answers:?}"
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
    let tags = format!("{}, plain", &HOSTILE[..40]);
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
