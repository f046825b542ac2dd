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
    let slug = publish(&app, &bob, hostile, &["weaving", "code"]).await;

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

    assert_eq!(titles(&feed(&app, "/@ada/feed.xml").await), ["Looms"]);
    assert_eq!(titles(&feed(&app, "/tags/code/feed.xml").await), [hostile]);
    assert_eq!(titles(&feed(&app, "/tags/weaving/feed.xml").await).len(), 2);
    assert!(titles(&feed(&app, "/tags/nothing/feed.xml").await).is_empty());
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
async fn sitemaps_list_every_published_article_and_robots_names_them() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let first = publish(&app, &ada, "First", &[]).await;
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
    assert_eq!(
        sitemaps,
        (0..=2)
            .map(|n| app.url(&format!("/sitemaps/articles-{n}.xml")))
            .collect::<Vec<_>>()
    );
    let mut listed = Vec::new();
    for sitemap in &sitemaps {
        let path = sitemap.strip_prefix(&app.url("")).unwrap();
        let xml = app.get(path).await.text().await.unwrap();
        assert!(xml.contains("<urlset"), "{xml}");
        listed.extend(locations(&xml));
    }
    let expected: Vec<String> = [&first, &second, &third]
        .iter()
        .map(|slug| app.url(&format!("/articles/{slug}")))
        .collect();
    assert_eq!(listed, expected, "every published article once, no drafts");
    for bad in [
        "articles-x.xml",
        "articles-.xml",
        "articles-99999999999999.xml",
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
    assert!(robots.contains("Disallow: /settings"), "{robots}");
}
