//! The `chainpark` binary: parses the command line and the configuration, then wires the store, the demo zone
//! and the web application together. No rules live here.

#![forbid(unsafe_code)]

mod accounts;
mod assessment;
mod bench_api;
mod bench_assess;
mod bench_chains;
mod bench_hostile;
mod bench_meters;
mod bench_pages;
mod bench_sign_in;
mod config;
mod figures;
mod meters;
mod meters_demo;
mod safety_demo;
mod space;
mod targets_demo;
mod workflow;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use chainpark_app::meters::ReadingsFill;
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;
use chainpark_store::{AccountEdit, Actor};
use chainpark_web::AppState;
use clap::{Args, Parser, Subcommand};

use config::Settings;

/// chainpark: the management system of an economic zone run by industry chains (chain chiefs, chain owners)
/// and parks (park chiefs).
#[derive(Debug, Parser)]
#[command(name = "chainpark", version, about, long_about = None)]
struct Cli {
    /// A TOML configuration file (keys: listen, database, read_database, spool_dir, trusted_proxies, metrics_token, mqtt,
    /// mqtt_client_id, the table [import] of import limits, the table [disclosure] with min_firms and
    /// dominance_percent, and the table [appeals] with reopen_days). Environment variables CHAINPARK_<KEY> (e.g.
    /// CHAINPARK_LISTEN, CHAINPARK_MQTT, CHAINPARK_IMPORT_<LIMIT>, CHAINPARK_DISCLOSURE_<KEY>,
    /// CHAINPARK_APPEALS_REOPEN_DAYS) override it; command-line options override both. See docs/configuration.md.
    #[arg(long, global = true, env = "CHAINPARK_CONFIG")]
    config: Option<PathBuf>,
    /// How log lines are written on standard error: `text` for people, `json` (one object a line) for log
    /// collectors. Which lines: RUST_LOG (default `info,sqlx=error`).
    #[arg(
        long,
        global = true,
        env = "CHAINPARK_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the web pages from the configured store.
    Serve(ServeArgs),
    /// Create a data folder if needed, load the demo zone into its SQLite store (or the database of `--database`)
    /// when it is empty, and serve it.
    Demo(DemoArgs),
    /// Bring the store's schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Check the stored data for broken references and rules; exits non-zero when anything is wrong.
    Check(DatabaseArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import monthly enterprise indicators from a CSV or XLSX file (all or nothing unless --accept-valid).
    Import(figures::ImportArgs),
    /// Print a roll-up of an indicator for a period: by area, chain, segment, park, district or digital economy.
    Report(figures::ReportArgs),
    /// Replace the industry-code → digital-economy mapping with the official table, add rows to it, go back to the
    /// shipped one, or print it; enterprises' categories follow.
    DigitalMap(figures::DigitalMapArgs),
    /// Measure import speed, roll-up latency and peak memory at the zone and city tiers (SQLite).
    Bench(figures::BenchArgs),
    /// Requests/s of the roll-up API under many keep-alive clients (wrk) against nginx serving the same answer as a
    /// static file, and their ratio.
    BenchApi(bench_api::BenchApiArgs),
    /// Time chain intelligence at the city tier: every chain's diagnostics at once, and one chain's (p50/p99).
    BenchChains(bench_chains::BenchChainsArgs),
    /// Generate each kind of hostile file (cells past XFD, zip bombs, huge cells, ...), import it with the default
    /// limits, and print the outcome and the peak memory of the import, each in a process of its own.
    BenchHostile(bench_hostile::BenchHostileArgs),
    /// Sustained ingest of meter readings from MQTT into a fresh SQLite store with roll-ups kept: readings/s.
    BenchMeters(bench_meters::BenchMetersArgs),
    /// Time the per-mu evaluation of a city-tier zone (100,000 synthetic firms) under each shipped scheme preset.
    BenchAssess(bench_assess::BenchAssessArgs),
    /// Time the web pages as a signed-in leader: p50/p99 server-side render time and size of each page.
    BenchPages(bench_pages::BenchPagesArgs),
    /// Time /healthz while many sign-ins (argon2) run at once, against the same server idle.
    BenchSignIn(bench_sign_in::BenchSignInArgs),
    /// Copy the store, as of one instant, to a new file while chainpark serves it (SQLite's online backup API);
    /// a PostgreSQL store is backed up with pg_dump (docs/operations.md).
    Backup(BackupArgs),
    /// Restore a backup made by `backup` as the store: checked, brought up to date and checked again before it
    /// replaces anything. Stop chainpark first.
    Restore(RestoreArgs),
    /// Load a year's State Council holiday notice (CSV date,kind,name) so working-day deadlines can be counted in it.
    Calendar(workflow::CalendarArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password comes from CHAINPARK_USER_PASSWORD, or from the first line of standard input.
    Add {
        username: String,
        /// admin, leader, analyst, chain_chief, chain_task_force, chain_owner, park_chief, park_staff or enterprise.
        #[arg(long)]
        role: String,
        /// The registry person whose posts give a chief, owner, staff or enterprise account its scope.
        #[arg(long)]
        person_id: Option<i64>,
        /// The name shown in the interface.
        #[arg(long, default_value = "")]
        display_name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a new password (from CHAINPARK_USER_PASSWORD or standard input); the account's sessions end and its API
    /// tokens are revoked.
    Passwd {
        username: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Disable an account: it can no longer sign in, its sessions end, and its API tokens are revoked for good.
    Disable {
        username: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<String>,
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long)]
    database: Option<String>,
    /// The MQTT broker meter readings arrive through, e.g. mqtt://127.0.0.1:1883 (config key `mqtt`); without
    /// one, readings come through the API only.
    #[arg(long)]
    mqtt: Option<String>,
    /// A PostgreSQL streaming replica of the database for the reads of pages and roll-ups, e.g.
    /// postgres://USER@REPLICA/DB (config key `read_database`, env CHAINPARK_READ_DATABASE); writes always go to
    /// --database, and so do reads until the replica has replayed this server's last write.
    #[arg(long)]
    read_database: Option<String>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Folder for the demo's SQLite database (created if missing).
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Load the demo into this database instead, e.g. an empty PostgreSQL database
    /// (postgres://USER@HOST/DB); the data folder is then not used.
    #[arg(long)]
    database: Option<String>,
}

#[derive(Debug, Args)]
struct BackupArgs {
    /// The new file to write (it must not exist).
    dest: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup file.
    source: PathBuf,
    /// Replace the store when it exists already.
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long)]
    database: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=error".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let clock = clock_from_env()?;
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings::load_with_mqtt(
                cli.config.as_deref(),
                args.listen,
                args.database,
                args.mqtt,
            )?
            .with_read_database(args.read_database);
            let store =
                open_with_replica(&settings.database, settings.read_database.as_deref()).await?;
            serve(store, &settings.listen, &settings, clock, Arc::default()).await
        }
        Command::Demo(args) => {
            let url = match args.database {
                Some(url) => url,
                None => {
                    std::fs::create_dir_all(&args.data_dir)
                        .with_context(|| format!("creating {}", args.data_dir.display()))?;
                    format!("sqlite://{}", args.data_dir.join("chainpark.db").display())
                }
            };
            let settings =
                Settings::load(cli.config.as_deref(), Some(args.listen), Some(url.clone()))?;
            let store = open(&url).await?;
            let rest_of_year;
            if store.is_empty().await? {
                println!(
                    "loading the demo zone into {} ...",
                    settings.database_for_display()
                );
                let zone = chainpark_core::demo::demo_zone();
                store
                    .load_registry(&Actor::system("demo"), &zone)
                    .await
                    .context("loading the demo zone")?;
                figures::load_demo(&store, &zone).await?;
                workflow::load_demo(&store, &zone, clock)
                    .await
                    .context("loading the demo's projects and appeals")?;
                assessment::load_demo(&store, &zone, clock).await?;
                targets_demo::load_demo(&store, clock)
                    .await
                    .context("loading the demo's candidates and leads")?;
                let started = std::time::Instant::now();
                let (buildings, units, leases) = space::load_demo(&store, clock)
                    .await
                    .context("loading the demo's buildings, units and leases")?;
                println!(
                    "demo space: {buildings} buildings, {units} units, {leases} leases in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let started = std::time::Instant::now();
                let (plans, inspections, hazards) = safety_demo::load_demo(&store, clock)
                    .await
                    .context("loading the demo's inspections and hazards")?;
                println!(
                    "demo safety: {plans} inspection plans, {inspections} inspections, {hazards} hazards in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let started = std::time::Instant::now();
                let meters = meters_demo::load_demo(&store, clock)
                    .await
                    .context("loading the demo's meters and their year of readings")?;
                println!(
                    "demo meters: {} meters, {} hourly readings, a past leak and an open outage in {:.1} s; the \
                     rest of the year follows while the demo serves",
                    meters.meters,
                    meters.readings,
                    started.elapsed().as_secs_f64()
                );
                rest_of_year = Some(meters.rest);
                accounts::create_demo_accounts(&store, clock).await?;
                println!(
                    "demo accounts (password {}): leader, analyst, chain.chief, chain.taskforce, chain.owner, park.chief, park.staff, enterprise",
                    accounts::DEMO_PASSWORD
                );
            } else {
                // A demo stopped while it stored its year goes on where it stopped.
                rest_of_year = meters_demo::resume(&store).await.unwrap_or_else(|e| {
                    tracing::warn!(
                        "demo meters: the missing days of readings were not found: {e:#}"
                    );
                    None
                });
                if let Some(rest) = &rest_of_year {
                    println!(
                        "demo meters: {} days of readings are missing; they follow while the demo serves",
                        rest.days()
                    );
                }
            }
            let fill = Arc::new(ReadingsFill::default());
            if let Some(rest) = rest_of_year {
                fill.start(rest.days());
                tokio::spawn(meters_demo::store_rest(store.clone(), rest, fill.clone()));
            }
            serve(store, &settings.listen, &settings, clock, fill).await
        }
        Command::Import(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database.clone())?;
            figures::import(open(&settings.database).await?, args, settings.import).await
        }
        Command::Report(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database.clone())?;
            figures::report(open(&settings.database).await?, &settings.disclosure, args).await
        }
        Command::DigitalMap(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database.clone())?;
            figures::digital_map(open(&settings.database).await?, args).await
        }
        Command::Bench(args) => figures::bench(args).await,
        Command::BenchApi(args) => bench_api::bench_api(args).await,
        Command::BenchChains(args) => bench_chains::bench_chains(args).await,
        Command::BenchAssess(args) => bench_assess::bench_assess(args),
        Command::BenchHostile(args) => bench_hostile::bench_hostile(args).await,
        Command::BenchMeters(args) => bench_meters::bench_meters(args).await,
        Command::BenchPages(args) => bench_pages::bench_pages(args).await,
        Command::BenchSignIn(args) => bench_sign_in::bench_sign_in(args).await,
        Command::Migrate(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database)?;
            open(&settings.database).await?;
            println!("{} is up to date", settings.database_for_display());
            Ok(())
        }
        Command::Check(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database)?;
            let store = open(&settings.database).await?;
            let mut problems = store.check().await?;
            problems.extend(store.check_workflow().await?);
            problems.extend(store.check_figures().await?);
            if problems.is_empty() {
                println!("no problems found in {}", settings.database_for_display());
                Ok(())
            } else {
                for problem in &problems {
                    println!("{problem}");
                }
                bail!("{} problem(s) found", problems.len())
            }
        }
        Command::Backup(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database.database)?;
            let store = open(&settings.database).await?;
            let summary = store.backup(&args.dest).await?;
            println!(
                "backed up {} to {} ({} bytes, schema version {})",
                settings.database_for_display(),
                summary.path.display(),
                summary.bytes,
                summary.schema_version
            );
            Ok(())
        }
        Command::Restore(args) => {
            let settings = Settings::load(cli.config.as_deref(), None, args.database.database)?;
            let Some(target) = settings.database.strip_prefix("sqlite://") else {
                bail!(
                    "a PostgreSQL store is restored with pg_restore, then `chainpark migrate` checks its schema \
                     (docs/operations.md)"
                );
            };
            let summary = chainpark_store::operations::restore_sqlite(
                &args.source,
                std::path::Path::new(target),
                args.replace,
            )
            .await?;
            println!(
                "restored {} as {} (schema version {} → {}; {} history row(s) of unfinished imports removed); \
                 chainpark check passes",
                args.source.display(),
                settings.database_for_display(),
                summary.backup_schema_version,
                summary.schema_version,
                summary.unfinished_history_removed
            );
            Ok(())
        }
        Command::User(command) => user(cli.config.as_deref(), command).await,
        Command::Calendar(args) => workflow::load_calendar(cli.config.as_deref(), args).await,
    }
}

