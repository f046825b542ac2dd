//! Registering and authenticating, against the real database.

use app::{
    domain::{Email, Password, Username},
    ssr::accounts::{self, RegisterError},
};

use crate::helpers::fresh_database;

fn parts(username: &str, email: &str, password: &str) -> (Username, Email, Password) {
    (
        Username::parse(username).unwrap(),
        Email::parse(email).unwrap(),
        Password::parse(password).unwrap(),
    )
}

#[tokio::test]
async fn a_registered_user_authenticates_with_their_password_and_only_with_it() {
    let (_, db) = fresh_database().await;
    let (username, email, password) = parts("Ada", "Ada@Example.org", "correct horse battery");
    let id = accounts::register(&db, &username, &email, &password).await.unwrap();

    let stored: String = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "argon2id, not {stored}");
    assert!(!stored.contains("correct horse"), "never the password itself");

    assert_eq!(
        accounts::authenticate(&db, "ada@example.org", "correct horse battery")
            .await
            .unwrap(),
        Some((id, "Ada".to_owned())),
        "email in any case"
    );
    assert_eq!(
        accounts::authenticate(&db, "ada@example.org", "correct horse batter")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        accounts::authenticate(&db, "nobody@example.org", "correct horse battery")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn usernames_and_emails_are_taken_regardless_of_case() {
    let (_, db) = fresh_database().await;
    let (username, email, password) = parts("ada", "ada@example.org", "password-one");
    accounts::register(&db, &username, &email, &password).await.unwrap();

    let (same_name, other_email, password) = parts("ADA", "other@example.org", "password-two");
    let taken = accounts::register(&db, &same_name, &other_email, &password)
        .await
        .unwrap_err();
    assert!(matches!(taken, RegisterError::Taken("username")), "{taken:?}");
    assert_eq!(taken.to_string(), "username has already been taken");

    let (other_name, same_email, password) = parts("grace", "ADA@example.ORG", "password-two");
    let taken = accounts::register(&db, &other_name, &same_email, &password)
        .await
        .unwrap_err();
    assert!(matches!(taken, RegisterError::Taken("email")), "{taken:?}");
}
