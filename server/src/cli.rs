//! The command line.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::{
    config::{DatabaseSettings, Settings},
    db, seed,
    startup::Application,
    telemetry,
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
    Seed(SeedArgs),
}

/// Options for `warta seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// How many users to create.
    #[arg(long, default_value_t = 1_000)]
    pub users: u64,
    /// How many articles to create (90% published).
    #[arg(long, default_value_t = 5_000)]
    pub articles: u64,
    /// The random seed: the same seed (and `--until`) gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The last day of the three years articles are spread over
    /// (YYYY-MM-DD, UTC). Defaults to today.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// How many parallel COPY streams to load with.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Only seed when the database has no users yet (used by `make run`).
    #[arg(long)]
    pub if_empty: bool,
}

/// Runs one command to completion.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let settings = Settings::from_env()?;
            telemetry::init(&settings.log)?;
            let app = Application::build(&settings).await?;
            tracing::info!(
                address = %app.local_addr(),
                public_url = %app.public_url(),
                environment = %settings.environment,
                "warta is serving"
            );
            app.run_until_stopped(crate::startup::shutdown_signal()).await
        }
        Command::Migrate => {
            let settings = DatabaseSettings::from_env()?;
            telemetry::init(&crate::config::LogSettings::from_env()?)?;
            let pool = db::connect(&settings).await?;
            db::migrate(&pool).await?;
            let created = db::ensure_partitions(&pool).await?;
            println!("migrations applied; {created} new article partitions");
            Ok(())
        }
        Command::Seed(args) => {
            let settings = DatabaseSettings::from_env()?;
            let pool = db::connect(&settings).await?;
            db::migrate(&pool).await.context("migrating before seeding")?;
            seed::run(&pool, &args).await
        }
    }
}
