//! Building the application: state, router, middleware, listener.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use app::{
    App,
    i18n::Locale,
    shell,
    site::PublicUrl,
    ssr::{
        AppState, Shared, cache::Cache, clock::Clock, pagination::LatestIndex, passwords::Passwords, redis::Redis,
        tokens::Signer,
    },
};
use axum::{
    Router,
    middleware::{from_fn_with_state, map_response},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use leptos::config::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    CompressionLevel, catch_panic::CatchPanicLayer, compression::CompressionLayer, timeout::TimeoutLayer,
};

use crate::{
    config::{RunMode, Settings},
    db,
    http::{
        middleware::{caching, form_errors::FormErrors, limits, rate_limit, security, sessions, trace},
        routes::{
            assets, editor_form, feeds, health,
            render::{not_found, provide_page_context},
            unsubscribe, views,
        },
    },
    monitoring, upkeep, worker,
};

/// The built application, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    view_flush_interval: Duration,
    /// Deadlines on connections.
    timeouts: crate::config::Timeouts,
    /// The in-process worker's context, unless `WARTA_INLINE_WORKER=false`.
    worker: Option<Arc<worker::Context>>,
    /// The metrics listener, when `WARTA_METRICS_ADDR` is set.
    metrics: Option<monitoring::Exporter>,
}

impl Application {
    /// Connects to Postgres and Redis (lazily: start-up does not wait for
    /// either), builds the router and binds the listener.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// [`Application::build`], with the time read from `clock` (a test's,
    /// which the test moves instead of waiting).
    pub async fn build_with_clock(settings: &Settings, clock: Clock) -> anyhow::Result<Self> {
        let database = db::connect_database(&settings.database)?;
        let redis = Redis::new(settings.redis.cache_url.expose(), &settings.redis.prefix)
            .context("REDIS_URL: not a usable Redis URL")?;
        let session_redis = Redis::new(settings.redis.session_url.expose(), &settings.redis.prefix)
            .context("WARTA_SESSION_REDIS_URL: not a usable Redis URL")?;

        let listener = TcpListener::bind((settings.bind, settings.port))
            .await
            .with_context(|| format!("cannot listen on {}:{} (is PORT in use?)", settings.bind, settings.port))?;
        let address = listener.local_addr()?;

        let leptos = LeptosOptions::builder()
            .output_name("warta")
            .site_root(settings.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .hash_files(settings.hash_files)
            .env(match settings.environment {
                RunMode::Development => leptos::config::Env::DEV,
                RunMode::Production => leptos::config::Env::PROD,
            })
            .build();

        let state = AppState::new(Shared {
            leptos,
            db: database.primary().clone(),
            cache: Cache::new(redis.clone(), database.clone()),
            database,
            redis,
            session_redis,
            latest: Arc::new(LatestIndex::default()),
            public_url: PublicUrl(
                settings
                    .public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{address}")),
            ),
            body_max: settings.article_body_max,
            signer: Signer::new(settings.secret.expose()),
            media: crate::media::open(&settings.media_url)?,
            passwords: Passwords::new(settings.password_hashers, settings.password_wait),
            search_timeout: settings.database.search_timeout,
            clock: clock.clone(),
            api_strict: settings.api_strict,
            attempts_per_account: settings.attempts_per_account,
            searches_per_address: settings.searches_per_address,
            registrations_per_address: settings.registrations_per_address,
        });
        let metrics =
            monitoring::Exporter::bind(&settings.metrics, state.database.clone(), state.redis.clone()).await?;
        let router = router(state.clone(), settings)?;
        let worker = if settings.worker.inline {
            let context = worker::Context::new(
                settings,
                state.db.clone(),
                state.public_url.0.clone(),
                state.media.clone(),
                state.cache.clone(),
                clock,
            )?;
            Some(Arc::new(context))
        } else {
            None
        };
        Ok(Self {
            listener,
            router,
            state,
            view_flush_interval: settings.view_flush_interval,
            timeouts: settings.timeouts,
            worker,
            metrics,
        })
    }

    /// The address the listener is bound to (tests bind port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Where readers reach the site.
    pub fn public_url(&self) -> &str {
        &self.state.public_url.0
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The address `/metrics` is served on, when metrics are on.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(monitoring::Exporter::local_addr)
    }

    /// Serves until `shutdown` completes, then stops accepting connections
    /// and lets in-flight requests finish.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let partitions = db::spawn_partition_upkeep(self.state.db.clone());
        let expiry = upkeep::spawn_expiry_cleanup(self.state.db.clone(), self.state.clock.clone());
        let replica_checks = self.state.database.spawn_health_checks();
        upkeep::warm_listing_index(&self.state);
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let flusher = upkeep::spawn_view_flusher(self.state.clone(), self.view_flush_interval, stopping.clone());
        let worker = self.worker.map(|context| worker::spawn(context, stopping));
        let metrics = self.metrics.map(monitoring::Exporter::spawn);
        crate::http::serve::serve(self.listener, self.router, self.timeouts, shutdown).await;
        partitions.abort();
        expiry.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        if let Some(checks) = replica_checks {
            checks.abort();
        }
        // One last flush, so counted views survive the restart.
        let _ = stop.send(true);
        let _ = flusher.await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        self.state.database.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every route, with the middleware around them.
pub fn router(state: AppState, settings: &Settings) -> anyhow::Result<Router> {
    let routes = route_list();
    let leptos = state.leptos.clone();
    let trusted_origin = security::TrustedOrigin::new(&state.public_url.0);
    let session_redis = state.session_redis.clone();
    let local_changes = state.cache.local_changes();
    let form_errors = FormErrors {
        signer: state.signer.clone(),
        clock: state.clock.clone(),
        cookie: FormErrors::cookie_name(settings.secure_cookies),
        secure: settings.secure_cookies,
    };
    let site_root = leptos.site_root.to_string();
    let session_upkeep = sessions::Upkeep {
        db: state.db.clone(),
        renew_every: settings.session_renewal,
        lifetime: settings.session_lifetime,
        public_files: Arc::new(assets::public_file_paths(&site_root)),
        session_redis: state.session_redis.clone(),
    };

    // Files from public/, then the 404 page for anything else.
    let public: Router = Router::new()
        .fallback_service(assets::public_files(&site_root).fallback(get(not_found).with_state(state.clone())))
        .layer(map_response(assets::public_cache_control))
        .layer(axum::middleware::from_fn(assets::only_file_names));

    Ok(Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/articles/{slug}/view.gif", get(views::pixel))
        .route("/editor", post(editor_form::submit_new))
        .route("/editor/{slug}", post(editor_form::submit_edit))
        .route("/id/editor", post(editor_form::submit_new))
        .route("/id/editor/{slug}", post(editor_form::submit_edit))
        .route("/unsubscribe/{token}", post(unsubscribe::one_click))
        .route("/id/unsubscribe/{token}", post(unsubscribe::one_click))
        .route("/media/{*key}", get(crate::media::serve))
        .route("/feed.xml", get(feeds::site))
        .route("/@{username}/feed.xml", get(feeds::author))
        .route("/tags/{tag}/feed.xml", get(feeds::tag))
        .route("/sitemap.xml", get(feeds::sitemap_index))
        .route("/sitemaps/{name}", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .merge(crate::json_api::router())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let public_url = state.public_url.clone();
                move || provide_page_context(&public_url)
            },
            {
                let leptos = leptos.clone();
                move || shell(leptos.clone())
            },
        )
        .merge(assets::bundle(&site_root, &leptos.site_pkg_dir, leptos.hash_files))
        .fallback_service(public)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                // Outside everything, so a panic's 500 and a page from the
                // page cache are counted like any other answer; only with
                // metrics on.
                .option_layer(settings.metrics.address.map(|_| monitoring::CountRequests))
                // A panic anywhere below is a bug, but it must still be an
                // answer (a logged 500 page) rather than a dropped
                // connection.
                .layer(CatchPanicLayer::custom(panicked))
                // The reader's address behind our proxies (rate limits, views).
                .layer(axum::Extension(settings.trusted_proxies.clone()))
                .layer(trace::set_request_id())
                .layer(trace::layer(settings.slow_request_threshold))
                // A request not answered in time (a body trickled in a byte
                // at a time) is the client's slowness: 408, not a 5xx.
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    settings.timeouts.request,
                ))
                .layer(trace::propagate_request_id())
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(map_response(security::add_headers))
                .layer(from_fn_with_state(
                    caching::PageCache::new(
                        settings.page_cache_ttl,
                        sessions::cookie_name(settings.secure_cookies),
                        local_changes,
                        form_errors,
                    ),
                    caching::layer,
                ))
                // Guards for state changes, inside the page cache: a page
                // served from it passes through no more middleware than it
                // must (each `from_fn` layer clones the service stack below
                // it on every request; `make bench` measured +1 layer above
                // the cache as a third fewer requests per second).
                .layer(from_fn_with_state(trusted_origin, security::refuse_cross_site))
                .layer(from_fn_with_state(
                    limits::BodyLimit::for_articles(settings.article_body_max),
                    limits::layer,
                ))
                .layer(from_fn_with_state(
                    rate_limit::AddressBudget {
                        redis: session_redis,
                        limit: settings.attempts_per_address,
                    },
                    rate_limit::layer,
                ))
                // Inside the page cache, so kept pages keep their policy.
                .layer(axum::middleware::from_fn(security::script_policy))
                .layer(map_response(sessions::unavailable))
                // Inside the caching layer, which must see the cookie it sets.
                .layer(sessions::layer(
                    settings.redis.session_url.expose(),
                    settings.secure_cookies,
                    settings.session_inactivity,
                )?)
                .layer(from_fn_with_state(session_upkeep, sessions::upkeep)),
        ))
}

