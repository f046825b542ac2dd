//! Full-text search: ranking, snippets that mark the words and escape the
//! rest, web-search syntax, the API's `?q=`, and inputs that match nothing.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_harmless, fixtures, text_of};

async fn publish(app: &TestApp, token: &str, title: &str, body: &str) -> String {
    app.publish(token, json!({ "title": title, "description": "A story", "body": body }))
        .await
}

#[tokio::test]
async fn search_ranks_titles_first_and_marks_the_words_in_escaped_snippets() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    publish(
        &app,
        &ada,
        "Morning rituals",
        "We drink kopi tubruk <script>alert(1)</script> every day.",
    )
    .await;
    publish(&app, &ada, "Kopi everywhere", "A guide to coffee in Java.").await;
    publish(&app, &ada, "Tea", "Nothing about coffee here.").await;

    let page = app.page("/search?q=kopi").await;
    assert_harmless("/search?q=kopi", &page);
    let results: Vec<String> = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("[data-testid=results] h2 a").unwrap())
        .map(|link| link.text().collect())
        .collect();
    assert_eq!(
        results,
        ["Kopi everywhere", "Morning rituals"],
        "a title match ranks first"
    );
    assert!(page.contains("<mark>kopi</mark>"), "{page}");
    assert!(
        !page.contains("<script>alert(1)"),
        "the body's markup never reaches the page as markup"
    );
    assert!(
        text_of(&page, "[data-testid=results] li:nth-child(2) [data-testid=snippet]")
            .is_some_and(|snippet| snippet.contains("kopi tubruk")),
        "{page}"
    );
    assert_eq!(
        text_of(&page, "[data-testid=result-count]").as_deref(),
        Some("2 stories, the best first")
    );

    // Web-search syntax: phrases and exclusions.
    let phrase = app.page("/search?q=%22kopi+tubruk%22").await;
    assert!(phrase.contains("Morning rituals") && !phrase.contains("Kopi everywhere"));
    let without = app.page("/search?q=kopi+-tubruk").await;
    assert!(without.contains("Kopi everywhere") && !without.contains("Morning rituals"));

    // Nothing to search for, nothing found, or nothing a search can be.
    assert!(
        app.page("/search")
            .await
            .contains("Type a few words to search the stories.")
    );
    assert!(app.page("/search?q=durian").await.contains("Nothing matches “durian”."));
    for bad in ["%00", "%E2%80%AE", &"x".repeat(300), "%22%22%22", "!!!"] {
        let response = app.get(&format!("/search?q={bad}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{bad}");
    }
}

