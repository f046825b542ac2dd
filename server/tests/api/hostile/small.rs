//! Issue 23, point 7: the smaller holes. Views that cannot be forged,
//! covers served without what the camera wrote in them, and a session
//! checked on every page, dots in its name or not. (Form refusals in URLs
//! and the front door are in `redirects`, the readiness body in `health`,
//! expired tokens in `recovery`, the fail-closed sign-in budget in `auth`.)

use std::{io::Cursor, time::Duration};

use chrono::Utc;
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, metadata::Orientation};
use img_parts::{ImageEXIF as _, jpeg::Jpeg};
use reqwest::{StatusCode, header, multipart};

use crate::helpers::{TestApp, browser, eventually, fixtures, location, text_of};

#[tokio::test]
async fn a_view_counts_once_per_reader_and_only_from_the_articles_own_page() {
    let app = TestApp::builder()
        .var("WARTA_TRUSTED_PROXIES", "127.0.0.1")
        .spawn()
        .await;
    let ada = fixtures::user(&app.db, "ada").await;
    let at = Utc::now();
    let target = fixtures::article(&app.db, ada, "Target", at, Some(at)).await;
    let other = fixtures::article(&app.db, ada, "Other", at, Some(at)).await;
    let pixel = app.url(&format!("/articles/{target}/view.gif"));
    let view = |address: &'static str, agent: String, referer: String| {
        let pixel = pixel.clone();
        async move {
            let response = browser()
                .get(&pixel)
                .header("x-forwarded-for", address)
                .header(header::USER_AGENT, agent)
                .header(header::REFERER, referer)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    // A stranger with a new User-Agent per request: one reader.
    for n in 0..20 {
        view(
            "203.0.113.1",
            format!("bot {n}"),
            app.url(&format!("/articles/{target}")),
        )
        .await;
    }
    // Another article's body embedding this pixel: its readers count nothing.
    for address in ["203.0.113.2", "203.0.113.3"] {
        view(address, "a reader".to_owned(), app.url(&format!("/articles/{other}"))).await;
    }
    // A real reader on the article's Indonesian page.
    view(
        "203.0.113.4",
        "a reader".to_owned(),
        app.url(&format!("/id/articles/{target}")),
    )
    .await;
    let views = eventually(Duration::from_secs(10), "the views are flushed", async || {
        let views: i64 = sqlx::query_scalar("SELECT views FROM articles WHERE slug = $1")
            .bind(&target)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if views >= 2 {
            Ok(views)
        } else {
            Err(format!("{views} views"))
        }
    })
    .await;
    assert_eq!(views, 2, "the bot once, the reader once, the embed never");
    let other_views: i64 = sqlx::query_scalar("SELECT views FROM articles WHERE slug = $1")
        .bind(&other)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(other_views, 0);
}

/// A JPEG whose EXIF holds the orientation (turn 90°) and, as a phone's
/// does, a GPS position: here a marker the test looks for.
fn photo_with_location() -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 32, |x, y| {
        image::Rgb([x as u8 * 4, y as u8 * 8, 90])
    }));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg).unwrap();
    let mut jpeg = Jpeg::from_bytes(bytes.into()).unwrap();
    // Big-endian TIFF, one IFD: Orientation = 6, then a GPS-looking string
    // the parser skips but a reader of the file would find.
    let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPSLatitude=-6.2088;GPSLongitude=106.8456");
    jpeg.set_exif(Some(exif.into()));
    jpeg.encoder().bytes().to_vec()
}

#[tokio::test]
async fn a_covers_file_keeps_its_orientation_and_nothing_else_the_camera_wrote() {
    let app = TestApp::spawn().await;
    app.sign_up("ada").await;
    let photo = photo_with_location();
    assert!(
        String::from_utf8_lossy(&photo).contains("GPSLatitude"),
        "the test's photo has a location"
    );
    let form = multipart::Form::new()
        .text("title", "Where I was")
        .text("description", "A photo")
        .text("body", "Words.")
        .text("tags", "")
        .text("intent", "publish")
        .part("cover", multipart::Part::bytes(photo).file_name("photo.jpg"));
    let response = app
        .client
        .post(app.url("/editor"))
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, app.address.as_str())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let key: String = sqlx::query_scalar("SELECT key FROM article_covers")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let served = browser().get(app.url(&format!("/media/{key}"))).send().await.unwrap();
    let served = served.bytes().await.unwrap().to_vec();
    assert!(
        !String::from_utf8_lossy(&served).contains("GPS"),
        "no location in the public file"
    );
    let mut decoder = ImageReader::with_format(Cursor::new(&served), ImageFormat::Jpeg)
        .into_decoder()
        .unwrap();
    assert_eq!(
        decoder.orientation().unwrap(),
        Orientation::Rotate90,
        "still stands upright"
    );
    let (width, height): (i32, i32) = sqlx::query_as("SELECT width, height FROM article_covers")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!((width, height), (32, 64), "measured as it is shown, upright");
}

#[tokio::test]
async fn a_page_with_a_dot_in_its_name_checks_the_session_like_any_other() {
    let app = TestApp::spawn().await;
    let (ada, stolen) = (browser(), browser());
    app.sign_up_with(&ada, "ada").await;
    app.post_form_with(
        &stolen,
        "/fn/login",
        "/login",
        &[("email", "ada@example.org"), ("password", "correct horse")],
    )
    .await;
    let signed_in_as = |client: &reqwest::Client, path: &'static str| {
        let (client, app) = (client.clone(), &app);
        async move {
            let page = client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
            text_of(&page, "[data-testid=signed-in-as]")
        }
    };
    assert_eq!(
        signed_in_as(&stolen, "/articles/v1.2-released").await.as_deref(),
        Some("ada")
    );
    // Ada signs out everywhere else: the other session ends, on every page.
    let ended = app
        .post_form_with(
            &ada,
            "/fn/sign-out-everywhere",
            "/settings",
            &[("your_password", "correct horse")],
        )
        .await;
    assert_eq!(location(&ended), "/settings?signed_out=1");
    for path in ["/articles/v1.2-released", "/@ada.feed"] {
        assert_eq!(signed_in_as(&stolen, path).await, None, "{path}");
    }
    assert_eq!(
        signed_in_as(&ada, "/articles/v1.2-released").await.as_deref(),
        Some("ada")
    );
}
