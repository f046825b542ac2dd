use chrono::{Duration, Utc};

use crate::helpers::{TestApp, fixtures};

#[tokio::test]
async fn an_article_page_shows_the_rendered_body_author_date_and_reading_time() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let when = Utc::now() - Duration::days(3);
    let slug = fixtures::article(&app.db, ada, "Readable story", when, Some(when)).await;
    sqlx::query!(
        "UPDATE articles SET body = $1 WHERE slug = $2",
        "## A heading\n\nA paragraph with *emphasis*.\n\n- first\n- second",
        slug
    )
    .execute(&app.db)
    .await
    .unwrap();

    let response = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Readable story · Warta</title>"), "title tag");
    assert!(
        html.contains(r#"<meta name="description" content="About Readable story">"#),
        "meta description"
    );
    assert!(
        html.contains(r#"property="og:title" content="Readable story""#),
        "OpenGraph"
    );
    assert!(
        html.contains(r#"rel="canonical""#) && html.contains(&format!("/articles/{slug}")),
        "canonical"
    );
    assert!(
        html.contains("<h2>A heading</h2>") && html.contains("<em>emphasis</em>"),
        "Markdown rendered"
    );
    assert!(html.contains(r#"href="/@ada""#), "author linked");
    assert!(html.contains(&when.format("%b %-d, %Y").to_string()), "date shown");
    assert!(html.contains("1 min read"), "reading time");
}

#[tokio::test]
async fn hostile_markdown_is_rendered_harmless() {
    let app = TestApp::spawn().await;
    let mallory = fixtures::user(&app.db, "mallory").await;
    let now = Utc::now();
    let slug = fixtures::article(&app.db, mallory, "Hostile", now, Some(now)).await;
    sqlx::query!(
        "UPDATE articles SET body = $1 WHERE slug = $2",
        "<script>alert('x')</script><img src=x onerror=\"alert(1)\">\n\n[go](javascript:alert(2)) <b onclick=alert(3)>bold</b>",
        slug
    )
    .execute(&app.db)
    .await
    .unwrap();
    let html = app.get(&format!("/articles/{slug}")).await.text().await.unwrap();
    let body = &html[html.find(r#"class="prose"#).expect("article body")..];
    let body = &body[..body.find("</article>").expect("end of article")];
    for forbidden in ["<script", "onerror", "onclick", "href=\"javascript"] {
        assert!(!body.contains(forbidden), "{forbidden} survived: {body}");
    }
    assert!(body.contains("<b>bold</b>"), "harmless markup is kept: {body}");
}

#[tokio::test]
async fn unknown_slugs_and_drafts_give_the_404_page() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    let draft = fixtures::article(&app.db, ada, "Unfinished", Utc::now(), None).await;
    for path in ["/articles/no-such-article".to_owned(), format!("/articles/{draft}")] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.text().await.unwrap().contains("Page not found"), "{path}");
    }
}