#[tokio::test]
async fn the_api_searches_with_q() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let slug = publish(&app, &ada, "Batik patterns", "Wax and dye.").await;
    publish(&app, &ada, "Volcanoes", "Batik is not about volcanoes.").await;

    let found: Value = app.get("/api/articles?q=batik").await.json().await.unwrap();
    assert_eq!(found["articlesCount"], 2);
    assert_eq!(found["articles"][0]["slug"], slug.as_str());
    assert!(found["articles"][0].get("body").is_none());

    let none: Value = app.get("/api/articles?q=durian").await.json().await.unwrap();
    assert_eq!(none, json!({ "articles": [], "articlesCount": 0 }));
    for (query, field) in [("q=batik&tag=x", "query"), ("q=%00", "q")] {
        let response = app.get(&format!("/api/articles?{query}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
}

#[tokio::test]
async fn a_common_word_ranks_this_months_stories_not_only_the_oldest_months() {
    let app = TestApp::spawn().await;
    let ada = fixtures::user(&app.db, "ada").await;
    // Two years ago, in partitions of their own, more stories saying
    // "story" than a search ranks; then two this month, which say it more.
    let long_ago = Utc::now() - Duration::days(730);
    sqlx::query!("SELECT ensure_article_partitions($1, 0)", long_ago.date_naive())
        .fetch_one(&app.db)
        .await
        .unwrap();
    fixtures::stories(&app.db, ada, 1_100, long_ago).await;
    fixtures::article(&app.db, ada, "Story story", Utc::now(), Some(Utc::now())).await;
    fixtures::article(&app.db, ada, "Story of story", Utc::now(), Some(Utc::now())).await;

    let page = app.page("/search?q=story").await;
    let results: Vec<String> = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("[data-testid=results] h2 a").unwrap())
        .map(|link| link.text().collect())
        .collect();
    assert_eq!(results.len(), 20, "{page}");
    // (Ranked alike: `of` is an English stop word, so both say "story"
    // twice in as many words; equal ranks go newest first.)
    assert_eq!(results[..2], ["Story of story", "Story story"], "{results:?}");
    assert_eq!(
        text_of(&page, "[data-testid=result-count]").as_deref(),
        Some("1000 or more stories, the best first")
    );

    // A word only the old stories have still finds them all, ranked.
    let old: serde_json::Value = app.get("/api/articles?q=%22story+1099%22").await.json().await.unwrap();
    assert_eq!(old["articles"][0]["title"], "Story 1099", "{old}");
}

/// Each article is indexed in its own language, so a search finds plurals
/// and affixes in both ("bicycles" the bicycle story, "sepeda" the
/// Indonesian one about *bersepeda*); a snippet is the text a reader sees,
/// never the Markdown; every result says which language its words are in.
#[tokio::test]
async fn each_language_matches_its_own_plurals_and_affixes_with_plain_snippets() {
    let app = TestApp::spawn().await;
    let ada = app.api_token("ada").await;
    let english = app
        .publish(
            &ada,
            json!({ "title": "Fixing a bicycle", "description": "Chains", "body": "A **bicycle** needs [oil](https://example.com/oil) and `care`." }),
        )
        .await;
    let indonesian = app
        .publish(
            &ada,
            json!({ "title": "Pagi di jalan", "description": "Cerita", "body": "Setiap pagi saya bersepeda ke kantor.", "language": "id" }),
        )
        .await;

    let results = |page: &str| -> Vec<(String, String)> {
        scraper::Html::parse_document(page)
            .select(&scraper::Selector::parse("[data-testid=results] h2").unwrap())
            .map(|heading| {
                (
                    heading.text().collect::<String>().trim().to_owned(),
                    heading.value().attr("lang").unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let bicycles = app.page("/search?q=bicycles").await;
    assert_eq!(results(&bicycles), [("Fixing a bicycle".to_owned(), "en".to_owned())]);
    let snippet = text_of(&bicycles, "[data-testid=snippet]").expect("a snippet");
    assert!(snippet.contains("bicycle needs oil and care"), "plain text: {snippet}");
    assert!(
        !snippet.contains("**") && !snippet.contains("](") && !snippet.contains('`'),
        "{snippet}"
    );
    // The Indonesian page marks the English story's words as English.
    let sepeda = app.page("/id/search?q=sepeda").await;
    assert_eq!(results(&sepeda), [("Pagi di jalan".to_owned(), "id".to_owned())]);
    assert!(sepeda.contains("<mark>bersepeda</mark>"), "{sepeda}");
    let article = app.page(&format!("/id/articles/{english}")).await;
    assert!(
        article.contains(r#"<html lang="id""#) && article.contains(r#"<h1 lang="en""#),
        "{article}"
    );

    // The API says an article's language, takes a new one and refuses what
    // is neither; the index follows the language.
    let read: Value = app
        .get(&format!("/api/articles/{indonesian}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["article"]["language"], "id");
    let refused = app
        .api(
            reqwest::Method::PUT,
            &format!("/api/articles/{indonesian}"),
            &ada,
            json!({ "article": { "language": "fr" } }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changed = app
        .api(
            reqwest::Method::PUT,
            &format!("/api/articles/{indonesian}"),
            &ada,
            json!({ "article": { "language": "en" } }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["article"]["language"], "en");
    // (Another query than before: the first answer may still be cached.)
    let again = app.page("/search?q=sepeda+kantor").await;
    assert!(
        results(&again).is_empty(),
        "English has no affix rule for bersepeda: {again}"
    );
    // An author's articles are in their language unless they say otherwise.
    let budi = app.api_token("budi").await;
    sqlx::query("UPDATE users SET locale = 'id' WHERE username = 'budi'")
        .execute(&app.db)
        .await
        .unwrap();
    let budis = app
        .publish(
            &budi,
            json!({ "title": "Kopi pagi", "description": "d", "body": "Minum kopi." }),
        )
        .await;
    let read: Value = app.get(&format!("/api/articles/{budis}")).await.json().await.unwrap();
    assert_eq!(read["article"]["language"], "id");
}

/// Above the stories, the search page names the authors and tags whose
/// names start with what was typed: authors who have published (not a
/// reader, not a suspended account), tags published articles carry.
#[tokio::test]
async fn the_search_page_finds_authors_and_tags_by_name() {
    let app = TestApp::spawn().await;
    let writer = app.api_token("sepedaku").await;
    app.publish(
        &writer,
        json!({ "title": "Folding bikes", "description": "d", "body": "On hinges.", "tagList": ["sepeda-lipat", "travel"] }),
    )
    .await;
    // A reader with a matching name who never published is no author.
    app.api_token("sepedawan").await;

    for typed in ["sepeda", "Sepeda", "SEPEDA"] {
        let page = app.page(&format!("/search?q={typed}")).await;
        assert_eq!(
            text_of(&page, "[data-testid=found-authors]").as_deref().map(str::trim),
            Some("sepedaku"),
            "{typed}: {page}"
        );
        let tags = text_of(&page, "[data-testid=found-tags]").expect("tags");
        assert!(tags.contains("sepeda-lipat") && !tags.contains("travel"), "{tags}");
        assert!(page.contains(r#"href="/tags/sepeda-lipat""#) && page.contains(r#"href="/@sepedaku""#));
    }
    // Indonesian links on the Indonesian page; nothing named when nothing is.
    let id = app.page("/id/search?q=sepeda+lipat").await;
    assert!(
        id.contains(r#"href="/id/tags/sepeda-lipat""#),
        "a tag in words is its canonical form: {id}"
    );
    for nothing in ["/search?q=durian", "/search?q=c%2B%2B", "/search?q=sepeda&page=2"] {
        let page = app.page(nothing).await;
        assert!(text_of(&page, "[data-testid=names]").is_none(), "{nothing}: {page}");
    }
    // A suspended author is not named.
    sqlx::query("UPDATE users SET suspended_at = now() WHERE username = 'sepedaku'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = app.page("/search?q=sepedak").await;
    assert!(text_of(&page, "[data-testid=found-authors]").is_none(), "{page}");
}
