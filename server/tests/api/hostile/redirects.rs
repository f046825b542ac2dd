//! Issue 23, point 1 (and the front door and form refusals of point 7):
//! every `Location` and every link stays on this site, whatever `next`,
//! path or language prefix a stranger writes, and a form's refusal in a URL
//! shows only in the browser that was refused.

use base64::{Engine as _, engine::general_purpose::URL_SAFE};
use reqwest::{StatusCode, header};

use crate::helpers::{TestApp, browser, location};

/// Whether a browser following `href` from a page of this site stays on
/// it: a path with one leading `/`, no `\`, nothing but printable ASCII (a
/// browser drops tabs and line breaks, which could make `//`), or a URL on
/// the app's own origin.
fn stays_here(app: &TestApp, href: &str) -> bool {
    let path = href.strip_prefix(&app.address).unwrap_or(href);
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'\\')
}

/// Every family of hostile `next`, bare and behind the language prefix.
const HOSTILE: [&str; 12] = [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/id//evil.example",
    "/id/\\evil.example",
    "/id/\t/evil.example",
    "/id/https://evil.example",
    "/id?//evil.example",
    "/id\\/evil.example",
    "/\u{ff0f}evil.example",
];

#[tokio::test]
async fn signing_in_never_redirects_off_the_site_whatever_the_prefix() {
    // Four dozen sign-ins from one address: past its own budget.
    let app = TestApp::builder()
        .var("WARTA_ATTEMPTS_PER_ADDRESS", "1000")
        .spawn()
        .await;
    app.sign_up("ada").await;
    for next in HOSTILE {
        for page in ["/login", "/id/login"] {
            // Without JavaScript: a plain form post.
            let client = browser();
            let response = app
                .post_form_with(
                    &client,
                    "/fn/login",
                    page,
                    &[
                        ("email", "ada@example.org"),
                        ("password", "correct horse"),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(response.status(), StatusCode::FOUND, "{next:?} from {page}");
            let to = location(&response);
            assert!(stays_here(&app, &to), "{next:?} from {page}: {to:?}");
            // With JavaScript: the hydrated form's call.
            let response = browser()
                .post(app.url("/fn/login"))
                .header(header::ACCEPT, "application/json")
                .header(header::REFERER, app.url(page))
                .header(header::ORIGIN, &app.address)
                .form(&[
                    ("email", "ada@example.org"),
                    ("password", "correct horse"),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            if let Some(to) = response.headers().get(header::LOCATION) {
                let to = to.to_str().unwrap();
                assert!(stays_here(&app, to), "{next:?}: {to:?}");
            }
        }
    }
}

#[tokio::test]
async fn no_link_on_any_page_leads_off_the_site_whatever_its_path() {
    let app = TestApp::spawn().await;
    for path in [
        "/id//evil.example",
        "/id/%2F%2Fevil.example",
        "/id/%5Cevil.example",
        "//evil.example",
        "/id/popular?page=1//evil.example",
        "/id/search?q=//evil.example",
    ] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert!(response.status().as_u16() < 500, "{path}");
        if let Some(to) = response.headers().get(header::LOCATION) {
            let to = to.to_str().unwrap();
            assert!(stays_here(&app, to) && !to.contains("evil"), "{path}: {to}");
        }
        let page = response.text().await.unwrap();
        let document = scraper::Html::parse_document(&page);
        let links = scraper::Selector::parse("a[href], link[href], form[action]").unwrap();
        for element in document.select(&links) {
            let target = element
                .value()
                .attr("href")
                .or_else(|| element.value().attr("action"))
                .unwrap_or_default();
            if target.starts_with('#') || target.starts_with("http://127.0.0.1") {
                continue;
            }
            assert!(stays_here(&app, target), "{path}: a link to {target:?}");
        }
    }
    // The front door builds its redirect from the path, never from a whole
    // URL in the request line (the client's own words).
    let door = browser()
        .get(app.url("/?page=2"))
        .header(header::ACCEPT_LANGUAGE, "id-ID,id;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&door), "/id?page=2");
}

/// A refusal as a form sends it, base64 of its JSON: a message for the
/// whole form and a value for the email field.
fn forged_refusal(message: &str) -> String {
    let json = serde_json::json!({
        "fields": [],
        "values": [["email", "attacker@evil.example"]],
        "form": message,
    });
    URL_SAFE.encode(json.to_string())
}

#[tokio::test]
async fn a_refusal_in_a_url_shows_only_in_the_browser_it_was_sent_to() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let lie = "Your account is locked. Call +62 000 to unlock it.";
    let err = forged_refusal(lie);
    for query in [
        format!("__path=%2Ffn%2Flogin&__err={err}"),
        format!("%5F%5Fpath=%2Ffn%2Flogin&%5f%5ferr={err}&next=%2Fsettings"),
        format!("__path=%2Ffn%2Flogin&__err={err}&__sig=4102444800.forged"),
    ] {
        for page in ["/login", "/id/login"] {
            let url = format!("{page}?{query}");
            let response = browser().get(app.url(&url)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{url}");
            let to = location(&response);
            assert!(!to.contains("__err") && !to.contains("%5F"), "{url}: {to}");
            assert!(to.starts_with(page), "{url}: {to}");
            let clean = app.page(&to).await;
            assert!(!clean.contains("locked") && !clean.contains("attacker@"), "{url}");
        }
    }

    // A real refusal is shown, in the browser that sent the form...
    let ada = browser();
    let refused = app
        .post_form_with(
            &ada,
            "/fn/login",
            "/login",
            &[("email", "ada@example.org"), ("password", "a wrong guess")],
        )
        .await;
    let to = location(&refused);
    assert!(to.contains("__err=") && to.contains("__sig="), "{to}");
    let page = ada.get(&to).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-store");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("That email and password do not match an account.")
    );
    // ...and to nobody it is forwarded to.
    let elsewhere = browser().get(&to).send().await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
}
