//! Running a function: take its lease, record the run, call the wallet, record the outcome
//! (with the failure e-mail queued when it failed), give the lease up and plan the next
//! automatic run, then send the e-mail. Shared by manual runs (API, CLI) and the scheduler.
//! Once started, a run goes on in a task of its own: whoever asked may wait for it or not.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tixbridge_domain::{FunctionId, RunId};
use tixbridge_mail::Mailer;
use tixbridge_store::Db;
use tixbridge_vault::ServerKey;

use crate::client::WalletClient;
use crate::config::{Interface, InterfaceError, WalletHosts, check_url, load_interface};
use crate::dump::CallDump;
use crate::functions::{FunctionDef, Launch, Settings, load_function, schedule};
use crate::runs::{
    Failure, Lease, RunCtx, RunOptions, RunRecord, RunResult, RunSummary, acquire_lease, discard_run, finish_run,
    now_ms, release_lease, start_run,
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
    /// How long one attempt to hand a failure e-mail to the relay may take
    /// (see [`crate::outbox`]).
    pub mail_timeout: Duration,
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
    /// The run's task ended without an outcome (it panicked); its lease expires and the run
    /// is then recorded as interrupted.
    #[error("the run stopped unexpectedly: {0}")]
    Aborted(String),
}

/// A run that wrote this many records leaves the planner's statistics stale.
const BULK_RUN: u64 = 10_000;

/// A run the engine has started: recorded `RUNNING`, its lease held, going on in the
/// background. It belongs to the server: it finishes whether or not anyone waits for it.
pub struct StartedRun {
    pub run_id: RunId,
    pub function_id: FunctionId,
    task: tokio::task::JoinHandle<Result<RunSummary, RunError>>,
}

impl StartedRun {
    /// Waits for the run's end. Dropping this future stops the waiting, never the run.
    pub async fn finished(self) -> Result<RunSummary, RunError> {
        self.task.await.map_err(|e| RunError::Aborted(e.to_string()))?
    }
}

impl Engine {
    pub fn lease_ttl_ms(&self) -> i64 {
        i64::try_from(self.lease_ttl.as_millis()).unwrap_or(crate::runs::LEASE_TTL_MS)
    }

    /// A run asked for by an operator. `allow_file_upload` says whether the caller may hand
    /// the run a file to process as if the wallet had returned it — a file writes wallet
    /// outcomes onto tickets, so only admins may.
    pub async fn start_manual(
        &self,
        function_id: FunctionId,
        options: RunOptions,
        allow_file_upload: bool,
    ) -> Result<StartedRun, RunError> {
        if options.file.is_some() && !allow_file_upload {
            return Err(RunError::FileUploadForbidden);
        }
        self.start(function_id, options).await
    }

    /// [`Engine::start_manual`], then waits for the run's end.
    pub async fn run_manual(
        &self,
        function_id: FunctionId,
        options: RunOptions,
        allow_file_upload: bool,
    ) -> Result<RunSummary, RunError> {
        self.start_manual(function_id, options, allow_file_upload).await?.finished().await
    }

    /// Runs `function_id` now, unless it is already running, and waits for its end.
    pub async fn run(&self, function_id: FunctionId, options: RunOptions) -> Result<RunSummary, RunError> {
        self.start(function_id, options).await?.finished().await
    }

    /// Takes the function's lease, records a `RUNNING` run and goes on with it in a task of
    /// its own, so that the run ends (recorded, lease given up, e-mail queued) whatever
    /// becomes of whoever asked for it — even one that goes away while it starts.
    pub async fn start(&self, function_id: FunctionId, options: RunOptions) -> Result<StartedRun, RunError> {
        let engine = self.clone();
        tokio::spawn(async move { engine.begin(function_id, options).await })
            .await
            .map_err(|e| RunError::Aborted(e.to_string()))?
    }

    async fn begin(&self, typed_id: FunctionId, options: RunOptions) -> Result<StartedRun, RunError> {
        let function_id = typed_id.get();
        let function = load_function(&self.db, function_id).await?;
        if !function.active {
            return Err(RunError::Inactive(typed_id));
        }
        if options.simulate && !matches!(&function.settings, Settings::Injection(_) | Settings::Privileges(_)) {
            return Err(RunError::Interface(crate::config::InterfaceError::Invalid(crate::config::ConfigError {
                field: "simulate".into(),
                rule: format!("only injection and privileges runs can be simulated, not {}", function.kind.as_str()),
            })));
        }
        if !acquire_lease(&self.db, function_id, &self.worker_id, now_ms(), self.lease_ttl_ms()).await? {
            return Err(RunError::Busy(typed_id));
        }
        let started = now_ms();
        let begun = match load_interface(&self.db, &self.key, function.interface_id).await {
            Ok(interface) => {
                let simulation = matches!(&function.settings, Settings::Injection(s) if s.simulation || options.simulate)
                    || matches!(&function.settings, Settings::Privileges(s) if s.simulation || options.simulate);
                match start_run(&self.db, function.id, simulation, now_ms()).await {
                    Ok(run) => Ok((interface, run)),
                    Err(err) => Err(RunError::from(err)),
                }
            }
            Err(err) => Err(RunError::from(err)),
        };
        let (interface, run) = match begun {
            Ok(begun) => begun,
            Err(err) => {
                self.give_lease_up(&function, started, true).await?;
                return Err(err);
            }
        };
        let run_id = RunId::new(run.id);
        let engine = self.clone();
        let task = tokio::spawn(async move { engine.complete(function, interface, run, options, started).await });
        Ok(StartedRun { run_id, function_id: typed_id, task })
    }

