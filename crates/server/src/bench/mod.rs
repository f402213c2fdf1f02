//! `tixbridge bench`: the whole chain — box office → HTTP → wallet and back — measured on a
//! fresh database of either kind. Each scenario checks its own result (every ticket printed
//! and injected, every scan controlled, …) before it reports a figure.

mod all;
mod baseline;
mod feedback;
mod gate;
mod harness;
mod latency;
pub mod mixed;
mod reconcile;
mod report;
mod spectators;
mod sync;

use std::process::ExitCode;

use clap::{Args, Subcommand};

pub use report::Report;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// `sqlite` (a temporary file) or a PostgreSQL server URL `postgres://…` on which a fresh
    /// database is created.
    #[arg(long, default_value = "sqlite", global = true)]
    pub database: String,
    /// Print one line of JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Subcommand)]
pub enum Scenario {
    /// N NOT_PRINTED tickets over 10 performances, one injection run.
    Inject {
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
    },
    /// Gate scans at a steady rate; delay from each scan to CONTROLLED in the wallet.
    Control {
        #[arg(long, default_value_t = 10_000)]
        scans_per_minute: u32,
        #[arg(long, default_value_t = 1.0)]
        minutes: f64,
    },
    /// Cancellations at a steady rate; delay from each to DELETION_PENDING/DELETED in the wallet.
    Cancel {
        #[arg(long, default_value_t = 10_000)]
        cancels_per_minute: u32,
        #[arg(long, default_value_t = 1.0)]
        minutes: f64,
    },
    /// N tickets posted straight to the wallet's organizer API in batches of 1,000.
    Api {
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
    },
    /// N wallet-side changes until the box office has them all: organizer controls, spectator
    /// changes (download, holder, transfer offer, through the spectator API) or half of each.
    Feedback {
        #[arg(long, default_value_t = 100_000)]
        changes: usize,
        #[arg(long, value_enum, default_value_t = feedback::ChangeKind::Control)]
        kind: feedback::ChangeKind,
    },
    /// Gate scans at `POST /api/gate/scan` as fast as C scanners are answered (each verified
    /// with the wallet over HTTP); scans per second and latency. At most 20,000 scans, 2 minutes.
    Gate {
        #[arg(long, default_value_t = 2_000)]
        scans: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// N injected tickets reconciled with the wallet while they agree, then after D
    /// differences made behind both parts' backs: wall time, digest calls, tickets listed one
    /// by one (checked: exactly D found, fewer than 1 % of the tickets listed).
    Reconcile {
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
        #[arg(long, default_value_t = 10)]
        differences: usize,
    },
    /// A match day at once: sales, cancellations, gate scans, phones downloading and
    /// transferring, with the interface's functions CONTINUOUS; each function's delay between
    /// box office and wallet, and the server's memory (`--against` a running server to
    /// measure it alone).
    Mixed(mixed::MixedArgs),
    /// Every scenario in turn, each in a process of its own, then README's Performance table
    /// with the machine described (cores, memory, CPU, date, commit, load before each).
    All(all::AllArgs),
    /// The floor: writing the same N tickets straight into the database in large transactions.
    Baseline {
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
    },
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let report = match args.scenario {
        Scenario::All(all) => {
            return Ok(if all::run(&all)? { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        Scenario::Inject { tickets } => sync::inject(&args.database, tickets).await?,
        Scenario::Control { scans_per_minute, minutes } => {
            latency::run(&args.database, latency::Kind::Control, scans_per_minute, minutes).await?
        }
        Scenario::Cancel { cancels_per_minute, minutes } => {
            latency::run(&args.database, latency::Kind::Cancel, cancels_per_minute, minutes).await?
        }
        Scenario::Feedback { changes, kind } => feedback::run(&args.database, changes, kind).await?,
        Scenario::Gate { scans, concurrency } => gate::run(&args.database, scans, concurrency).await?,
        Scenario::Api { tickets } => sync::wallet_api(&args.database, tickets).await?,
        Scenario::Baseline { tickets } => baseline::run(&args.database, tickets).await?,
        Scenario::Mixed(mixed) => mixed::run(&args.database, &mixed).await?,
        Scenario::Reconcile { tickets, differences } => reconcile::run(&args.database, tickets, differences).await?,
    };
    report.print(args.json);
    Ok(if report.checks_passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
