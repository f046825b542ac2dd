//! English and Indonesian: every page at `/…` and `/id/…`, marked with its
//! language and its twin's address; links that stay in the language; forms
//! that answer in it; the front door's `Accept-Language`; follower emails
//! in the follower's language.

use std::time::Duration;

use app::{i18n::Locale, t};
use chrono::Utc;
use reqwest::{StatusCode, header};

use crate::{
    helpers::{TestApp, browser, fixtures, location},
    notifications::{follow, mailing_app},
    smtp::SmtpServer,
};

/// `username` registers through the form on `/id/register` in `client`.
async fn register_on_the_indonesian_page(app: &TestApp, client: &reqwest::Client, username: &str) -> reqwest::Response {
    let email = format!("{username}@example.org");
    let fields = [("username", username), ("email", &email), ("password", "correct horse")];
    app.post_form_with(client, "/fn/register", "/id/register", &fields)
        .await
}

/// The language `username`'s emails are in.
async fn email_locale(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT locale FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The pages every reader can open, without their language prefix.
const PAGES: [&str; 9] = [
    "/",
    "/popular",
    "/search?q=engines",
    "/tags/machines",
    "/articles/engines",
    "/@ada",
    "/@ada/favorites",
    "/login",
    "/register",
];

async fn site_with_a_story(app: &TestApp) -> chrono::DateTime<Utc> {
    let ada = fixtures::user(&app.db, "ada").await;
    let published = Utc::now() - chrono::Duration::days(3);
    fixtures::article(&app.db, ada, "Engines", published, Some(published)).await;
    sqlx::query(
        "INSERT INTO article_tags (article_id, article_created_at, tag, position, published_at)
         SELECT id, created_at, 'machines', 0, published_at FROM articles WHERE slug = 'engines'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    published
}

#[tokio::test]
async fn every_page_has_an_indonesian_twin_marked_with_its_language_and_alternates() {
    let app = TestApp::spawn().await;
    site_with_a_story(&app).await;
    for path in PAGES {
        for locale in Locale::ALL {
            let url = locale.href(path);
            let response = app.get(&url).await;
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("<html lang=\"{}\"", locale.code())), "{url}");
            let latest = format!(">{}</a>", t!(locale, "nav-latest"));
            assert!(html.contains(&latest), "{url}: the navigation in its language");
            // Each page names its twin in the other language, and the
            // English one as the default for everyone else.
            for (hreflang, twin) in [
                ("en", path.to_owned()),
                ("id", Locale::Id.href(path)),
                ("x-default", path.to_owned()),
            ] {
                let alternate = format!("<link href=\"{}\" hreflang=\"{hreflang}\"", app.url(&twin));
                assert!(html.contains(&alternate), "{url}: no {alternate}");
            }
        }
    }
    let english = app.get("/").await.text().await.unwrap();
    let indonesian = app.get("/id").await.text().await.unwrap();
    assert!(english.contains(">Latest</a>") && !indonesian.contains(">Latest</a>"));
}

#[tokio::test]
async fn links_on_an_indonesian_page_stay_indonesian_and_dates_read_indonesian() {
    let app = TestApp::spawn().await;
    let published = site_with_a_story(&app).await;
    let html = app.get("/id").await.text().await.unwrap();
    assert!(
        html.contains("href=\"/id/articles/engines\""),
        "the story in Indonesian"
    );
    assert!(html.contains("href=\"/id/@ada\""), "its author in Indonesian");
    assert!(html.contains("href=\"/id/popular\""));
    assert!(!html.contains("href=\"/articles/"), "no link back to English pages");
    assert!(
        html.contains(&Locale::Id.date(published)),
        "dates as Indonesians write them"
    );
    // The switch leads to this page in English, and nothing else does.
    assert!(html.contains("href=\"/\" hreflang=\"en\""), "the switch to English");

    // The switch keeps what picks the listing, not what steers a form.
    let search = app
        .get("/id/search?q=engines&next=/elsewhere")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        search.contains("href=\"/search?q=engines\" hreflang=\"en\""),
        "{search}"
    );
    assert!(!search.contains("elsewhere"));

    let article = app.get("/id/articles/engines").await.text().await.unwrap();
    assert!(article.contains(&Locale::Id.date(published)));
    assert!(!article.contains(&Locale::En.date(published)));
}

#[tokio::test]
async fn an_unknown_indonesian_path_is_an_indonesian_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/id/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"id\""));
    // `/idea` is an English path, not an Indonesian `ea`.
    let response = app.get("/idea").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("<html lang=\"en\""));
}

