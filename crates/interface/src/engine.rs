//! Running a function: take its lease, record the run, call the wallet, record the outcome,
//! mail the notification list when it failed, plan the next automatic run. Shared by manual
//! runs (API, CLI) and the scheduler.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tixbridge_domain::{FunctionId, RunId};
use tixbridge_mail::Mailer;
use tixbridge_store::Db;
use tixbridge_vault::ServerKey;

use crate::client::WalletClient;
use crate::config::{InterfaceError, WalletHosts, check_url, load_interface};
use crate::dump::CallDump;
use crate::functions::{FunctionDef, Launch, Settings, load_function, schedule};
use crate::runs::{
    Failure, Lease, RunCtx, RunOptions, RunResult, RunSummary, acquire_lease, discard_run, finish_run, now_ms,
    release_lease, start_run,
};

/// Everything runs need, built once at start-up.
#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub key: ServerKey,
    pub mailer: Arc<dyn Mailer>,
    /// Wallet calls; build it with [`crate::client::wallet_http`] (no redirects followed).
    pub http: reqwest::Client,
    /// The hosts interfaces may point at (`TIXBRIDGE_WALLET_HOSTS`), read once at start-up.
    pub wallet_hosts: WalletHosts,
    pub wallet_timeout: Duration,
    /// Names this process in leases.
    pub worker_id: String,
    /// Where `dumpTnPRvariables` files go.
    pub dump_dir: PathBuf,
    /// How long a lease outlives a silent worker (see [`crate::runs::LEASE_TTL_MS`]).
    pub lease_ttl: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("function {0} is already running (one run at a time)")]
    Busy(FunctionId),
    #[error("function {0} is not active")]
    Inactive(FunctionId),
    /// The caller may not hand the run a file (only admins may).
    #[error("only an admin may run a function on an uploaded file")]
    FileUploadForbidden,
    /// The file to upload names something the function may not write; nothing was written.
    #[error("fileToUpload: {0}")]
    FileRefused(String),
    /// What the operator asked the run for names nothing; nothing was written.
    #[error("{field}: {message}")]
    NotFound { field: &'static str, message: String },
    #[error(transparent)]
    Interface(#[from] InterfaceError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A run that wrote this many records leaves the planner's statistics stale.
const BULK_RUN: u64 = 10_000;

impl Engine {
    pub fn lease_ttl_ms(&self) -> i64 {
        i64::try_from(self.lease_ttl.as_millis()).unwrap_or(crate::runs::LEASE_TTL_MS)
    }

    /// A run asked for by an operator. `allow_file_upload` says whether the caller may hand
    /// the run a file to process as if the wallet had returned it — a file writes wallet
    /// outcomes onto tickets, so only admins may.
    pub async fn run_manual(
        &self,
        function_id: FunctionId,
        options: RunOptions,
        allow_file_upload: bool,
    ) -> Result<RunSummary, RunError> {
        if options.file.is_some() && !allow_file_upload {
            return Err(RunError::FileUploadForbidden);
        }
        self.run(function_id, options).await
    }

    /// Runs `function_id` now, unless it is already running.
    pub async fn run(&self, typed_id: FunctionId, options: RunOptions) -> Result<RunSummary, RunError> {
        let function_id = typed_id.get();
        let function = load_function(&self.db, function_id).await?;
        if !function.active {
            return Err(RunError::Inactive(typed_id));
        }
        if !acquire_lease(&self.db, function_id, &self.worker_id, now_ms(), self.lease_ttl_ms()).await? {
            return Err(RunError::Busy(typed_id));
        }
        let started = now_ms();
        let outcome = self.run_leased(&function, options).await;
        let ended = now_ms();
        // plan the next automatic run whatever the outcome, so a failing function is retried
        // on its schedule rather than at every scheduler tick
        let next = match (function.launch, function.frequency_seconds) {
            (Launch::Automatic, Some(frequency)) => {
                let stick = outcome.as_ref().map_or(true, |(_, stick)| *stick);
                schedule::next_run(frequency * 1000, started, ended, stick, function.end_at).or(Some(i64::MAX))
            }
            _ => None,
        };
        release_lease(&self.db, function_id, &self.worker_id, next).await?;
        outcome.map(|(summary, _)| summary)
    }

    async fn run_leased(&self, function: &FunctionDef, options: RunOptions) -> Result<(RunSummary, bool), RunError> {
        let interface = load_interface(&self.db, &self.key, function.interface_id).await?;
        let simulation = matches!(&function.settings, Settings::Injection(s) if s.simulation)
            || matches!(&function.settings, Settings::Privileges(s) if s.simulation);
        let run = start_run(&self.db, function.id, simulation, now_ms()).await?;
        let dump = CallDump::new(interface.params.max_length_dumped_calls_in_kbs);
        let client = self.wallet_client(&interface, dump.clone());
        let lease = Lease { worker_id: &self.worker_id, ttl_ms: self.lease_ttl_ms() };
        let mut ctx = RunCtx {
            db: self.db.clone(),
            dump_dir: &self.dump_dir,
            lease,
            interface: &interface,
            function,
            client,
            run,
            options,
            would_send: Vec::new(),
            report: None,
        };
        // the allow-list may have narrowed since the URL was saved: the key is not sent outside it
        let failure = match check_url(&interface.url, &self.wallet_hosts) {
            Ok(_) => crate::kinds::dispatch(&mut ctx).await.err(),
            Err(refused) => Some(Failure::Stopped(format!("interface {refused}"))),
        };
        match failure {
            Some(Failure::FileRefused(why)) => {
                // a refused file is not a run: nothing was written, the operator gets a 422
                discard_run(&self.db, ctx.run.id).await?;
                return Err(RunError::FileRefused(why));
            }
            Some(Failure::NotFound { field, message }) => {
                discard_run(&self.db, ctx.run.id).await?;
                return Err(RunError::NotFound { field, message });
            }
            _ => {}
        }
        let differing = ctx.run.counts.reconcile.as_ref().map_or(0, |r| r.differing());
        let result = match (&failure, &ctx.run.counts) {
            (Some(_), _) => RunResult::Error,
            (None, counts) if counts.rejected > 0 => RunResult::Error,
            (None, counts) if counts.skipped > 0 || differing > 0 => RunResult::Warning,
            _ => RunResult::Ok,
        };
        let cause = match (&failure, ctx.run.counts.rejected) {
            (Some(failure), _) => Some(failure.to_string()),
            (None, 0) if differing > 0 => {
                Some(format!("{differing} tickets differ between the box office and the wallet; see the run log"))
            }
            (None, 0) => None,
            (None, n) => Some(format!("{n} tickets failed; see the run log")),
        };
        let dump_text = if simulation {
            Some(serde_json::to_string_pretty(&ctx.would_send).unwrap_or_default())
        } else {
            dump.take()
        };
        let ended = now_ms();
        let idle = function.launch == Launch::Continuous && failure.is_none() && ctx.run.counts.selected == 0;
        if idle {
            discard_run(&self.db, ctx.run.id).await?;
        } else {
            finish_run(&self.db, &ctx.run, result, cause.as_deref(), dump_text, ended).await?;
        }
        tracing::info!(
            run.id = ctx.run.id,
            function.id = function.id,
            kind = function.kind.as_str(),
            result = result.as_str(),
            selected = ctx.run.counts.selected,
            accepted = ctx.run.counts.accepted,
            rejected = ctx.run.counts.rejected,
            duration_ms = ended - ctx.run.started_at,
            "run finished"
        );
        let summary = RunSummary {
            run_id: RunId::new(ctx.run.id),
            function_id: FunctionId::new(function.id),
            kind: function.kind.as_str().to_owned(),
            result,
            simulation,
            counts: ctx.run.counts.clone(),
            phases: ctx.run.phases.clone(),
            cause,
            started_at: rfc(ctx.run.started_at),
            ended_at: rfc(ended),
            report: ctx.report.take(),
        };
        if result == RunResult::Error {
            crate::notify::run_failed(self, &interface, function, &summary, &ctx.run).await;
        }
        if ctx.run.counts.written >= BULK_RUN {
            // a bulk run changed the tables the next selections plan against
            tixbridge_boxoffice::wallet_side::refresh_ticket_statistics(&self.db, &["itf_processed"]).await.ok();
        }
        Ok((summary, interface.params.stick_to_the_hour))
    }
}

impl Engine {
    /// A client of `interface`'s wallet, recording its calls in `dump`.
    pub fn wallet_client(&self, interface: &crate::config::Interface, dump: CallDump) -> WalletClient {
        WalletClient::new(
            self.http.clone(),
            &interface.url,
            &interface.login,
            &interface.password,
            self.wallet_timeout,
            dump,
        )
    }
}

fn rfc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default()
}
