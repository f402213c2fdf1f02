//! A run under way, as the function kinds see it: what they work with ([`RunCtx`]), why a run
//! stops ([`Failure`]) and what an operator may add to it ([`RunOptions`]). The kinds depend on
//! this module only; the engine that starts and ends runs depends on them, never the reverse.

use std::path::Path;

use tixbridge_store::{Db, Tx};

use super::{Counts, RunRecord, renew_lease, save_counts};
use crate::client::{CallError, WalletClient};
use crate::config::Interface;
use crate::functions::FunctionDef;

/// What an operator may add to one run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Feedback and pushes: process this file as if the wallet had returned it.
    pub file: Option<String>,
    /// Pushes: only tickets whose status changed at or after this time (ms). Continuous
    /// workers use it between periodic full runs, so a run's cost follows the new work.
    pub changed_since: Option<i64>,
    /// A reconcile asked for by an operator, in place of the function's own settings.
    pub reconcile: Option<ReconcileRequest>,
    /// Injection and privileges: this run only simulates (selects, builds and checks what it
    /// would send, keeps it as the run's dump, sends and prints nothing), whatever the
    /// function's `simulation` setting.
    pub simulate: bool,
}

/// What an operator asks a reconcile for (docs/interface.md#reconcile).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileRequest {
    /// The wallet event; `None`: every ticket.
    pub event: Option<String>,
    /// Send what the functions would have sent, to make both sides agree.
    pub repair: bool,
}

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Call(#[from] CallError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    Stopped(String),
    /// The file to upload is refused whole, before anything is written.
    #[error("file to upload refused: {0}")]
    FileRefused(String),
    /// What the operator asked the run for names nothing (`field`); nothing was written.
    #[error("{field}: {message}")]
    NotFound { field: &'static str, message: String },
}

/// A run under way: what the function kinds work with.
pub struct RunCtx<'a> {
    pub db: Db,
    /// Where `dumpTnPRvariables` files go.
    pub dump_dir: &'a Path,
    /// The lease this run holds on its function, renewed between wallet calls.
    pub lease: Lease<'a>,
    pub interface: &'a Interface,
    pub function: &'a FunctionDef,
    pub client: WalletClient,
    pub run: RunRecord,
    pub options: RunOptions,
    /// Simulation output: exactly what would have been sent.
    pub would_send: Vec<serde_json::Value>,
    /// What the kind reports beside its counts, handed back with the run's summary.
    pub report: Option<serde_json::Value>,
}

/// The clock, in the milliseconds every table stores.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl RunCtx<'_> {
    /// Extends the lease between wallet calls; a lost lease stops the run, and so does an
    /// operator's request to cancel it.
    pub async fn keep_lease(&self) -> Result<(), Failure> {
        if let Some(who) = super::record::cancel_requested_by(&self.db, self.run.id).await? {
            return Err(Failure::Stopped(format!("cancelled by {who}")));
        }
        let Lease { worker_id, ttl_ms } = self.lease;
        if renew_lease(&self.db, self.function.id, worker_id, now_ms(), ttl_ms).await? {
            Ok(())
        } else {
            Err(Failure::Stopped("lease lost to another worker".into()))
        }
    }

    /// Commits `tx`, which writes a page's outcome, with `counts` — the run's counts once that
    /// page is folded in — saved on the run record, so a run whose process dies is recorded with
    /// exactly what it had committed. Once another process has recorded the run as interrupted,
    /// nothing more is committed and the run stops.
    pub async fn commit_page(&mut self, mut tx: Tx, counts: Counts) -> Result<(), Failure> {
        if !save_counts(&mut tx, self.run.id, &counts).await? {
            tx.rollback().await?;
            return Err(Failure::Stopped(
                "another process recorded this run as interrupted (its lease had expired); nothing more is written"
                    .into(),
            ));
        }
        tx.commit().await?;
        self.run.counts = counts;
        Ok(())
    }

    /// Stops the run when the share of refused tickets passes `killRatio`, so a systematic
    /// error does not hammer the wallet (docs/interface.md#custom-parameters). Every kind
    /// calls it as refusals happen — after each wallet answer and after each ticket refused
    /// before sending — so the good tickets after too many bad ones are not sent. A
    /// simulation is never stopped: it has no wallet answers to weigh its refusals against.
    pub fn check_kill_ratio(&self) -> Result<(), Failure> {
        self.check_kill_ratio_with(0, 0)
    }

    /// [`Self::check_kill_ratio`], counting besides the run's counts `accepted` and `rejected`
    /// tickets of a page not yet folded into them.
    pub fn check_kill_ratio_with(&self, accepted: u64, rejected: u64) -> Result<(), Failure> {
        if self.run.simulation {
            return Ok(());
        }
        let counts = &self.run.counts;
        let rejected = counts.rejected + rejected;
        let attempted = counts.accepted + accepted + rejected;
        let ratio = self.interface.params.kill_ratio;
        if attempted >= 10 && rejected as f64 / attempted as f64 > ratio {
            return Err(Failure::Stopped(format!(
                "stopped early: {rejected} of {attempted} tickets failed, above killRatio {ratio}"
            )));
        }
        Ok(())
    }
}

/// Which worker holds the run's lease and for how long each renewal keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub worker_id: &'a str,
    pub ttl_ms: i64,
}