fn password_from_env_or_stdin() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("CHAINPARK_USER_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn user(config: Option<&std::path::Path>, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            person_id,
            display_name,
            database,
        } => {
            let Some(role) = chainpark_core::access::Role::parse(&role) else {
                bail!("--role: unknown role {role:?}");
            };
            let settings = Settings::load(config, None, database.database)?;
            let store = open(&settings.database).await?;
            let password = password_from_env_or_stdin()?;
            accounts::add(&store, &username, &password, role, person_id, &display_name).await?;
            println!("account {username} created");
            Ok(())
        }
        UserCommand::Passwd { username, database } => {
            let settings = Settings::load(config, None, database.database)?;
            let store = open(&settings.database).await?;
            let Some((account, _)) = store.account_for_login(&username).await? else {
                bail!("no account {username}");
            };
            let password = password_from_env_or_stdin()?;
            let mut v = chainpark_core::error::Violations::default();
            chainpark_core::account::check_password(&mut v, "password", &password);
            v.finish(()).map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash = chainpark_app::passwords::hash_password(&password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let edit = AccountEdit {
                password_hash: Some(hash),
                ..AccountEdit::default()
            };
            let (_, ended) = store
                .update_account(&Actor::system("cli"), account.id, edit)
                .await?;
            println!(
                "password of {username} changed; {} API token(s) revoked, {} session(s) ended",
                ended.tokens_revoked, ended.sessions_ended
            );
            Ok(())
        }
        UserCommand::Disable { username, database } => {
            let settings = Settings::load(config, None, database.database)?;
            let store = open(&settings.database).await?;
            let Some((account, _)) = store.account_for_login(&username).await? else {
                bail!("no account {username}");
            };
            let edit = AccountEdit {
                disabled: Some(true),
                ..AccountEdit::default()
            };
            let (_, ended) = store
                .update_account(&Actor::system("cli"), account.id, edit)
                .await?;
            println!(
                "account {username} disabled; {} API token(s) revoked for good, {} session(s) ended",
                ended.tokens_revoked, ended.sessions_ended
            );
            Ok(())
        }
    }
}

