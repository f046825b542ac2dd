//! Atom feeds, sitemaps and robots.txt, read back with an independent
//! parser (feed-rs) and as XML.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

async fn publish(app: &TestApp, token: &str, title: &str, tags: &[&str]) -> String {
    app.publish(
        token,
        json!({ "title": title, "description": "About it", "body": "b", "tagList": tags }),
    )
    .await
}

async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml"),
        "{path}"
    );
    let body = response.bytes().await.unwrap();
    feed_rs::parser::parse(&body[..]).unwrap_or_else(|error| panic!("{path} is not a valid feed: {error}"))
}

fn titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|entry| entry.title.as_ref().unwrap().content.clone())
        .collect()
}

#[tokio::test]
async fn the_site_each_author_and_each_tag_have_atom_feeds() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let bob = app.api_token("bob").await;
    publish(&app, &ada, "Looms", &["weaving"]).await;
    // Markup in a title is text in the feed, not markup.
    let hostile = "</title><script>alert(1)</script> & more";
    let slug = app
        .publish(
            &bob,
            json!({ "title": hostile, "description": "About it", "body": "Some **bold** words.<script>alert(2)</script>", "tagList": ["weaving", "code"] }),
        )
        .await;

    let site = feed(&app, "/feed.xml").await;
    assert_eq!(feed_rs::model::FeedType::Atom, site.feed_type);
    assert_eq!(titles(&site), [hostile, "Looms"], "newest first, text as written");
    let entry = &site.entries[0];
    assert_eq!(
        entry.links[0].href,
        app.url(&format!("/articles/{slug}")),
        "absolute links"
    );
    assert_eq!(entry.authors[0].name, "bob");
    assert!(entry.published.is_some() && entry.summary.is_some());
    // The whole article, rendered and sanitised as its page shows it.
    let content = entry
        .content
        .as_ref()
        .and_then(|content| content.body.as_deref())
        .expect("content");
    assert!(content.contains("<strong>bold</strong>"), "{content}");
    assert!(!content.contains("<script"), "sanitised: {content}");

    assert_eq!(titles(&feed(&app, "/@ada/feed.xml").await), ["Looms"]);
    assert_eq!(titles(&feed(&app, "/tags/code/feed.xml").await), [hostile]);
    assert_eq!(titles(&feed(&app, "/tags/weaving/feed.xml").await).len(), 2);
    assert_eq!(app.get("/tags/nothing/feed.xml").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/@nobody-here/feed.xml").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/tags/%00/feed.xml").await.status(), StatusCode::NOT_FOUND);

    // Pages name their feed for readers' feed finders.
    let home = app.page("/").await;
    assert!(
        home.contains(r#"href="/feed.xml""#) && home.contains("application/atom+xml"),
        "{home}"
    );
    let tag = app.page("/tags/code").await;
    assert!(tag.contains(r#"href="/tags/code/feed.xml""#), "{tag}");
}

/// The `<loc>`s of a sitemap or sitemap index.
fn locations(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn sitemaps_list_every_published_article_author_and_tag_and_robots_names_them() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    // An account that has published nothing is no author page to list.
    app.api_token("reader").await;
    let first = publish(&app, &ada, "First", &["kopi-ō", "weaving"]).await;
    let second = publish(&app, &ada, "Second", &[]).await;
    // A draft is not listed.
    let ada_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'ada'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    crate::helpers::fixtures::article(&app.db, ada_id, "Draft", chrono::Utc::now(), None).await;
    // Ids far apart land in different sitemaps.
    sqlx::query("SELECT setval('articles_id_seq', 25000)")
        .execute(&app.db)
        .await
        .unwrap();
    let third = publish(&app, &ada, "Third", &[]).await;

    let response = app.get("/sitemap.xml").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let index = response.text().await.unwrap();
    assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let sitemaps = locations(&index);
    let mut expected_sitemaps: Vec<String> = (0..=2)
        .map(|n| app.url(&format!("/sitemaps/articles-{n}.xml")))
        .collect();
    expected_sitemaps.push(app.url("/sitemaps/authors-0.xml"));
    expected_sitemaps.push(app.url("/sitemaps/tags-0.xml"));
    assert_eq!(sitemaps, expected_sitemaps);
    let mut listed = Vec::new();
    for sitemap in &sitemaps {
        let path = sitemap.strip_prefix(&app.url("")).unwrap();
        let xml = app.get(path).await.text().await.unwrap();
        assert!(xml.contains("<urlset"), "{xml}");
        // Each page names its Indonesian twin and the default.
        for loc in locations(&xml) {
            let twin = loc.replacen(&app.url(""), &app.url("/id"), 1);
            assert!(
                xml.contains(&format!(r#"<xhtml:link rel="alternate" hreflang="id" href="{twin}"/>"#)),
                "{loc}: {xml}"
            );
            assert!(
                xml.contains(&format!(
                    r#"<xhtml:link rel="alternate" hreflang="x-default" href="{loc}"/>"#
                )),
                "{loc}: {xml}"
            );
        }
        listed.extend(locations(&xml));
    }
    let mut expected: Vec<String> = [&first, &second, &third]
        .iter()
        .map(|slug| app.url(&format!("/articles/{slug}")))
        .collect();
    expected.extend(["/@ada", "/tags/kopi-%C5%8D", "/tags/weaving"].map(|path| app.url(path)));
    assert_eq!(
        listed, expected,
        "every published article, author and tag once; no drafts, no reader without articles"
    );
    for page in &listed[3..] {
        let path = page.strip_prefix(&app.url("")).unwrap();
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    for bad in [
        "articles-x.xml",
        "articles-.xml",
        "articles-99999999999999.xml",
        "authors-1.xml",
        "tags-1.xml",
        "tags-0",
        "other-0.xml",
        "other.xml",
    ] {
        assert_eq!(
            app.get(&format!("/sitemaps/{bad}")).await.status(),
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }

    let robots = app.get("/robots.txt").await.text().await.unwrap();
    assert!(
        robots.contains(&format!("Sitemap: {}", app.url("/sitemap.xml"))),
        "{robots}"
    );
    // The private pages in both languages; the public ones stay open.
    for private in [
        "/settings",
        "/id/settings",
        "/editor",
        "/id/editor",
        "/moderation",
        "/id/moderation",
    ] {
        assert!(
            robots.contains(&format!("Disallow: {private}\n")),
            "{private}: {robots}"
        );
    }
    let disallowed: Vec<&str> = robots
        .lines()
        .filter_map(|line| line.strip_prefix("Disallow: "))
        .collect();
    for public in [
        "/articles/x",
        "/id/articles/x",
        "/tags/x",
        "/@ada",
        "/id",
        "/search",
        "/popular",
    ] {
        assert!(
            !disallowed.iter().any(|prefix| public.starts_with(prefix)),
            "{public} stays crawlable: {robots}"
        );
    }
}
