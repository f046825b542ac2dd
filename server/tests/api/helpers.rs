//! Starting the app for a test.
//!
//! `TEST_DATABASE_URL` names a Postgres database the tests may create other
//! databases from; `TEST_REDIS_URL` a Redis. `make test` sets both (to the
//! private instances under `.data/`, unless already set).

use std::collections::HashMap;

use app::ssr::clock::Clock;
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
    /// The settings it was started with, for a second instance.
    pub(crate) vars: HashMap<String, String>,
    /// Where `/metrics` is served (`http://127.0.0.1:port`), when the test
    /// turned metrics on.
    pub(crate) metrics: Option<String>,
    /// The app's time: a test clock, which the test moves, when it gave
    /// one ([`TestAppBuilder::clock`]); else the system's.
    pub(crate) clock: Clock,
}

/// How long any one request may take before the test fails: a hang shows
/// up as a failure naming the request, not as a stuck test run.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A client like a browser's: keeps cookies, does not follow redirects.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client")
}

/// Where a redirect points.
pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("a text Location")
        .to_owned()
}

/// Builder for a [`TestApp`]: tests say only what differs from the default.
#[derive(Default)]
pub(crate) struct TestAppBuilder {
    vars: HashMap<String, String>,
    clock: Option<Clock>,
}

pub(crate) fn test_database_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL must name a Postgres database (make test sets it)")
}

pub(crate) fn test_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").expect("TEST_REDIS_URL must name a Redis (make test sets it)")
}

/// The Redis sessions live in: `TEST_SESSION_REDIS_URL` when set (`make
/// test` sets it to a server of its own), else the next database of the
/// cache's, as the app's own default.
pub(crate) fn test_session_redis_url() -> String {
    std::env::var("TEST_SESSION_REDIS_URL").unwrap_or_else(|_| {
        let cache = test_redis_url();
        match cache.rsplit_once('/') {
            Some((server, database)) if database.parse::<u32>().is_ok() => {
                format!("{server}/{}", database.parse::<u32>().unwrap_or(0) + 1)
            }
            _ => format!("{}/1", cache.trim_end_matches('/')),
        }
    })
}

/// Polls `check` every 20 ms until it gives `Ok`, and returns that; fails
/// naming `what` and the last thing `check` saw (its `Err`) once `within`
/// has passed: for what a background task (the worker, a flush, a health
/// check) does in its own time.
pub(crate) async fn eventually<T>(
    within: std::time::Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {within:?}; last seen: {seen}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Waits until the job queue is empty (every job done), for what the
/// worker does in its own time.
pub(crate) async fn drained_jobs(db: &PgPool, timeout: std::time::Duration) {
    eventually(timeout, "the queue empties", async || {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs")
            .fetch_one(db)
            .await
            .map_err(|error| error.to_string())?;
        match left {
            0 => Ok(()),
            left => Err(format!("{left} jobs")),
        }
    })
    .await;
}

/// A port that nothing listens on.
pub(crate) fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("bound").port()
}

/// Creates an empty database of its own on the test server; returns its URL.
async fn empty_database() -> String {
    let admin_url = test_database_url();
    let name = format!("warta_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("create test database");
    match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("TEST_DATABASE_URL has no database name"),
    }
}

/// Creates an empty, migrated database and returns its URL.
pub(crate) async fn fresh_database() -> (String, PgPool) {
    let url = empty_database().await;
    let settings = DatabaseSettings {
        url: url.as_str().into(),
        max_connections: 8,
        acquire_timeout: std::time::Duration::from_secs(5),
        replica_urls: Vec::new(),
        replica_max_connections: 8,
        statement_timeout: None,
        search_timeout: std::time::Duration::from_secs(1),
    };
    let pool = warta::db::connect(&settings).await.expect("connect to test database");
    warta::db::migrate(&pool).await.expect("migrate test database");
    (url, pool)
}

