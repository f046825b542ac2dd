//! Cover images: uploaded with the editor's form, checked by content,
//! stored through the media store, shown at once, then offered in three
//! WebP sizes once the job has made them.

use std::{collections::HashMap, io::Cursor, time::Duration};

use image::{DynamicImage, ImageFormat};
use reqwest::{
    StatusCode, header,
    multipart::{Form, Part},
};

use crate::helpers::{TestApp, browser, eventually, location, text_of};

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    }));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
    bytes
}

/// The attributes of the cover image on `page`, if it shows one.
fn cover(page: &str) -> Option<HashMap<String, String>> {
    let document = scraper::Html::parse_document(page);
    let selector = scraper::Selector::parse("[data-testid=cover]").expect("a selector");
    let img = document.select(&selector).next()?;
    Some(
        img.value()
            .attrs()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
    )
}

/// The editor's form as a browser sends it with a file chosen.
fn form(title: &str, intent: &str, cover: Option<(&str, Vec<u8>)>) -> Form {
    let form = Form::new()
        .text("title", title.to_owned())
        .text("description", "With a picture")
        .text("body", "Words under a picture.")
        .text("tags", "")
        .text("intent", intent.to_owned());
    match cover {
        Some((name, bytes)) => form.part("cover", Part::bytes(bytes).file_name(name.to_owned())),
        None => form.part("cover", Part::bytes(Vec::new()).file_name("")),
    }
}

async fn post(app: &TestApp, action: &str, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(action))
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, app.address.as_str())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cover_shows_at_once_then_in_three_webp_sizes() {
    let app = TestApp::builder()
        .var("WARTA_INLINE_WORKER", "true")
        .var("WARTA_JOB_POLL_MS", "50")
        .spawn()
        .await;
    app.sign_up("ada").await;
    let response = post(
        &app,
        "/editor",
        form("Seen from above", "publish", Some(("photo.png", png(1600, 900)))),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let article = location(&response);

    // The original is shown until the copies exist (or right away, if the
    // worker was quicker: then the largest copy).
    let page = app.page(&article).await;
    let src = cover(&page).expect("the page shows the cover")["src"].clone();
    assert!(src.starts_with("/media/covers/"), "{src}");

    let key: String = sqlx::query_scalar("SELECT key FROM article_covers")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let original = browser().get(app.url(&format!("/media/{key}"))).send().await.unwrap();
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        original.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(original.bytes().await.unwrap().as_ref(), png(1600, 900).as_slice());

    let variants = eventually(Duration::from_secs(30), "the copies are made", async || {
        let variants: Vec<i32> = sqlx::query_scalar("SELECT variants FROM article_covers")
            .fetch_one(&app.db)
            .await
            .unwrap();
        if variants.is_empty() {
            Err("none yet".to_owned())
        } else {
            Ok(variants)
        }
    })
    .await;
    assert_eq!(variants, [320, 768, 1280]);
    let page = app.page(&article).await;
    let img = cover(&page).expect("the cover");
    let srcset = img.get("srcset").expect("a srcset once the copies exist");
    let entries: Vec<(String, String)> = srcset
        .split(", ")
        .map(|entry| {
            let (url, width) = entry.split_once(' ').unwrap();
            (url.to_owned(), width.to_owned())
        })
        .collect();
    assert_eq!(
        entries.iter().map(|(_, width)| width.as_str()).collect::<Vec<_>>(),
        ["320w", "768w", "1280w"]
    );
    assert_eq!(
        (
            img.get("width").map(String::as_str),
            img.get("height").map(String::as_str)
        ),
        (Some("1600"), Some("900"))
    );
    let entries_first = entries[0].0.clone();
    for (url, width) in entries {
        let response = browser().get(app.url(&url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/webp");
        let decoded = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(format!("{}w", decoded.width()), width);
        assert_eq!(decoded.height(), decoded.width() * 9 / 16);
    }

    // The editor shows it and can remove it.
    let slug = article.trim_start_matches("/articles/").to_owned();
    let editor = app.get(&format!("/editor/{slug}")).await.text().await.unwrap();
    assert!(editor.contains(r#"data-testid="current-cover""#), "{editor}");
    let response = post(
        &app,
        &format!("/editor/{slug}"),
        form("Seen from above", "publish", None).text("remove_cover", "1"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&article).await;
    assert!(!page.contains(r#"data-testid="cover""#), "removed");

    // Its files stay while cached pages may still show them, then go.
    let original = format!("/media/{key}");
    assert_eq!(
        browser().get(app.url(&original)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (job, delay): (i64, f64) = sqlx::query_as(
        "SELECT id, extract(epoch FROM run_at - now())::float8 FROM jobs WHERE kind = 'delete_cover_files'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((590.0..=600.0).contains(&delay), "deleted in ten minutes: {delay} s");
    sqlx::query("UPDATE jobs SET run_at = now() WHERE id = $1")
        .bind(job)
        .execute(&app.db)
        .await
        .unwrap();
    eventually(
        Duration::from_secs(20),
        "the files are deleted",
        async || match browser().get(app.url(&original)).send().await.unwrap().status() {
            StatusCode::NOT_FOUND => Ok(()),
            status => Err(format!("the original answers {status}")),
        },
    )
    .await;
    let copy = browser().get(app.url(&entries_first)).send().await.unwrap();
    assert_eq!(copy.status(), StatusCode::NOT_FOUND, "the copies too");
}

#[tokio::test]
async fn anything_but_a_real_image_is_refused_by_content_and_the_text_is_kept() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "cover.png",
            b"<svg onload=alert(1)></svg>".to_vec(),
            "Cover must be a JPEG, PNG or WebP image",
        ),
        ("cover.png", png(40, 20)[..30].to_vec(), "Cover could not be read"),
        (
            "huge.png",
            vec![0x89; 5 * 1024 * 1024 + 1],
            "Cover must be at most 5 MB",
        ),
    ];
    for (name, bytes, message) in cases {
        let response = post(&app, "/editor", form("Kept title", "publish", Some((name, bytes)))).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let page = response.text().await.unwrap();
        assert_eq!(
            text_of(&page, "#field-cover-note")
                .as_deref()
                .map(|note| note.starts_with(message)),
            Some(true),
            "{message}: {page}"
        );
        assert!(page.contains(r#"value="Kept title""#), "the text comes back");
    }
    let saved: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(saved, 0, "nothing is saved with a refused cover");
    // Unknown media paths are 404, never a file outside the store.
    // (Percent-encoded dots: a client would resolve plain `..` itself.)
    for path in ["/media/covers/1/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/media/anything.png"] {
        assert_eq!(
            browser().get(app.url(path)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