#[tokio::test]
async fn the_front_door_sends_browsers_preferring_indonesian_to_it_once() {
    let app = TestApp::spawn().await;
    let client = browser();
    let get = |accept: &'static str, referer: Option<String>| {
        let mut request = client.get(app.url("/")).header(header::ACCEPT_LANGUAGE, accept);
        if let Some(referer) = referer {
            request = request.header(header::REFERER, referer);
        }
        request.send()
    };

    // From elsewhere, preferring Indonesian: to `/id`, for this browser only.
    let response = get("id-ID,id;q=0.9,en;q=0.8", None).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/id");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "private, no-store");
    assert!(vary(&response).contains("accept-language"));

    // Chosen on one of our pages (the switch to English): English, and not
    // shared, since a cache cannot tell it from the redirect.
    let response = get("id-ID,id;q=0.9", Some(app.url("/id/popular"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    assert!(response.text().await.unwrap().contains("<html lang=\"en\""));

    // Preferring English, or saying nothing: the public English page.
    for accept in ["en-US,en;q=0.9,id;q=0.5", ""] {
        let response = get(accept, None).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert!(
            response.headers()[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .starts_with("public")
        );
        assert!(vary(&response).contains("accept-language"), "{accept:?}");
    }
    // Other pages never redirect.
    let response = client
        .get(app.url("/popular"))
        .header(header::ACCEPT_LANGUAGE, "id")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

fn vary(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(header::VARY)
        .iter()
        .map(|value| value.to_str().unwrap().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn forms_on_indonesian_pages_answer_in_indonesian_and_remember_the_language() {
    let app = TestApp::spawn().await;
    let siti = browser();
    let response = register_on_the_indonesian_page(&app, &siti, "siti").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/id", "back to the Indonesian front page");
    let locale = email_locale(&app, "siti").await;
    assert_eq!(locale, "id", "her emails will be in Indonesian");

    // Her settings show it, and change it.
    let settings = siti
        .get(app.url("/id/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(settings.contains(r#"<option value="id" selected"#), "{settings}");
    let fields = [
        ("username", "siti"),
        ("email", "siti@example.org"),
        ("bio", ""),
        ("image", ""),
        ("password", ""),
        ("email_locale", "en"),
    ];
    let response = app
        .post_form_with(&siti, "/fn/save-settings", "/id/settings", &fields)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/id/settings?saved=1");
    let locale = email_locale(&app, "siti").await;
    assert_eq!(locale, "en", "chosen in her settings");

    // Signed out, a private page sends her to the Indonesian sign-in.
    let response = browser()
        .get(app.url("/id/settings"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "settings need a reader");
    assert!(location(&response).starts_with("/id/login"), "{}", location(&response));

    // English registration stays English.
    app.sign_up("ada").await;
    let locale = email_locale(&app, "ada").await;
    assert_eq!(locale, "en");
}

#[tokio::test]
async fn a_follower_who_reads_indonesian_gets_the_email_in_indonesian() {
    let smtp = SmtpServer::for_followers();
    let app = mailing_app(&smtp).await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let siti = browser();
    let response = register_on_the_indonesian_page(&app, &siti, "siti").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    follow(&app, &siti, "ada", Locale::Id).await;

    app.write_with(&ada, "Mesin tenun", "publish").await;
    assert_eq!(smtp.wait_for(1, Duration::from_secs(20)).await, 1);
    let mail = &smtp.received()[0];
    let body = mail.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    assert!(body.contains(&t!(Locale::Id, "email-intro", author = "ada")), "{body}");
    assert!(
        body.contains(&format!("{}/id/articles/mesin-tenun", app.address)),
        "{body}"
    );
    assert!(body.contains(&format!("{}/id/unsubscribe/", app.address)), "{body}");
    assert!(!body.contains("published a new story"), "{body}");
}

#[tokio::test]
async fn a_form_too_large_from_an_indonesian_page_is_refused_in_indonesian() {
    let app = TestApp::spawn().await;
    let body = "x".repeat(4 * 1024 * 1024);
    let response = app
        .post_form("/id/editor", "/id/editor", &[("title", "Besar"), ("body", &body)])
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = response.text().await.unwrap();
    assert!(page.contains("<html lang=\"id\">"), "{page}");
    assert!(page.contains(&t!(Locale::Id, "too-large-heading")), "{page}");
    assert!(page.contains("href=\"/id\""), "home, in Indonesian: {page}");
}