    /// The rest of a started run: the work, the record, the lease given up, then the
    /// failure e-mail, so a slow relay holds neither the run nor its function.
    async fn complete(
        self,
        function: FunctionDef,
        interface: Interface,
        run: RunRecord,
        options: RunOptions,
        started: i64,
    ) -> Result<RunSummary, RunError> {
        let outcome = self.run_leased(&function, &interface, run, options).await;
        self.give_lease_up(&function, started, interface.params.stick_to_the_hour).await?;
        let (summary, mail) = outcome?;
        if let Some(mail) = mail
            && let Err(err) = crate::outbox::deliver_one(&self, mail).await
        {
            tracing::warn!(run.id = summary.run_id.get(), error = %err, "failure e-mail left queued");
        }
        if summary.counts.written >= BULK_RUN {
            // a bulk run changed the tables the next selections plan against
            tixbridge_boxoffice::wallet_side::refresh_ticket_statistics(&self.db, &["itf_processed"]).await.ok();
        }
        Ok(summary)
    }

    /// Gives the lease up and plans the next automatic run, whatever the outcome, so a
    /// failing function is retried on its schedule rather than at every scheduler tick.
    async fn give_lease_up(&self, function: &FunctionDef, started: i64, stick: bool) -> Result<(), RunError> {
        let ended = now_ms();
        let next = match (function.launch, function.frequency_seconds) {
            (Launch::Automatic, Some(frequency)) => {
                schedule::next_run(frequency * 1000, started, ended, stick, function.end_at).or(Some(i64::MAX))
            }
            _ => None,
        };
        release_lease(&self.db, function.id, &self.worker_id, next).await?;
        Ok(())
    }

    /// Does the run's work and records it; returns its summary and the failure e-mail it
    /// queued, if any.
    async fn run_leased(
        &self,
        function: &FunctionDef,
        interface: &Interface,
        run: RunRecord,
        options: RunOptions,
    ) -> Result<(RunSummary, Option<i64>), RunError> {
        let simulation = run.simulation;
        let dump = CallDump::new(interface.params.max_length_dumped_calls_in_kbs);
        let client = self.wallet_client(interface, dump.clone());
        let lease = Lease { worker_id: &self.worker_id, ttl_ms: self.lease_ttl_ms() };
        let mut ctx = RunCtx {
            db: self.db.clone(),
            dump_dir: &self.dump_dir,
            lease,
            interface,
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
                discard_run(&self.db, &ctx.run).await?;
                return Err(RunError::FileRefused(why));
            }
            Some(Failure::NotFound { field, message }) => {
                discard_run(&self.db, &ctx.run).await?;
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
        let idle = function.launch == Launch::Continuous && failure.is_none() && ctx.run.counts.selected == 0;
        let mut mail = None;
        if idle {
            discard_run(&self.db, &ctx.run).await?;
        } else {
            let notice = (result == RunResult::Error)
                .then(|| {
                    crate::notify::failure_notice(
                        &interface.notification_emails,
                        &failed_run(&summary, interface, function, &ctx.run),
                    )
                })
                .flatten();
            let finished =
                finish_run(&self.db, &ctx.run, result, summary.cause.as_deref(), dump_text, ended, notice.as_ref())
                    .await?;
            if !finished.recorded {
                tracing::warn!(
                    run.id = ctx.run.id,
                    "run ended after another process had recorded it as interrupted; that record stands"
                );
            }
            mail = finished.mail;
        }
        if !idle {
            record_metrics(&self.db, function.kind.as_str(), result, &ctx.run.counts);
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
        Ok((summary, mail))
    }
}

/// Counts a recorded run in the process's metrics (docs/observability.md).
fn record_metrics(db: &tixbridge_store::Db, kind: &str, result: RunResult, counts: &crate::runs::Counts) {
    let metrics = db.metrics();
    let tickets = tixbridge_store::metrics::RunTickets {
        selected: counts.selected,
        sent: counts.sent,
        accepted: counts.accepted,
        rejected: counts.rejected,
        skipped: counts.skipped,
    };
    metrics.run_finished(kind, result.as_str(), tickets);
    if let Some(reconcile) = &counts.reconcile {
        record_reconcile(db, reconcile);
    }
}

/// Counts a reconcile's tickets checked and differences by class, run or check alone.
pub(crate) fn record_reconcile(db: &tixbridge_store::Db, counts: &crate::runs::ReconcileCounts) {
    let classes: Vec<(&str, u64)> = counts.differences.iter().map(|(class, n)| (class.as_str(), *n)).collect();
    db.metrics().reconcile(counts.tickets_checked, &classes);
}

/// What the failure e-mail says about the run `summary` describes.
fn failed_run<'a>(
    summary: &'a RunSummary,
    interface: &'a Interface,
    function: &'a FunctionDef,
    run: &'a RunRecord,
) -> crate::notify::FailedRun<'a> {
    crate::notify::FailedRun {
        interface_id: interface.id,
        interface_name: &interface.name,
        function_id: function.id,
        function_name: &function.name,
        kind: function.kind.as_str(),
        run_id: run.id,
        started_at: &summary.started_at,
        ended_at: &summary.ended_at,
        cause: summary.cause.as_deref().unwrap_or("-"),
        counts: &summary.counts,
        problems: &run.log,
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
            self.db.metrics().clone(),
        )
    }
}

fn rfc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default()
}