/// Connects to the store and brings its schema up to date.
async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    open_with_replica(url, None).await
}

/// The store at `url`, migrated, reading pages and roll-ups from the replica at `read_url` when one is given.
async fn open_with_replica(url: &str, read_url: Option<&str>) -> anyhow::Result<Arc<dyn Store>> {
    let store = chainpark_store::connect_with_replica(url, read_url)
        .await
        .with_context(|| format!("opening the store at {}", config::redact(url)))?;
    store.migrate().await.context("migrating the store")?;
    if let Some(read_url) = read_url {
        tracing::info!(replica = %config::redact(read_url), "pages and roll-ups read from the replica once it has replayed this server's writes");
    }
    Ok(store)
}

/// The application's clock: the system's, unless `CHAINPARK_NOW` fixes it at an instant (RFC 3339) — a testing and
/// demonstration aid, so that deadlines and overdue views do not depend on the day; never for a real office.
fn clock_from_env() -> anyhow::Result<Clock> {
    match std::env::var("CHAINPARK_NOW") {
        Ok(text) if !text.trim().is_empty() => {
            let clock =
                Clock::parse_fixed(&text).map_err(|e| anyhow::anyhow!("CHAINPARK_NOW: {e}"))?;
            tracing::warn!(
                now = %clock.now(),
                "CHAINPARK_NOW is set: the clock stands still at this instant (a testing and demonstration aid, not for production)"
            );
            Ok(clock)
        }
        _ => Ok(Clock::System),
    }
}

