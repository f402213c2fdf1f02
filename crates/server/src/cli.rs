//! The command line: `serve`, `migrate`, `wallet …`, `boxoffice …`, `demo`. Names and flags are a contract.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tixbridge_store::Db;

use crate::app::{AppConfig, BoundApp, parse_parts};

#[derive(Debug, Parser)]
#[command(
    name = "tixbridge",
    version,
    about = "Keeps a box office and a secure mobile ticket wallet in step",
    long_about = "tixbridge injects issued tickets into a mobile wallet, pushes cancellations and \
gate scans to it, and brings back what happened on the phones. One binary holds every part: the \
wallet (organizer API), the box office and its external printing interface.\n\n\
Quick start: `tixbridge demo` runs everything on an embedded SQLite file at http://127.0.0.1:8080."
)]
pub struct Cli {
    /// Configuration file (default: tixbridge.toml in the current folder, when there is one);
    /// each TIXBRIDGE_* variable overrides it. See docs/configuration.md.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line of this process, with the configuration file's values as defaults
    /// (see [`crate::settings`]); the settings are installed for the rest of the process.
    pub fn parse_with_settings() -> anyhow::Result<Self> {
        use clap::{CommandFactory, FromArgMatches};
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let settings = crate::settings::Settings::load(crate::settings::cli::config_flag(&args).as_deref())?;
        let command = crate::settings::cli::with_file_defaults(Self::command(), &settings);
        let cli = Self::from_arg_matches(&command.get_matches_from(args)).unwrap_or_else(|err| err.exit());
        settings.install();
        Ok(cli)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the chosen parts over HTTP until Ctrl-C.
    Serve(ServeArgs),
    /// Run scheduled and continuous functions without serving HTTP; several workers (and
    /// `serve` processes) on one PostgreSQL database share the work, one run per function at a time.
    Worker {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Wallet administration.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Box-office administration.
    #[command(subcommand)]
    Boxoffice(crate::boxoffice_cli::BoxofficeCommand),
    /// Run every part on a fresh SQLite file, seed demo data and show what happened.
    Demo(crate::demo::DemoArgs),
    /// Measure the whole chain on a fresh database (see `tixbridge bench --help`).
    Bench(crate::bench::BenchArgs),
    /// External printing interface operations.
    #[command(subcommand)]
    Interface(InterfaceCommand),
    /// The configuration file and variables.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets masked, and where each value comes from
    /// (environment, file, default); a bad file is refused before, naming the key and the rule.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum InterfaceCommand {
    /// Run one function now and print its run record; exits 1 when the run ends in ERROR.
    Run {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The function's id (see GET /api/boxoffice/organizations/{org}/interface/functions).
        function_id: tixbridge_domain::FunctionId,
        /// Feedback and pushes: process this file as if the wallet had returned it.
        #[arg(long)]
        file_to_upload: Option<std::path::PathBuf>,
    },
    /// Compare the box office with the wallet by digest and print each ticket where they
    /// differ, with both views and the cause class (MISSING_IN_WALLET, UNKNOWN_TO_BOX_OFFICE,
    /// STATUS_DIFFERS, BARCODE_DIFFERS, REASON_DIFFERS); exits 1 while any difference remains.
    #[command(
        long_about = "Compare the box office with the wallet by digest: one digest call for the whole scope, then \
only into the ranges whose digests differ. Prints a JSON report: the counts (tickets checked, digest calls, \
tickets listed one by one, differences by class) and each differing ticket with what the box office believes the \
wallet holds, what the wallet holds, and the cause class.\n\n\
With --repair, sends what the functions would have sent (the injection's payload, push cancelled's deletion, push \
controlled's control) as a run of the interface's RECONCILE function, recorded like any run; a ticket the wallet \
holds that the box office never sold is deleted there. Exits 1 while any difference remains (without --repair: \
whenever one is found)."
    )]
    Reconcile {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The organization whose interface is reconciled (its code).
        #[arg(long)]
        organization: String,
        /// Only this wallet event (`P` + a performance id, …); every ticket when absent.
        #[arg(long)]
        event: Option<String>,
        /// Send what makes both sides agree (needs an active RECONCILE function).
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://PATH (created when missing) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "TIXBRIDGE_DATABASE_URL", default_value = "sqlite://tixbridge.db")]
    pub database: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "TIXBRIDGE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Comma-separated parts this process serves: wallet, boxoffice.
    #[arg(long, default_value = "wallet,boxoffice")]
    pub parts: String,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// File holding the server key if TIXBRIDGE_SERVER_KEY is not set; created when missing,
    /// unless the database already holds data sealed with a key. It seals stored secrets such
    /// as the interface's wallet API key: keep it with the database.
    #[arg(long, default_value = "tixbridge-server.key")]
    pub server_key_file: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Create an organizer and print its API key (shown once, as the last line).
    CreateOrganizer {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The organizer's display name.
        #[arg(long)]
        name: String,
        /// The organizer admin's e-mail, used as the HTTP Basic login.
        #[arg(long)]
        login: String,
    },
    /// Check every ticket's hash-chained status log; exits 1 naming each altered ticket.
    VerifyLog {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Worker { db, key } => worker(db, key).await,
        Command::Migrate(args) => {
            open(&args.database).await?;
            println!("database {} is up to date", crate::app::redact_url(&args.database));
            Ok(ExitCode::SUCCESS)
        }
        Command::Wallet(command) => wallet(command).await,
        Command::Boxoffice(command) => crate::boxoffice_cli::run(command).await,
        Command::Demo(args) => crate::demo::run(args).await,
        Command::Bench(args) => crate::bench::run(args).await,
        Command::Config(ConfigCommand::Check) => {
            let settings = crate::settings::Settings::load(cli.config.as_deref())?;
            crate::settings::cli::print_check(&settings);
            Ok(ExitCode::SUCCESS)
        }
        Command::Interface(InterfaceCommand::Run { db, key, function_id, file_to_upload }) => {
            run_function(db, key, function_id, file_to_upload).await
        }
        Command::Interface(InterfaceCommand::Reconcile { db, key, organization, event, repair }) => {
            reconcile(db, key, &organization, tixbridge_interface::runs::ReconcileRequest { event, repair }).await
        }
    }
}

pub(crate) async fn open(url: &str) -> anyhow::Result<Db> {
    Db::connect(url).await.with_context(|| format!("opening database {}", crate::app::redact_url(url)))
}

/// Opens the database, then the server key it expects (see [`crate::server_key`]).
async fn open_with_key(db: &DatabaseArgs, key: &KeyArgs) -> anyhow::Result<(Db, tixbridge_vault::ServerKey)> {
    let database = open(&db.database).await?;
    let source = tixbridge_vault::KeySource::from_env_or_file(&key.server_key_file);
    let server_key = crate::server_key::server_key_for(&database, &source).await?;
    Ok((database, server_key))
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let parts = parse_parts(&args.parts)?;
    let (database, server_key) = open_with_key(&args.db, &args.key).await?;
    let config = AppConfig::from_env(args.db.database, args.listen, parts, server_key)?;
    let app = BoundApp::bind_with_db(database, &config).await?;
    tracing::info!(addr = %app.addr, parts = ?config.parts, "serving; Ctrl-C stops");
    app.serve(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn worker(db: DatabaseArgs, key: KeyArgs) -> anyhow::Result<ExitCode> {
    let (database, server_key) = open_with_key(&db, &key).await?;
    let config = AppConfig::from_env(db.database.clone(), String::new(), vec![], server_key)?;
    let engine = config.engine(&database);
    let tasks = [
        tixbridge_interface::scheduler::spawn(engine.clone()),
        tixbridge_interface::continuous::spawn(engine.clone()),
        tixbridge_interface::outbox::spawn(engine),
    ];
    let listener = database.listen_for_changes().await?;
    tracing::info!("worker running scheduled and continuous functions; Ctrl-C stops");
    shutdown_signal().await;
    for task in tasks.iter().chain(listener.as_ref()) {
        task.abort();
    }
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn run_function(
    db: DatabaseArgs,
    key: KeyArgs,
    function_id: tixbridge_domain::FunctionId,
    file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let file = file
        .map(|path| std::fs::read_to_string(&path).with_context(|| format!("--file-to-upload {}", path.display())))
        .transpose()?;
    let (database, server_key) = open_with_key(&db, &key).await?;
    let config = AppConfig::from_env(db.database.clone(), String::new(), vec![], server_key)?;
    let started = config
        .engine(&database)
        .start(function_id, tixbridge_interface::RunOptions { file, ..Default::default() })
        .await?;
    let summary = follow_run(&database, started).await?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(if summary.result == tixbridge_interface::runs::RunResult::Error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Waits for `started` to end, showing its counts as each page commits them
/// (docs/observability.md#progress).
pub(crate) async fn follow_run(
    db: &Db,
    started: tixbridge_interface::engine::StartedRun,
) -> anyhow::Result<tixbridge_interface::runs::RunSummary> {
    let run_id = started.run_id.get();
    let mut progress = crate::progress::Progress::start(&format!("interface run {run_id}"), "tickets", None);
    let mut finished = std::pin::pin!(started.finished());
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            summary = &mut finished => {
                let summary = summary?;
                let counts = &summary.counts;
                progress.set(counts.accepted + counts.rejected + counts.skipped, Some(counts.selected));
                progress.finish(summary.result.as_str());
                return Ok(summary);
            }
            _ = every.tick() => {
                if let Ok(Some(run)) = tixbridge_interface::runs::load_run(db, run_id, false).await {
                    let counts = &run["counts"];
                    let n = |key: &str| counts[key].as_u64().unwrap_or(0);
                    progress.set(n("accepted") + n("rejected") + n("skipped"), Some(n("selected")).filter(|s| *s > 0));
                }
            }
        }
    }
}

async fn reconcile(
    db: DatabaseArgs,
    key: KeyArgs,
    organization: &str,
    request: tixbridge_interface::runs::ReconcileRequest,
) -> anyhow::Result<ExitCode> {
    let (database, server_key) = open_with_key(&db, &key).await?;
    let config = AppConfig::from_env(db.database.clone(), String::new(), vec![], server_key)?;
    let report = tixbridge_interface::reconcile::reconcile(&config.engine(&database), organization, request).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    let failed = report.run.as_ref().is_some_and(|run| run.result == tixbridge_interface::runs::RunResult::Error);
    Ok(if report.unresolved > 0 || failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

async fn wallet(command: WalletCommand) -> anyhow::Result<ExitCode> {
    match command {
        WalletCommand::CreateOrganizer { db, name, login } => {
            let db = open(&db.database).await?;
            let created = tixbridge_wallet::organizers::create_organizer(&db, &name, &login).await?;
            println!("created organizer {} ({name}) with login {}", created.id, login.trim().to_lowercase());
            println!("its API key follows; it is shown only this once:");
            println!("{}", created.api_key);
            Ok(ExitCode::SUCCESS)
        }
        WalletCommand::VerifyLog { db } => {
            let db = open(&db.database).await?;
            let report = tixbridge_wallet::audit::verify_log(&db).await?;
            for broken in &report.broken {
                println!("ALTERED ticket {:?} at entry {}: {}", broken.ticket_id, broken.position, broken.problem);
            }
            println!(
                "checked {} tickets, {} log entries: {}",
                report.tickets,
                report.entries,
                if report.broken.is_empty() {
                    "all chains intact".to_owned()
                } else {
                    format!("{} altered", report.broken.len())
                }
            );
            Ok(if report.broken.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
