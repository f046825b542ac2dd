//! Registering and authenticating, against the real database.

use app::{
    domain::{Email, Password, Username},
    i18n::Locale,
    ssr::{
        accounts::{self, AccountError, SignedIn},
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
async fn a_registered_user_authenticates_with_their_password_and_only_with_it() {
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

    let email = |raw: &str| Email::parse(raw).unwrap();
    assert_eq!(
        accounts::authenticate(&db, &passwords, &email("ada@example.org"), "correct horse battery")
            .await
            .unwrap(),
        Some(SignedIn {
            id,
            username: "Ada".to_owned(),
            generation: 0
        }),
        "email in any case"
    );
    assert_eq!(
        accounts::authenticate(&db, &passwords, &email("ada@example.org"), "correct horse batter")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        accounts::authenticate(&db, &passwords, &email("nobody@example.org"), "correct horse battery")
            .await
            .unwrap(),
        None
    );
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
