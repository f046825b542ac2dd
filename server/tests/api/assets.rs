use std::io::Write as _;

use crate::helpers::TestApp;

/// A site root with a hashed bundle file and a public file.
fn site_root() -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    let js = "console.log('hydrate');\n".repeat(200);
    std::fs::write(dir.path().join("pkg/warta.0123abcd.js"), &js).unwrap();
    let mut gz = std::fs::File::create(dir.path().join("pkg/warta.0123abcd.js.gz")).unwrap();
    gz.write_all(b"not really gzip, but served as the gzip variant")
        .unwrap();
    std::fs::write(dir.path().join("humans.txt"), "Warta\n").unwrap();
    dir
}

#[tokio::test]
async fn hashed_bundle_files_are_cached_forever() {
    let root = site_root();
    let app = TestApp::builder()
        .var("LEPTOS_SITE_ROOT", root.path().to_str().unwrap())
        .var("LEPTOS_HASH_FILES", "true")
        .spawn()
        .await;
    let response = app.get("/pkg/warta.0123abcd.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn unhashed_bundle_files_are_revalidated() {
    let root = site_root();
    let app = TestApp::builder()
        .var("LEPTOS_SITE_ROOT", root.path().to_str().unwrap())
        .var("LEPTOS_HASH_FILES", "false")
        .spawn()
        .await;
    let response = app.get("/pkg/warta.0123abcd.js").await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn public_files_get_a_short_lifetime_and_missing_ones_the_404_page() {
    let root = site_root();
    let app = TestApp::builder()
        .var("LEPTOS_SITE_ROOT", root.path().to_str().unwrap())
        .spawn()
        .await;
    let response = app.get("/humans.txt").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");

    let missing = app.get("/nothing-here.txt").await;
    assert_eq!(missing.status(), 404);
    assert!(
        !missing.headers().contains_key("cache-control")
            || missing.headers()["cache-control"] != "public, max-age=3600"
    );
}

#[tokio::test]
async fn precompressed_variants_are_served_when_accepted() {
    let root = site_root();
    let app = TestApp::builder()
        .var("LEPTOS_SITE_ROOT", root.path().to_str().unwrap())
        .spawn()
        .await;
    let response = app
        .client
        .get(app.url("/pkg/warta.0123abcd.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"not really gzip, but served as the gzip variant"
    );
}

#[tokio::test]
async fn pages_are_compressed_with_brotli_or_gzip_as_the_client_asks() {
    let app = TestApp::spawn().await;
    for (accept, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("gzip, br", Some("br")),
        ("identity", None),
    ] {
        let response = app
            .client
            .get(app.url("/"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("content-encoding").map(|v| v.to_str().unwrap()),
            expected,
            "Accept-Encoding: {accept}"
        );
    }
}

/// A temporary directory, removed on drop.
mod tempdir {
    pub(crate) struct Dir(std::path::PathBuf);

    impl Dir {
        pub(crate) fn new() -> Self {
            let path = std::env::temp_dir().join(format!("warta-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }

        pub(crate) fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
