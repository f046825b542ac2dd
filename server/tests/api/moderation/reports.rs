//! Reports: once per reader per item, within a budget, acknowledged to the
//! reporter, and grouped in the moderators' queue until acted on.

use app::domain::Role;
use reqwest::StatusCode;

use super::{api_comment, assert_done, moderate, page_for, staff};
use crate::helpers::{TestApp, browser, location, text_of};

/// `client` reports the article, or its `comment`, for `reason`.
async fn report(
    app: &TestApp,
    client: &reqwest::Client,
    comment: Option<i64>,
    reason: &str,
    note: &str,
) -> reqwest::Response {
    let comment = comment.map(|id| id.to_string());
    let mut fields = vec![("article", "engines-of-thought"), ("reason", reason), ("note", note)];
    if let Some(comment) = &comment {
        fields.push(("comment", comment.as_str()));
    }
    app.post_form_with(client, "/fn/report", "/report?article=engines-of-thought", &fields)
        .await
}

async fn reports(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM reports")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_report_is_received_once_and_waits_in_the_queue_until_acted_on() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let spammer = app.api_token("spammer").await;
    let comment = api_comment(&app, &spammer, "engines-of-thought", "Cheap <b>watches</b>").await;
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    let carl = browser();
    app.sign_up_with(&carl, "carl").await;

    // The comment and the article have a way to report them.
    let page = app.page("/articles/engines-of-thought").await;
    assert!(
        page.contains(&format!("/report?article=engines-of-thought&amp;comment={comment}")),
        "{page}"
    );
    assert!(page.contains("/report?article=engines-of-thought\""), "{page}");

    // The page says what is reported; the form refuses a reason not in the
    // list and keeps the note.
    let (status, form) = page_for(
        &app,
        &bob,
        &format!("/report?article=engines-of-thought&comment={comment}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("You are reporting a comment by spammer"), "{form}");
    assert!(form.contains("Cheap &lt;b&gt;watches&lt;/b&gt;"), "escaped: {form}");
    let refused = report(&app, &bob, Some(comment), "boring", "Sells watches").await;
    let back = app.follow_with(&bob, &refused).await;
    assert!(back.contains("Reason is not one of the choices"), "{back}");
    assert!(back.contains("Sells watches"), "what was typed is kept");
    assert_eq!(reports(&app).await, 0);

    let sent = report(&app, &bob, Some(comment), "spam", "Sells watches").await;
    assert_eq!(sent.status(), StatusCode::FOUND);
    let received = app.follow_with(&bob, &sent).await;
    assert!(received.contains("Your report was received"), "{received}");
    // Once per reader per item: a second report changes nothing.
    let twice = report(&app, &bob, Some(comment), "abuse", "").await;
    assert_eq!(twice.status(), StatusCode::FOUND);
    assert_eq!(reports(&app).await, 1);
    let (_, again) = page_for(
        &app,
        &bob,
        &format!("/report?article=engines-of-thought&comment={comment}"),
    )
    .await;
    assert!(again.contains("You have reported this already"), "{again}");
    report(&app, &carl, Some(comment), "abuse", "Rude too").await;
    report(&app, &carl, None, "other", "The article is fine, the comments are not").await;
    assert_eq!(reports(&app).await, 3);

    // One's own writing is not reported; signed out, nothing is filed.
    let own = app
        .post_form_with(
            &ada,
            "/fn/report",
            "/report?article=engines-of-thought",
            &[("article", "engines-of-thought"), ("reason", "spam"), ("note", "")],
        )
        .await;
    assert!(
        app.follow_with(&ada, &own)
            .await
            .contains("You cannot report your own writing")
    );
    let anonymous = report(&app, &browser(), None, "spam", "").await;
    assert!(!anonymous.status().is_success());
    assert_eq!(reports(&app).await, 3);

    // The queue groups the reports by item, newest first.
    let moderator = staff(&app, "mod", Role::Moderator).await;
    let (status, queue) = page_for(&app, &moderator, "/moderation").await;
    assert_eq!(status, StatusCode::OK);
    let listed = text_of(&queue, "[data-testid=queue]").expect("a queue");
    let article_at = listed
        .find("Article “Engines of thought”")
        .expect("the article's own item");
    let comment_at = listed
        .find("Comment on “Engines of thought”")
        .expect("the comment's item");
    assert!(article_at < comment_at, "the most recently reported first: {listed}");
    assert!(listed.contains("2 reports") && listed.contains("1 report"), "{listed}");
    assert!(
        listed.contains("Sells watches") && listed.contains("Rude too"),
        "{listed}"
    );
    assert!(listed.contains("Spam or advertising"), "{listed}");
    assert!(
        text_of(&queue, "[data-testid=queue-count]")
            .unwrap()
            .contains("2 reported items")
    );

    // A reason is required; acting resolves the item's reports.
    let blank = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        Some(comment),
        "spammer",
        "hide",
        "",
    )
    .await;
    assert!(location(&blank).contains("__err"));
    let done = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        Some(comment),
        "spammer",
        "hide",
        "Spam",
    )
    .await;
    assert_done(&done, "/moderation");
    let dismissed = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        None,
        "ada",
        "dismiss",
        "Nothing wrong",
    )
    .await;
    assert_done(&dismissed, "/moderation");
    let (_, queue) = page_for(&app, &moderator, "/moderation").await;
    assert!(queue.contains("Nothing is waiting"), "{queue}");
    assert!(
        app.page("/articles/engines-of-thought")
            .await
            .contains("Engines of thought"),
        "dismissed, not hidden"
    );
    let (_, ada_history) = page_for(&app, &moderator, "/moderation/account?name=ada").await;
    assert!(ada_history.contains("dismissed the reports") && ada_history.contains("Nothing wrong"));
}

