//! The command line.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::{
    config::{DatabaseSettings, Settings},
    db, monitoring, seed,
    startup::Application,
    telemetry, worker,
};

/// Warta: a publishing platform.
#[derive(Debug, Parser)]
#[command(name = "warta", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply pending database migrations and create upcoming partitions.
    Migrate,
    /// Load deterministic demo data: users and articles.
    Seed(seed::SeedArgs),
    /// Run background jobs (emails to followers) until SIGTERM or Ctrl-C.
    Worker,
    /// Inspect the job queue; retry or discard dead jobs.
    Jobs(JobsArgs),
    /// Grant and revoke the moderator and admin roles; list who has them.
    Admin(AdminArgs),
}

/// `warta admin`: with no subcommand, lists the moderators and admins.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub action: Option<AdminAction>,
}

/// What to do with roles. Every change is recorded in the moderation
/// history, with the reason given.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminAction {
    /// List every moderator and admin.
    List,
    /// Make an account a moderator or an admin.
    Grant {
        /// The account's username (any case).
        username: String,
        /// `moderator` or `admin`.
        #[arg(value_parser = ["moderator", "admin"])]
        role: String,
        /// Why, for the moderation history.
        #[arg(long, default_value = "granted with warta admin")]
        reason: String,
    },
    /// Make a moderator or an admin a reader again.
    Revoke {
        /// The account's username (any case).
        username: String,
        /// Why, for the moderation history.
        #[arg(long, default_value = "revoked with warta admin")]
        reason: String,
    },
}

/// `warta jobs`: with no subcommand, counts by state and the dead jobs.
#[derive(Debug, Clone, Args)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub action: Option<JobsAction>,
}

/// What to do with the queue.
#[derive(Debug, Clone, Subcommand)]
pub enum JobsAction {
    /// List jobs in one state (dead by default), oldest first.
    List {
        /// `dead`, `queued` or `running`.
        #[arg(long, default_value = "dead", value_parser = ["dead", "queued", "running"])]
        state: String,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue dead jobs again, with fresh attempts.
    Retry(JobSelection),
    /// Delete dead jobs for good.
    Discard(JobSelection),
}

/// One dead job by id, or all of them.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct JobSelection {
    /// The job's id (from `warta jobs list`).
    pub id: Option<i64>,
    /// Every dead job.
    #[arg(long)]
    pub all: bool,
}

/// Runs one command to completion.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let settings = Settings::from_env()?;
            let _logs = telemetry::init(&settings.log)?;
            let app = Application::build(&settings).await?;
            tracing::info!(
                address = %app.local_addr(),
                metrics = ?app.metrics_addr(),
                public_url = %app.public_url(),
                environment = %settings.environment,
                "warta is serving"
            );
            app.run_until_stopped(crate::startup::shutdown_signal()).await
        }
        Command::Migrate => {
            let settings = DatabaseSettings::from_env()?.for_commands();
            let _logs = telemetry::init(&crate::config::LogSettings::from_env()?)?;
            let pool = db::connect(&settings).await?;
            db::migrate(&pool).await?;
            let created = db::ensure_partitions(&pool).await?;
            println!("migrations applied; {created} new article partitions");
            Ok(())
        }
        Command::Worker => {
            let settings = Settings::from_env()?;
            let _logs = telemetry::init(&settings.log)?;
            let database = db::connect_database(&settings.database)?;
            let pool = database.primary().clone();
            pool.acquire()
                .await
                .context("cannot connect to Postgres (check DATABASE_URL and that the server is running)")?;
            let public_url = settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}:{}", settings.bind, settings.port));
            let media = crate::media::open(&settings.media_url)?;
            let redis = app::ssr::redis::Redis::new(settings.redis.cache_url.expose(), &settings.redis.prefix)
                .context("REDIS_URL: not a usable Redis URL")?;
            // The worker reads no replica and checks none: its metrics
            // describe the primary's pool alone.
            let metrics = monitoring::Exporter::bind(
                &settings.metrics,
                app::ssr::database::Database::primary_only(pool.clone()),
                redis.clone(),
            )
            .await?;
            if let Some(metrics) = &metrics {
                tracing::info!(metrics = %metrics.local_addr(), "serving metrics");
            }
            let metrics = metrics.map(monitoring::Exporter::spawn);
            let cache = app::ssr::cache::Cache::new(redis, database);
            let context = std::sync::Arc::new(worker::Context::new(
                &settings,
                pool.clone(),
                public_url,
                media,
                cache,
                app::ssr::clock::Clock::system(),
            )?);
            let (stop, stopping) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                crate::startup::shutdown_signal().await;
                let _ = stop.send(true);
            });
            let worked = worker::run(context, stopping).await;
            if let Some(metrics) = metrics {
                metrics.abort();
            }
            worked?;
            pool.close().await;
            Ok(())
        }
        Command::Jobs(args) => {
            let settings = DatabaseSettings::from_env()?.for_commands();
            let pool = db::connect(&settings).await?;
            jobs(&pool, args.action).await
        }
        Command::Admin(args) => {
            let settings = DatabaseSettings::from_env()?.for_commands();
            let pool = db::connect(&settings).await?;
            admin(&pool, args.action.unwrap_or(AdminAction::List)).await
        }
        Command::Seed(args) => {
            let settings = DatabaseSettings::from_env()?.for_commands();
            let pool = db::connect(&settings).await?;
            db::migrate(&pool).await.context("migrating before seeding")?;
            seed::run(&pool, &args).await
        }
    }
}

