//! Registering and authenticating, against the real database.

use app::{
    domain::{Email, Password, Username},
    i18n::Locale,
    ssr::{
        accounts::{self, AccountError},
        passwords::Passwords,
    },
};

use crate::helpers::fresh_database;

fn passwords() -> Passwords {
    Passwords::new(1, std::time::Duration::from_secs(30))
}

fn parts(username: &str, email: &str, password: &str) -> (Username, Email, Password) {
    (
        Username::parse(username).unwrap(),
        Email::parse(email).unwrap(),
        Password::parse(password).unwrap(),
    )
}

#[tokio::test]
async fn a_registered_password_is_stored_as_argon2id_never_as_itself() {
    let (_, db) = fresh_database().await;
    let passwords = passwords();
    let (username, email, password) = parts("Ada", "Ada@Example.org", "correct horse battery");
    let registered = accounts::register(&db, &passwords, &username, &email, &password, Locale::En)
        .await
        .unwrap();
    let id = registered.id;
    assert_eq!(registered.generation, 0);

    let stored: String = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "argon2id, not {stored}");
    assert!(!stored.contains("correct horse"), "never the password itself");
}

#[tokio::test]
async fn signing_in_takes_the_password_and_the_email_in_any_case() {
    let app = crate::helpers::TestApp::spawn().await;
    let (username, email, password) = parts("Ada", "Ada@Example.org", "correct horse battery");
    let state_db = app.db.clone();
    accounts::register(&state_db, &passwords(), &username, &email, &password, Locale::En)
        .await
        .unwrap();
    let sign_in = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/users/login"))
                .json(&serde_json::json!({ "user": { "email": email, "password": password } }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        sign_in("ada@example.org", "correct horse battery").await,
        200,
        "email in any case"
    );
    assert_eq!(
        sign_in("  ADA@EXAMPLE.ORG ", "correct horse battery").await,
        200,
        "spaces around it too"
    );
    assert_eq!(sign_in("ada@example.org", "correct horse batter").await, 401);
    assert_eq!(sign_in("nobody@example.org", "correct horse battery").await, 401);
}

#[tokio::test]
async fn usernames_and_emails_are_taken_regardless_of_case() {
    let (_, db) = fresh_database().await;
    let passwords = passwords();
    let (username, email, password) = parts("ada", "ada@example.org", "password-one");
    accounts::register(&db, &passwords, &username, &email, &password, Locale::En)
        .await
        .unwrap();

    let (same_name, other_email, password) = parts("ADA", "other@example.org", "password-two");
    let taken = accounts::register(&db, &passwords, &same_name, &other_email, &password, Locale::En)
        .await
        .unwrap_err();
    assert!(matches!(taken, AccountError::Taken("username")), "{taken:?}");
    assert_eq!(taken.to_string(), "username has already been taken");

    let (other_name, same_email, password) = parts("grace", "ADA@example.ORG", "password-two");
    let taken = accounts::register(&db, &passwords, &other_name, &same_email, &password, Locale::En)
        .await
        .unwrap_err();
    assert!(matches!(taken, AccountError::Taken("email")), "{taken:?}");
}