/// Creates an empty database with the schema as it was before the migration
/// `version` (only the migrations older than it applied), for tests of what
/// a migration does to rows written before it.
pub(crate) async fn database_before(version: i64) -> PgPool {
    let url = empty_database().await;
    let db = PgPool::connect(&url).await.expect("connect to test database");
    let all = sqlx::migrate!("../migrations");
    let before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|migration| migration.version < version)
                .cloned()
                .collect(),
        ),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    };
    before.run(&db).await.expect("migrate test database partway");
    db
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

    /// Posts a form the way a browser without JavaScript does, from the
    /// page `from` of this site (Referer, Origin), accepting HTML.
    pub(crate) async fn post_form(&self, action: &str, from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_with(&self.client, action, from, fields).await
    }

    /// [`TestApp::post_form`] from another browser.
    pub(crate) async fn post_form_with(
        &self,
        client: &reqwest::Client,
        action: &str,
        from: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(action))
            .header(reqwest::header::ACCEPT, "text/html")
            .header(reqwest::header::REFERER, self.url(from))
            .header(reqwest::header::ORIGIN, self.address.as_str())
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Writes an article in `client`'s editor (the form without
    /// JavaScript) and presses `intent` (`publish` or `draft`); returns
    /// where the editor sends the author next.
    pub(crate) async fn write_with(&self, client: &reqwest::Client, title: &str, intent: &str) -> String {
        let fields = [
            ("title", title),
            ("description", "What it is about"),
            ("body", "Some words."),
            ("tags", ""),
            ("intent", intent),
        ];
        let response = self.post_form_with(client, "/editor", "/editor", &fields).await;
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER, "{title}");
        location(&response)
    }

    /// The page a redirect sends the app's own client to (a form sent back
    /// with its messages, say).
    pub(crate) async fn follow(&self, redirect: &reqwest::Response) -> String {
        self.follow_with(&self.client, redirect).await
    }

    /// [`TestApp::follow`] in another browser: the one that sent the form,
    /// since a form's refusal shows only there.
    pub(crate) async fn follow_with(&self, client: &reqwest::Client, redirect: &reqwest::Response) -> String {
        let target = location(redirect);
        let target = if target.starts_with('/') {
            self.url(&target)
        } else {
            target
        };
        let page = client.get(target).send().await.expect("request");
        page.text().await.expect("a page")
    }

    /// A JSON API request from the holder of `token`.
    pub(crate) async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .header(reqwest::header::AUTHORIZATION, format!("Token {token}"))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Publishes `article` (the API's article object) as the holder of
    /// `token`; returns its slug.
    pub(crate) async fn publish(&self, token: &str, article: serde_json::Value) -> String {
        let response = self
            .api(
                reqwest::Method::POST,
                "/api/articles",
                token,
                serde_json::json!({ "article": article }),
            )
            .await;
        assert_eq!(response.status(), reqwest::StatusCode::CREATED, "publishing {article}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        body["article"]["slug"].as_str().expect("a slug").to_owned()
    }

    /// The page at `path` as a reader who is not signed in gets it.
    pub(crate) async fn page(&self, path: &str) -> String {
        let response = browser().get(self.url(path)).send().await.expect("request");
        response.text().await.expect("a page")
    }

    /// Registers `username` through the form in `client`, which is then
    /// signed in as them; returns the session cookie (`name=value`).
    pub(crate) async fn sign_up_with(&self, client: &reqwest::Client, username: &str) -> String {
        let email = format!("{username}@example.org");
        let response = self
            .post_form_with(
                client,
                "/fn/register",
                "/register",
                &[("username", username), ("email", &email), ("password", "correct horse")],
            )
            .await;
        assert_eq!(response.status(), 302, "registering {username}");
        assert_eq!(location(&response), "/");
        response
            .cookies()
            .find(|cookie| cookie.name() == "warta_session")
            .map(|cookie| format!("warta_session={}", cookie.value()))
            .expect("signing up starts a session")
    }

    /// Registers `username` through the JSON API and returns their token.
    pub(crate) async fn api_token(&self, username: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/users"))
            .json(&serde_json::json!({ "user": {
                "username": username,
                "email": format!("{username}@example.org"),
                "password": "password123",
            } }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "registering {username}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        body["user"]["token"].as_str().expect("a token").to_owned()
    }

    /// Signs in through the JSON API and returns the account's token.
    pub(crate) async fn api_sign_in(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/users/login"))
            .json(&serde_json::json!({ "user": { "email": email, "password": password } }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "signing in as {email}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        body["user"]["token"].as_str().expect("a token").to_owned()
    }

    /// Registers `username` in the app's own client.
    pub(crate) async fn sign_up(&self, username: &str) -> String {
        self.sign_up_with(&self.client, username).await
    }

    /// Another instance of the same app: same database, same Redis and key
    /// prefix, its own port, as behind a load balancer.
    pub(crate) async fn sibling(&self) -> TestApp {
        let settings = Settings::from_source(&self.vars).expect("valid test settings");
        let app = Application::build_with_clock(&settings, self.clock.clone())
            .await
            .expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics = app.metrics_addr().map(|address| format!("http://{address}"));
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        TestApp {
            address,
            db: self.db.clone(),
            client: browser(),
            vars: self.vars.clone(),
            metrics,
            clock: self.clock.clone(),
        }
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

    /// Runs the app on `clock`, which the test moves instead of waiting.
    pub(crate) fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
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
            ("WARTA_SESSION_REDIS_URL", test_session_redis_url()),
            ("PORT", "0".to_owned()),
            ("LEPTOS_HASH_FILES", "false".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
            // Tests share one Redis: each app gets its own keys.
            (
                "WARTA_REDIS_PREFIX",
                format!("warta-test-{}", uuid::Uuid::new_v4().simple()),
            ),
            ("WARTA_VIEW_FLUSH_MS", "100".to_owned()),
            // Jobs run only in the tests about them (which turn this on),
            // and development mail never lands in the source tree.
            ("WARTA_INLINE_WORKER", "false".to_owned()),
            (
                "WARTA_MEDIA_URL",
                std::env::temp_dir()
                    .join(format!("warta-test-media-{}", uuid::Uuid::new_v4().simple()))
                    .display()
                    .to_string(),
            ),
            (
                "WARTA_OUTBOX_DIR",
                std::env::temp_dir()
                    .join(format!("warta-test-outbox-{}", uuid::Uuid::new_v4().simple()))
                    .display()
                    .to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        vars.extend(self.vars);

        let settings = Settings::from_source(&vars).expect("valid test settings");
        let clock = self.clock.unwrap_or_else(Clock::system);
        let app = Application::build_with_clock(&settings, clock.clone())
            .await
            .expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics = app.metrics_addr().map(|address| format!("http://{address}"));
        let running = tokio::spawn(app.run_until_stopped(shutdown));
        let app = TestApp {
            address,
            db,
            client: browser(),
            vars,
            metrics,
            clock,
        };
        (app, running)
    }
}

/// Counts the statements a database ran, from `pg_stat_statements` (which
/// `make test`'s Postgres preloads): the database's own record, not ours.
pub(crate) struct QueryCounter {
    db: PgPool,
}

impl QueryCounter {
    pub(crate) async fn new(db: &PgPool) -> Self {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(db)
            .await
            .expect("pg_stat_statements is available");
        let counter = Self { db: db.clone() };
        // Fails when the library is not preloaded.
        counter.calls("").await;
        counter
    }

    /// How many times this database ran statements whose text contains
    /// `fragment` (every statement for `""`, other than these counts).
    pub(crate) async fn calls(&self, fragment: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(
            "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query LIKE '%' || $1 || '%'
               AND query NOT LIKE '%pg_stat_statements%'",
        )
        .bind(fragment)
        .fetch_one(&self.db)
        .await
        .expect("pg_stat_statements is loaded (shared_preload_libraries); `make stop` and rerun to restart Postgres with it")
    }
}

/// No element of `page` runs anything we did not write: no event handler
/// attributes, no `javascript:` URLs, no frames or SVG, and no script made
/// of the hostile text.
pub(crate) fn assert_harmless(path: &str, page: &str) {
    let document = scraper::Html::parse_document(page);
    for element in document.tree.nodes().filter_map(scraper::ElementRef::wrap) {
        let name = element.value().name();
        assert!(
            !matches!(name, "iframe" | "svg" | "object" | "embed"),
            "{path}: <{name}>"
        );
        if name == "script" {
            // Our own scripts may carry the text as escaped JSON data; a
            // script the text broke out into would hold it alone.
            let text: String = element.text().collect();
            assert!(!text.trim().starts_with("alert("), "{path}: a hostile script survived");
        }
        for (attribute, value) in element.value().attrs() {
            assert!(!attribute.starts_with("on"), "{path}: <{name} {attribute}>");
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "{path}: <{name} {attribute}={value}>"
            );
        }
    }
}

/// The text of the first element matching `selector` in `page`.
pub(crate) fn text_of(page: &str, selector: &str) -> Option<String> {
    let document = scraper::Html::parse_document(page);
    let selector = scraper::Selector::parse(selector).expect("a valid selector");
    document
        .select(&selector)
        .next()
        .map(|element| element.text().collect())
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

    /// `count` published articles by `author`, "Story 1" (the newest, at
    /// `newest`) to "Story {count}", an hour apart in pairs: every two share
    /// a publication time, so ties are broken by id. Returns the slugs,
    /// newest first.
    pub(crate) async fn stories(db: &PgPool, author: i64, count: i64, newest: DateTime<Utc>) -> Vec<String> {
        sqlx::query!(
            "WITH a AS (
                INSERT INTO articles (user_id, slug, title, description, body, status, created_at, published_at)
                SELECT $1, 'story-' || n, 'Story ' || n, 'About story ' || n, '# Story ' || n, 'published',
                       $3::timestamptz - (n / 2) * interval '1 hour', $3::timestamptz - (n / 2) * interval '1 hour'
                FROM generate_series(1, $2::bigint) AS n
                ORDER BY n DESC
                RETURNING id, slug, created_at
             )
             INSERT INTO article_slugs (slug, article_id, article_created_at) SELECT slug, id, created_at FROM a",
            author,
            count,
            newest
        )
        .execute(db)
        .await
        .expect("insert stories");
        (1..=count).map(|n| format!("story-{n}")).collect()
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
