//! Roles: granted and revoked with `warta admin`, moderators made by
//! admins from the site, and nobody acting above their role.

use app::domain::Role;
use reqwest::StatusCode;

use super::{assert_done, grant, history, page_for, staff, suspend};
use crate::helpers::{TestApp, browser, location};

/// Runs `warta admin …` with the app's settings; whether it succeeded, and
/// what it printed.
async fn warta_admin(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_warta"))
        .arg("admin")
        .args(args)
        .env_clear()
        .envs(&app.vars)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .await
        .expect("run warta admin");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn role_of(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT role FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_command_line_grants_and_revokes_roles_and_the_history_says_so() {
    let app = TestApp::spawn().await;
    let ada = browser();
    app.sign_up_with(&ada, "ada").await;

    let (ok, listed) = warta_admin(&app, &["list"]).await;
    assert!(ok, "{listed}");
    assert!(listed.contains("no moderators or admins"), "{listed}");
    let (ok, said) = warta_admin(&app, &["grant", "ADA", "admin", "--reason", "founder"]).await;
    assert!(ok, "{said}");
    assert_eq!(role_of(&app, "ada").await, "admin");
    let (_, listed) = warta_admin(&app, &["list"]).await;
    assert!(listed.contains("admin") && listed.contains("ada"), "{listed}");
    let (ok, said) = warta_admin(&app, &["grant", "nobody", "moderator"]).await;
    assert!(!ok && said.contains("no account is called nobody"), "{said}");
    let (ok, said) = warta_admin(&app, &["grant", "ada", "owner"]).await;
    assert!(!ok, "not a role: {said}");

    // Now ada can moderate from the site.
    let (status, _) = page_for(&app, &ada, "/moderation").await;
    assert_eq!(status, StatusCode::OK);
    let recorded = history(&app, &ada, "ada").await;
    assert!(
        recorded.contains("made them an admin") && recorded.contains("founder"),
        "{recorded}"
    );
    assert!(recorded.contains("warta admin"), "the command line acted: {recorded}");

    let (ok, said) = warta_admin(&app, &["revoke", "ada"]).await;
    assert!(ok, "{said}");
    assert_eq!(role_of(&app, "ada").await, "reader");
    let (status, _) = page_for(&app, &ada, "/moderation").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a revoked role takes effect at once");
}

#[tokio::test]
async fn admins_make_moderators_and_nobody_acts_above_their_role() {
    let app = TestApp::spawn().await;
    let admin = staff(&app, "boss", Role::Admin).await;
    let moderator = staff(&app, "mod", Role::Moderator).await;
    let bob = browser();
    app.sign_up_with(&bob, "bob").await;

    // A moderator cannot make moderators, or suspend one, or an admin.
    let made = app
        .post_form_with(
            &moderator,
            "/fn/set-moderator",
            "/moderation/account?name=bob",
            &[("account", "bob"), ("grant", "true"), ("reason", "helpful")],
        )
        .await;
    assert!(location(&made).contains("__err"));
    assert_eq!(role_of(&app, "bob").await, "reader");
    for account in ["boss", "mod"] {
        let refused = suspend(&app, &moderator, account, true, "power").await;
        assert!(location(&refused).contains("__err"), "{account}");
    }
    let (_, page) = page_for(&app, &moderator, "/moderation/account?name=boss").await;
    assert!(
        !page.contains("data-testid=\"suspend-form\""),
        "no button either: {page}"
    );

    // An admin can, with a reason; the role shows at once.
    let made = app
        .post_form_with(
            &admin,
            "/fn/set-moderator",
            "/moderation/account?name=bob",
            &[
                ("account", "bob"),
                ("grant", "true"),
                ("reason", "Helpful in the comments"),
            ],
        )
        .await;
    assert_done(&made, "/moderation/account?name=bob");
    assert_eq!(role_of(&app, "bob").await, "moderator");
    let (status, _) = page_for(&app, &bob, "/moderation").await;
    assert_eq!(status, StatusCode::OK);
    let suspended = suspend(&app, &admin, "mod", true, "Abused the role").await;
    assert_done(&suspended, "/moderation/account?name=mod");
    let (status, _) = page_for(&app, &moderator, "/moderation").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a suspended moderator moderates nothing");
    // Admins are made only on the command line.
    grant(&app, "bob", Role::Reader).await;
    let made = app
        .post_form_with(
            &admin,
            "/fn/set-moderator",
            "/moderation/account?name=boss",
            &[("account", "boss"), ("grant", "false"), ("reason", "myself")],
        )
        .await;
    assert!(location(&made).contains("__err"));
    assert_eq!(role_of(&app, "boss").await, "admin");
    let recorded = history(&app, &admin, "bob").await;
    assert!(
        recorded.contains("made them a moderator") && recorded.contains("boss"),
        "{recorded}"
    );
    assert!(recorded.contains("took back the moderator role"), "{recorded}");
}