/// `warta admin`.
async fn admin(pool: &sqlx::PgPool, action: AdminAction) -> anyhow::Result<()> {
    use app::{
        domain::{ModerationReason, Role},
        ssr::moderation::{self, ModerationError},
    };
    let (username, role, reason) = match action {
        AdminAction::List => {
            let staff = app::ssr::queries::moderation::staff(pool).await?;
            if staff.is_empty() {
                println!("no moderators or admins (grant one with: warta admin grant <username> moderator)");
            }
            for member in staff {
                let suspended = if member.suspended_at.is_some() {
                    "  (suspended)"
                } else {
                    ""
                };
                println!("{:<10} {}{suspended}", member.role, member.username);
            }
            return Ok(());
        }
        AdminAction::Grant { username, role, reason } => (username, Role::from_stored(&role), reason),
        AdminAction::Revoke { username, reason } => (username, Role::Reader, reason),
    };
    let reason = ModerationReason::parse(&reason).map_err(|invalid| anyhow::anyhow!("--{invalid}"))?;
    match moderation::set_role(pool, chrono::Utc::now(), None, &username, role, &reason).await {
        Ok(()) => {
            println!("{username} is now {}", role.as_str());
            Ok(())
        }
        Err(ModerationError::NotFound) => anyhow::bail!("no account is called {username}"),
        Err(error) => Err(error.into()),
    }
}

/// `warta jobs`.
async fn jobs(pool: &sqlx::PgPool, action: Option<JobsAction>) -> anyhow::Result<()> {
    use app::ssr::jobs;
    match action {
        None => {
            let counts = jobs::counts(pool).await?;
            println!(
                "queued {}  running {}  dead {}",
                counts.queued, counts.running, counts.dead
            );
            if counts.dead > 0 {
                println!();
                print_jobs(&jobs::list(pool, "dead", 50).await?);
            }
        }
        Some(JobsAction::List { state, limit }) => print_jobs(&jobs::list(pool, &state, limit).await?),
        Some(JobsAction::Retry(selection)) => {
            let count = jobs::retry_dead(pool, selection.id).await?;
            if count == 0 && selection.id.is_some() {
                anyhow::bail!("no dead job with that id");
            }
            println!("{count} dead job(s) queued again");
        }
        Some(JobsAction::Discard(selection)) => {
            let count = jobs::discard_dead(pool, selection.id).await?;
            if count == 0 && selection.id.is_some() {
                anyhow::bail!("no dead job with that id");
            }
            println!("{count} dead job(s) discarded");
        }
    }
    Ok(())
}

fn print_jobs(rows: &[app::ssr::jobs::JobRow]) {
    if rows.is_empty() {
        println!("no jobs");
        return;
    }
    println!(
        "{:>8}  {:<20} {:<8} {:>8}  {:<20}  last error",
        "id", "kind", "state", "attempts", "run at"
    );
    for row in rows {
        let error = row.last_error.as_deref().unwrap_or("").replace('\n', " ");
        let error: String = error.chars().take(100).collect();
        println!(
            "{:>8}  {:<20} {:<8} {:>4}/{:<3}  {:<20}  {error}",
            row.id,
            row.kind,
            row.state,
            row.attempts,
            row.max_attempts,
            row.run_at.format("%Y-%m-%d %H:%M:%S"),
        );
        println!("{:>8}  {}", "", row.payload);
    }
}
