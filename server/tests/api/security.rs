//! Cross-site request refusal and security headers.

use reqwest::header;

use crate::helpers::TestApp;

/// Calls the `latest` server function (a POST) with `headers`.
async fn call_server_fn(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/fn/latest"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("page=1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn state_changing_requests_from_another_site_are_refused_with_403() {
    let app = TestApp::spawn().await;
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "cross-site"), ("origin", app.address.as_str())],
    ] {
        let response = call_server_fn(&app, &headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        assert!(response.text().await.unwrap().contains("refused"));
    }
    let api = app
        .client
        .delete(app.url("/api/articles/anything"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["errors"]["request"][0], "cross-site requests are refused");
}

#[tokio::test]
async fn same_origin_and_program_requests_pass() {
    let app = TestApp::spawn().await;
    for headers in [
        vec![("origin", app.address.as_str())],
        vec![("sec-fetch-site", "same-origin"), ("origin", app.address.as_str())],
        vec![],
    ] {
        assert_eq!(call_server_fn(&app, &headers).await.status(), 200, "{headers:?}");
    }
    // Reading never needs an origin check.
    let get = app
        .client
        .get(app.url("/"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/no/such/page", "/api/articles"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn pages_allow_exactly_their_own_inline_scripts() {
    use base64::Engine as _;
    use sha2::Digest as _;

    let app = TestApp::spawn().await;
    for path in ["/", "/popular", "/login", "/no/such/page"] {
        let response = app.get(path).await;
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let page = response.text().await.unwrap();
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src "))
            .unwrap_or_else(|| panic!("{path}: no script-src in {csp}"));
        assert!(
            script_src.starts_with("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{path}: {script_src}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");

        let document = scraper::Html::parse_document(&page);
        let scripts = scraper::Selector::parse("script:not([src])").unwrap();
        let mut inline = 0;
        for script in document.select(&scripts) {
            let text: String = script.text().collect();
            if text.is_empty() {
                continue;
            }
            inline += 1;
            let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()));
            assert!(
                script_src.contains(&format!("'sha256-{hash}'")),
                "{path}: script not allowed: {text}"
            );
        }
        assert!(inline >= 1, "{path}: the hydration bootstrap is inline");
        assert_eq!(
            script_src.matches("'sha256-").count(),
            inline,
            "{path}: nothing else is allowed"
        );
    }
    let api = app.get("/api/articles").await;
    assert!(
        !api.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sha256")
    );
}
