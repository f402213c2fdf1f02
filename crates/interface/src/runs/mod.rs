//! Runs (docs/interface.md#runs): every run is recorded with its start, end, result, counts
//! and a log line per ticket that did not go through; one run at a time per function, held
//! by a lease that a crashed process gives up when it expires.

mod context;
mod interrupted;
mod lease;
mod lines;
mod pages;
mod record;

use serde::{Deserialize, Serialize};

pub use context::{Failure, Lease, ReconcileRequest, RunCtx, RunOptions, now_ms};
pub use interrupted::{INTERRUPTED, record_interrupted};
pub use lease::{LEASE_TTL_MS, acquire_lease, release_lease, renew_lease};
pub use lines::{ACCEPTED_MESSAGE, LineFilter, LineKind, LogLine, log_lines};
pub use pages::{Page, Pages};
pub use record::{
    Finished, RunRecord, cancel_requested_by, discard_run, finish_run, list_runs, load_run, request_cancel,
    save_counts, start_run,
};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunResult {
    Ok,
    Warning,
    Error,
}

impl RunResult {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
        }
    }
}

/// What a run did, ticket by ticket. Saved with the run in every transaction that commits a
/// page, so a run whose process dies is recorded with what it had committed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Counts {
    /// Tickets (or feed entries) the run picked up.
    pub selected: u64,
    /// Sent to the wallet (0 in simulation).
    pub sent: u64,
    pub accepted: u64,
    /// Refused by the wallet, or refused locally before sending.
    pub rejected: u64,
    /// Left aside on purpose (skip lists, missing holder fields).
    pub skipped: u64,
    /// Box-office records written (printed, processed, feedback applied).
    pub written: u64,
    /// A reconcile's figures (docs/interface.md#reconcile); other kinds have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile: Option<ReconcileCounts>,
}

/// What a reconcile checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReconcileCounts {
    /// Distinct tickets compared: the box office's and those only the wallet holds.
    pub tickets_checked: u64,
    /// Tickets the box office believes the wallet holds.
    pub box_office_tickets: u64,
    /// Tickets the wallet holds.
    pub wallet_tickets: u64,
    /// Calls to the wallet's digest.
    pub digest_calls: u64,
    /// Tickets the wallet listed one by one (in ranges whose digests differed).
    pub tickets_listed: u64,
    /// Differing tickets by cause class; every class is named, with 0 when none.
    pub differences: std::collections::BTreeMap<String, u64>,
}

impl ReconcileCounts {
    /// How many tickets differ, all classes together.
    pub fn differing(&self) -> u64 {
        self.differences.values().sum()
    }
}

/// Where a run's time went, in milliseconds: reading the selection, building and checking
/// payloads, waiting for the wallet, and writing the outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phases {
    pub select_ms: u64,
    pub build_ms: u64,
    pub wallet_ms: u64,
    pub write_ms: u64,
}

impl Phases {
    /// Adds the time since `since` to one phase and returns now, for the next phase.
    pub fn lap(slot: &mut u64, since: std::time::Instant) -> std::time::Instant {
        let now = std::time::Instant::now();
        *slot += u64::try_from(now.duration_since(since).as_millis()).unwrap_or(u64::MAX);
        now
    }
}

/// A run's outcome as the engine reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: tixbridge_domain::RunId,
    pub function_id: tixbridge_domain::FunctionId,
    pub kind: String,
    pub result: RunResult,
    pub simulation: bool,
    pub counts: Counts,
    pub phases: Phases,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub started_at: String,
    pub ended_at: String,
    /// What the kind reports beside its counts (a reconcile: each differing ticket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}
