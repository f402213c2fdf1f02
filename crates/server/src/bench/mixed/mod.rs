//! `tixbridge bench mixed`: a match day in one go. New sales, cancellations, gate scans and
//! phones (downloads, transfers) arrive together, each at a steady rate, while the
//! interface's four `CONTINUOUS` functions carry them between box office and wallet. Reports
//! each function's delay (box office → wallet, wallet → box office) and the server's memory
//! over the load, after checking that every change arrived (docs/benchmarks.md#mixed).

mod load;
mod outcome;
pub mod rss;
pub mod setup;
mod spectators;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::json;

use super::Report;
pub use setup::Target;

/// Never more preloaded tickets than this, whatever the rates and minutes ask.
const MAX_PRELOAD: usize = 500_000;

#[derive(Debug, Clone, Args)]
pub struct MixedArgs {
    /// How long the load lasts, in minutes (a fraction is fine: 0.1 is six seconds).
    #[arg(long, default_value_t = 1.0)]
    pub minutes: f64,
    /// New tickets sold per minute: each a new buyer (`POST …/contacts`) and a one-ticket file
    /// (`POST …/files`), put in the wallet by the CONTINUOUS injection.
    #[arg(long, default_value_t = 300)]
    pub sales_per_minute: u32,
    /// Cancellations per minute (`POST …/tickets/{id}/cancel`) of tickets injected before the
    /// load, which no phone holds: each must end DELETED in the wallet (CONTINUOUS push).
    #[arg(long, default_value_t = 60)]
    pub cancels_per_minute: u32,
    /// Gate scans per minute (`POST …/scans` with the barcode): each must end CONTROLLED in
    /// the wallet (CONTINUOUS push).
    #[arg(long, default_value_t = 1_300)]
    pub scans_per_minute: u32,
    /// Fans per minute who sign in with their mailed link on a phone and download both their
    /// tickets through the spectator API (DOWNLOADED, fed back to the box office).
    #[arg(long, default_value_t = 120)]
    pub downloads_per_minute: u32,
    /// Transfers per minute: a fan who downloaded offers a ticket to a friend, who signs in,
    /// accepts and downloads it (TRANSFERRED then DOWNLOADED, owner fed back).
    #[arg(long, default_value_t = 30)]
    pub transfers_per_minute: u32,
    /// Load a server already running at this URL (e.g. `tixbridge demo`, or `serve` with its
    /// scheduler) instead of starting one here; `--database` is then that server's own
    /// database URL (e.g. `sqlite://tixbridge-demo.db`), which this process opens too.
    #[arg(long)]
    pub against: Option<String>,
    /// With `--against`: the server's key file (`TIXBRIDGE_SERVER_KEY` wins when set).
    #[arg(long, default_value = "tixbridge-demo.key")]
    pub server_key_file: std::path::PathBuf,
    /// With `--against`: the server's process id, whose resident memory is sampled.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Seconds between two samples of the server's resident memory.
    #[arg(long, default_value_t = 5.0)]
    pub rss_every_secs: f64,
}

/// Rounds up `per_minute × minutes`.
fn count(per_minute: u32, minutes: f64) -> usize {
    (f64::from(per_minute) * minutes).ceil() as usize
}

/// The CLI's entry: a server here on a fresh `database`, or the one `--against` names.
pub async fn run(database: &str, args: &MixedArgs) -> anyhow::Result<Report> {
    let target = match &args.against {
        None => Target::in_process(database).await?,
        Some(url) => {
            let source = tixbridge_vault::KeySource::from_env_or_file(&args.server_key_file);
            let key = source.load()?.with_context(|| format!("--server-key-file: no {source}"))?;
            Target::against(url, database, key).await?
        }
    };
    run_on(target, args).await
}

/// The load on `target`, its checks and its figures.
pub async fn run_on(target: Target, args: &MixedArgs) -> anyhow::Result<Report> {
    anyhow::ensure!(args.minutes > 0.0 && args.minutes <= 600.0, "--minutes must be above 0 and at most 600");
    let needs = setup::Needs {
        scans: count(args.scans_per_minute, args.minutes),
        cancels: count(args.cancels_per_minute, args.minutes),
        fans: count(args.downloads_per_minute, args.minutes),
    };
    anyhow::ensure!(
        needs.scans + needs.cancels + 2 * needs.fans <= MAX_PRELOAD,
        "these rates and minutes need more than {MAX_PRELOAD} tickets loaded beforehand"
    );
    target.continuous_functions().await?;
    let preloaded = target.preload(&needs).await?;
    let preloaded_total = needs.scans + needs.cancels + 2 * needs.fans;
    let in_process = target.app.is_some();
    let sampled = if in_process { None } else { args.server_pid };
    let sampler = (in_process || sampled.is_some())
        .then(|| rss::Sampler::start(sampled, Duration::from_secs_f64(args.rss_every_secs.max(0.5))));

    let target = Arc::new(target);
    let duration = Duration::from_secs_f64(args.minutes * 60.0);
    eprintln!(
        "bench: mixed load for {:.1} min: {} sales, {} cancellations, {} scans, {} downloads, {} transfers a minute …",
        args.minutes,
        args.sales_per_minute,
        args.cancels_per_minute,
        args.scans_per_minute,
        args.downloads_per_minute,
        args.transfers_per_minute
    );
    let started = Instant::now();
    let (sales, cancels, scans, (downloads, transfers)) = tokio::join!(
        load::sales(target.clone(), args.sales_per_minute, duration),
        load::cancels(target.clone(), Arc::new(preloaded.to_cancel), args.cancels_per_minute, duration),
        load::scans(target.clone(), Arc::new(preloaded.to_scan), args.scans_per_minute, duration),
        spectators::run(
            target.clone(),
            Arc::new(preloaded.fans),
            args.downloads_per_minute,
            args.transfers_per_minute,
            duration
        ),
    );
    let wall_s = started.elapsed().as_secs_f64();
    eprintln!("bench: load done in {wall_s:.1} s; waiting for both parts to agree …");
    let made = outcome::Made {
        preloaded: preloaded_total,
        sales: &sales,
        cancels: &cancels,
        scans: &scans,
        downloads: &downloads,
        transfers: &transfers,
    };
    let (checks_passed, checks, figures) = outcome::judge(&target, &made).await?;
    let memory = sampler.map(rss::Sampler::finish);
    let items = sales.len() + cancels.len() + scans.len() + downloads.len() + transfers.len();
    let backend = target.backend.clone();
    if let Ok(target) = Arc::try_unwrap(target)
        && let Some(app) = target.app
    {
        app.shutdown().await?;
    }
    Ok(Report {
        scenario: "mixed",
        backend,
        wall_s,
        items: items as u64,
        latencies_ms: Vec::new(),
        checks_passed,
        checks,
        extra: vec![
            ("minutes", json!(args.minutes)),
            (
                "rates_per_minute",
                json!({ "sales": args.sales_per_minute, "cancels": args.cancels_per_minute,
                        "scans": args.scans_per_minute, "downloads": args.downloads_per_minute,
                        "transfers": args.transfers_per_minute }),
            ),
            ("functions", figures["functions"].clone()),
            ("lag_to_wallet_max_ms", figures["lag_to_wallet_max_ms"].clone()),
            ("lag_to_box_office_max_ms", figures["lag_to_box_office_max_ms"].clone()),
            ("settle_s", figures["settle_s"].clone()),
            ("server_rss", memory.unwrap_or(serde_json::Value::Null)),
        ],
    })
}
