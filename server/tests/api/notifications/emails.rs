//! A follower's emails, and unsubscribing from them in one click.

use std::time::Duration;

use reqwest::{StatusCode, header};

use app::i18n::Locale;

use super::{drained, follow, mailing_app};
use crate::{
    helpers::{TestApp, browser},
    smtp::SmtpServer,
};

/// Saves the article `slug` as "Engines <of> thought" and publishes it (or
/// keeps it published).
async fn save_and_publish(app: &TestApp, client: &reqwest::Client, slug: &str, description: &str, body: &str) {
    let path = format!("/editor/{slug}");
    let fields = [
        ("title", "Engines <of> thought"),
        ("description", description),
        ("body", body),
        ("tags", ""),
        ("intent", "publish"),
    ];
    let response = app.post_form_with(client, &path, &path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_follower_is_emailed_once_per_publication_and_unsubscribes_in_one_click() {
    let smtp = SmtpServer::for_followers();
    let app = mailing_app(&smtp).await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    let (bob, carl) = (browser(), browser());
    app.sign_up_with(&bob, "bob").await;
    app.sign_up_with(&carl, "carl").await;
    follow(&app, &bob, "ada", Locale::En).await;
    follow(&app, &carl, "ada", Locale::En).await;

    // A draft tells nobody; publishing it does, once per follower.
    app.write_with(&ada, "Engines <of> thought", "draft").await;
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 0, "a draft sends nothing");
    let slug: String = sqlx::query_scalar("SELECT slug FROM articles")
        .fetch_one(&app.db)
        .await
        .unwrap();
    save_and_publish(&app, &ada, &slug, "What it is about", "Some words.").await;
    assert_eq!(smtp.wait_for(2, Duration::from_secs(20)).await, 2);

    let mail = smtp.received();
    let to_bob = mail
        .iter()
        .find(|message| message.to.iter().any(|to| to.contains("bob@example.org")))
        .expect("bob got an email");
    // Both parts are quoted-printable: undo the soft line breaks and `=3D`.
    let body = to_bob.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let subject = to_bob.header("Subject").unwrap();
    assert!(subject.contains("ada") && subject.contains("Engines"), "{subject}");
    assert!(to_bob.raw.contains("text/plain") && to_bob.raw.contains("text/html"));
    assert!(
        body.contains(&format!("Read it: {}/articles/{slug}", app.address)),
        "links to the article: {body}"
    );
    assert!(
        body.contains(&format!(
            r#"<a href="{}/articles/{slug}">Read the story</a>"#,
            app.address
        )),
        "{body}"
    );
    assert!(
        body.contains("Engines &lt;of&gt; thought"),
        "the HTML part escapes the title"
    );
    assert_eq!(
        to_bob.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = to_bob.header("List-Unsubscribe").unwrap();
    let unsubscribe = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    assert!(
        unsubscribe.starts_with(&format!("{}/unsubscribe/", app.address)),
        "{unsubscribe}"
    );
    assert!(
        body.contains(&format!(r#"<a href="{unsubscribe}">Unsubscribe</a>"#)),
        "a visible link too: {body}"
    );

    // Editing the published article sends nothing more.
    save_and_publish(&app, &ada, &slug, "Now longer", "More words.").await;
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 2);

    // The link opens a page with one button; a forged token is a 404.
    let page = browser().get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Stop the emails Warta sends you when ada publishes?")
    );
    let forged = format!("{unsubscribe}x");
    assert_eq!(
        browser().get(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser().post(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // RFC 8058: the mail program POSTs, with no cookie and no Origin.
    let response = browser()
        .post(&unsubscribe)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = browser().get(&unsubscribe).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("You will no longer get an email when ada publishes."),
        "{page}"
    );

    // Bob still follows ada, but only carl hears of the next article.
    app.write_with(&ada, "A second story", "publish").await;
    assert_eq!(smtp.wait_for(3, Duration::from_secs(20)).await, 3);
    drained(&app.db, Duration::from_secs(10)).await;
    assert_eq!(smtp.count(), 3, "one email, to carl alone");
    let last = smtp.received().pop().unwrap();
    assert_eq!(last.to.len(), 1);
    assert!(last.to[0].contains("carl@example.org"), "{:?}", last.to);
    let bob_follows: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows f JOIN users u ON u.id = f.follower_id WHERE u.username = 'bob')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(bob_follows, "unsubscribing keeps the follow");
}