async fn serve(
    store: Arc<dyn Store>,
    listen: &str,
    settings: &Settings,
    clock: Clock,
    readings_fill: Arc<ReadingsFill>,
) -> anyhow::Result<()> {
    let trusted_proxies = chainpark_web::auth::TrustedProxies::parse(&settings.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let spool = chainpark_app::spool::Spool::new(
        settings
            .spool_dir
            .clone()
            .unwrap_or_else(chainpark_app::spool::Spool::default_root),
    );
    let leftovers = spool.start()?;
    if leftovers.files > 0 || leftovers.folders > 0 {
        println!(
            "removed {} upload file(s) left in {} by earlier runs",
            leftovers.files,
            spool.root().display()
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    println!(
        "chainpark ({}) is serving http://{address}/",
        store.engine()
    );
    workflow::start_background(&store, clock, settings.disclosure)?;
    meters::start_background(&store, settings, clock)?;
    let mut state = AppState::new(store.clone()).with_clock(clock);
    state.disclosure = settings.disclosure;
    state.appeals = settings.appeals;
    state.trusted_proxies = Arc::new(trusted_proxies);
    state.import_limits = settings.import.clone();
    state.spool = Arc::new(spool);
    state.metrics_token = settings.metrics_token.as_deref().map(Arc::from);
    state.readings_fill = readings_fill;
    let app = chainpark_web::app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // Every request has been answered: fold SQLite's log into its file and close the connections.
    store.close().await.context("closing the store")?;
    println!("chainpark stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM (what service managers and container runtimes send): stop accepting connections and let the
/// requests under way finish.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests under way");
}
