//! The command line: `serve`, `migrate`, `wallet …`, `demo`. Names and flags are a contract.

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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the chosen parts over HTTP until Ctrl-C.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Wallet administration.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Run every part on a fresh SQLite file, seed demo data and show what happened.
    Demo(crate::demo::DemoArgs),
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
    /// Where the server key is kept when TIXBRIDGE_SERVER_KEY is not set (created when missing).
    #[arg(long, env = "TIXBRIDGE_SERVER_KEY_FILE", default_value = "tixbridge-server.key")]
    pub server_key_file: std::path::PathBuf,
    /// The base URL spectators reach the wallet at, for sign-in links (default: the listen address).
    #[arg(long, env = "TIXBRIDGE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The wallet the gate verifies codes with (default: this process).
    #[arg(long, env = "TIXBRIDGE_WALLET_URL")]
    pub wallet_url: Option<String>,
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
        Command::Migrate(args) => {
            open(&args.database).await?;
            println!("database {} is up to date", crate::app::redact_url(&args.database));
            Ok(ExitCode::SUCCESS)
        }
        Command::Wallet(command) => wallet(command).await,
        Command::Demo(args) => crate::demo::run(args).await,
    }
}

async fn open(url: &str) -> anyhow::Result<Db> {
    Db::connect(url).await.with_context(|| format!("opening database {}", crate::app::redact_url(url)))
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = AppConfig {
        database_url: args.db.database,
        listen: args.listen,
        parts: parse_parts(&args.parts)?,
        services: crate::app::Services::from_env(&args.server_key_file)?,
        public_url: args.public_url,
        wallet_url: args.wallet_url,
    };
    let app = BoundApp::bind(&config).await?;
    tracing::info!(addr = %app.addr, parts = ?config.parts, "serving; Ctrl-C stops");
    app.serve(shutdown_signal()).await?;
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
