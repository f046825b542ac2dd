//! Starting the app for a test.
//!
//! `TEST_DATABASE_URL` names a Postgres database the tests may create other
//! databases from; `TEST_REDIS_URL` a Redis. `make test` sets both (to the
//! private instances under `.data/`, unless already set).

use std::collections::HashMap;

use sqlx::{Connection as _, Executor as _, PgConnection, PgPool};
use warta::{
    config::{DatabaseSettings, Settings},
    startup::Application,
};

/// A running application with its own database.
pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) db: PgPool,
    pub(crate) client: reqwest::Client,
}

/// Builder for a [`TestApp`]: tests say only what differs from the default.
#[derive(Default)]
pub(crate) struct TestAppBuilder {
    vars: HashMap<String, String>,
}

pub(crate) fn test_database_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL must name a Postgres database (make test sets it)")
}

pub(crate) fn test_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").expect("TEST_REDIS_URL must name a Redis (make test sets it)")
}

/// A port that nothing listens on.
pub(crate) fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("bound").port()
}

/// Creates an empty, migrated database and returns its URL.
pub(crate) async fn fresh_database() -> (String, PgPool) {
    let admin_url = test_database_url();
    let name = format!("warta_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("create test database");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("TEST_DATABASE_URL has no database name"),
    };
    let settings = DatabaseSettings {
        url: url.as_str().into(),
        max_connections: 8,
        acquire_timeout: std::time::Duration::from_secs(5),
    };
    let pool = warta::db::connect(&settings).await.expect("connect to test database");
    warta::db::migrate(&pool).await.expect("migrate test database");
    (url, pool)
}

impl TestApp {
    pub(crate) fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// The default app.
    pub(crate) async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }
}

impl TestAppBuilder {
    /// Points the app at a Postgres that is not there (a port nothing
    /// listens on), failing fast.
    pub(crate) fn postgres_down(self) -> Self {
        self.var(
            "DATABASE_URL",
            format!("postgres://warta@127.0.0.1:{}/warta", dead_port()),
        )
        .var("WARTA_DB_ACQUIRE_TIMEOUT_MS", "300")
    }

    /// Sets an environment-style setting for this app only.
    pub(crate) fn var(mut self, name: &str, value: impl Into<String>) -> Self {
        self.vars.insert(name.to_owned(), value.into());
        self
    }

    pub(crate) async fn spawn(self) -> TestApp {
        self.spawn_until(std::future::pending()).await.0
    }

    /// Spawns the app, which stops gracefully when `shutdown` completes; the
    /// handle resolves when it has stopped.
    pub(crate) async fn spawn_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> (TestApp, tokio::task::JoinHandle<anyhow::Result<()>>) {
        let (database_url, db) = fresh_database().await;
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database_url),
            ("REDIS_URL", test_redis_url()),
            ("PORT", "0".to_owned()),
            ("LEPTOS_HASH_FILES", "false".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        vars.extend(self.vars);

        let settings = Settings::from_source(&vars).expect("valid test settings");
        let app = Application::build(&settings).await.expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let running = tokio::spawn(app.run_until_stopped(shutdown));

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        (TestApp { address, db, client }, running)
    }
}

/// Fixtures written straight to the database.
pub(crate) mod fixtures {
    use chrono::{DateTime, Utc};
    use sqlx::PgPool;

    pub(crate) async fn user(db: &PgPool, username: &str) -> i64 {
        sqlx::query_scalar!(
            "INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id",
            username
        )
        .fetch_one(db)
        .await
        .expect("insert user")
    }

    /// An article by `author`; `published_at` of `None` makes a draft.
    pub(crate) async fn article(
        db: &PgPool,
        author: i64,
        title: &str,
        created_at: DateTime<Utc>,
        published_at: Option<DateTime<Utc>>,
    ) -> String {
        let slug = title.to_lowercase().replace(' ', "-");
        let status = if published_at.is_some() { "published" } else { "draft" };
        sqlx::query!(
            "WITH a AS (
                INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
                VALUES ($1, $2, $3, 'About ' || $3, '# ' || $3, $4, $5, $6)
                RETURNING id, created_at
             )
             INSERT INTO article_slugs (slug, article_id, article_created_at) SELECT $2, id, created_at FROM a",
            author,
            slug,
            title,
            status,
            created_at,
            published_at
        )
        .execute(db)
        .await
        .expect("insert article");
        slug
    }
}