/// The app's routes, listed once per process.
///
/// Listing them renders the app with resource loading switched off, and
/// that switch is process-wide in leptos 0.8 (leptos-rs/leptos#4773): a
/// page rendering elsewhere in the process at that moment would wait
/// forever on a resource that never loads. Listed once, before anything in
/// the process can render, the window never overlaps a render: it matters
/// wherever one process builds the app more than once (the integration
/// tests, where it caused rare hung requests).
///
/// Each page is listed once per language: as the app declares it, and
/// under every other language's prefix (`/id/popular`), where the app's
/// router, based at the prefix, finds the same page.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES
        .get_or_init(|| {
            let pages = generate_route_list(App);
            let translated = Locale::ALL.into_iter().filter(|locale| !locale.base().is_empty());
            let translated: Vec<_> = translated
                .flat_map(|locale| {
                    pages.iter().map(move |page| {
                        let path = match page.path() {
                            "/" => locale.base().to_owned(),
                            path => format!("{}{path}", locale.base()),
                        };
                        AxumRouteListing::new(path, page.mode().clone(), page.methods(), Vec::new())
                    })
                })
                .collect();
            pages.into_iter().chain(translated).collect()
        })
        .clone()
}

/// The answer to a request whose handler panicked: logged, and a page
/// saying so instead of a dropped connection.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::response::Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error · Warta</title></head>\
             <body><h1>Something went wrong on our side</h1><p>This has been logged. Please try again.</p>\
             <p><a href=\"/\">Warta</a></p></body></html>",
        ),
    )
        .into_response()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