/// An item reported again shows what was done about it before (who, when,
/// what, why), and the queue's "suspend its writer" suspends the account.
#[tokio::test]
async fn a_queue_item_shows_its_history_and_suspends_its_writer() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    let spammer = app.api_token("spammer").await;
    let comment = api_comment(&app, &spammer, "engines-of-thought", "Cheap watches").await;
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    let carl = browser();
    app.sign_up_with(&carl, "carl").await;
    let moderator = staff(&app, "mod", Role::Moderator).await;

    report(&app, &bob, Some(comment), "spam", "First time").await;
    let dismissed = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        Some(comment),
        "spammer",
        "dismiss",
        "Looks like a joke",
    )
    .await;
    assert_done(&dismissed, "/moderation");
    report(&app, &carl, Some(comment), "spam", "Again and again").await;

    let (_, queue) = page_for(&app, &moderator, "/moderation").await;
    let item = text_of(&queue, "[data-testid=queue-item]").expect("the comment, reported again");
    assert!(
        item.contains("Cheap watches") && item.contains("spammer"),
        "the text and its writer: {item}"
    );
    let history = text_of(&queue, "[data-testid=queue-item] [data-testid=history]").expect("its history");
    assert!(
        history.contains("dismissed the reports") && history.contains("mod") && history.contains("Looks like a joke"),
        "{history}"
    );
    assert!(
        queue.contains(&format!(r#"<time datetime="{}"#, chrono::Utc::now().format("%Y-%m-%d"))),
        "when: {queue}"
    );

    let suspended = moderate(
        &app,
        &moderator,
        "engines-of-thought",
        Some(comment),
        "spammer",
        "suspend",
        "Spam in every thread",
    )
    .await;
    assert_done(&suspended, "/moderation");
    let at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT suspended_at FROM users WHERE username = 'spammer'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(at.is_some(), "the writer is suspended");
    let (_, account) = page_for(&app, &moderator, "/moderation/account?name=spammer").await;
    let history = text_of(&account, "[data-testid=history]").expect("the account's history");
    assert!(
        history.contains("suspended the account") && history.contains("Spam in every thread"),
        "{history}"
    );
    let (_, queue) = page_for(&app, &moderator, "/moderation").await;
    assert!(
        queue.contains("Nothing is waiting"),
        "acting resolved the reports: {queue}"
    );
}

#[tokio::test]
async fn reports_have_a_daily_budget() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;
    app.write_with(&ada, "Engines of thought", "publish").await;
    app.api_token("writer").await;
    let comments: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO comments (article_id, article_created_at, user_id, body)
         SELECT a.id, a.created_at, u.id, 'Comment ' || n
         FROM articles a, users u, generate_series(1, 21) AS n
         WHERE u.username = 'writer'
         RETURNING id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;
    for comment in &comments[..20] {
        let sent = report(&app, &bob, Some(*comment), "spam", "").await;
        assert_eq!(sent.status(), StatusCode::FOUND);
        assert!(!location(&sent).contains("__err"), "report {comment}");
    }
    assert_eq!(reports(&app).await, 20);
    let over = report(&app, &bob, Some(comments[20]), "spam", "One more").await;
    let back = app.follow_with(&bob, &over).await;
    assert!(back.contains("Please wait"), "{back}");
    assert_eq!(reports(&app).await, 20);
    // A script is told with a status and when to come back.
    let scripted = bob
        .post(app.url("/fn/report"))
        .header(reqwest::header::ORIGIN, app.address.as_str())
        .form(&[
            ("article", "engines-of-thought"),
            ("reason", "spam"),
            ("note", ""),
            ("comment", &comments[20].to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(scripted.headers().contains_key(reqwest::header::RETRY_AFTER));
}
