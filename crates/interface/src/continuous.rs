//! `CONTINUOUS` functions: run as soon as there is work. A worker per function waits for a
//! change signal (committed in the change's own transaction: `pg_notify` on PostgreSQL, the
//! in-process counter on SQLite), gathers what arrives in a short window into one batch, and
//! runs until nothing is left; a poll every few seconds is the fallback. Runs go through
//! [`Engine::run`], so every rule of docs/interface.md#runs holds, and the lease keeps one
//! run per function across processes.

use std::collections::HashMap;
use std::time::Duration;

use tixbridge_store::sql;

use crate::engine::{Engine, RunError};
use crate::runs::RunOptions;

/// How long a worker gathers changes after a wake-up before running.
pub const GATHER_WINDOW: Duration = Duration::from_millis(25);
/// The polling fallback, for changes made by processes that cannot signal this one.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How often the supervisor looks for continuous functions added, removed or paused.
const RELOAD_INTERVAL: Duration = Duration::from_secs(5);
/// The longest pause after failed runs, so a wallet outage is not hammered (nor mailed about
/// at every change).
const MAX_BACKOFF: Duration = Duration::from_secs(60);

async fn continuous_functions(engine: &Engine) -> Result<Vec<i64>, sqlx::Error> {
    sql("SELECT id FROM itf_functions WHERE launch = 'CONTINUOUS' AND active = $1 ORDER BY id")
        .bind(true)
        .scalars(&mut engine.db.reader().await?)
        .await
}

/// How often a continuous worker runs over every ticket rather than the recent changes only,
/// so a ticket that failed (or changed while no worker ran) is still picked up.
const FULL_RUN_INTERVAL: Duration = Duration::from_secs(60);
/// How far before the start of the worker's previous run "recent" reaches. A change signals
/// when it commits, so one stamped before that run started but committed after is still
/// found when its transaction took less than this; anything older waits for the full run.
/// Looking back a fixed two minutes instead made every run at 10,000 scans a minute check
/// 20,000 tickets already pushed.
const OVERLAP: Duration = Duration::from_secs(10);

/// Runs `function_id` until it finds no work. With `since` (ms), pushes look only at tickets
/// changed at or after it. Returns whether the last run failed and, when none did, the time
/// the last run started: every change committed before then was seen.
pub async fn drain(engine: &Engine, function_id: i64, mut since: Option<i64>) -> (bool, Option<i64>) {
    loop {
        let started = crate::runs::now_ms();
        match engine
            .run(
                tixbridge_domain::FunctionId::new(function_id),
                RunOptions { changed_since: since, ..Default::default() },
            )
            .await
        {
            Ok(summary) if summary.result == crate::runs::RunResult::Error => return (true, None),
            Ok(summary) if summary.counts.selected > 0 => {
                // a run that did not spend its batch saw every change made before it started:
                // the next looks at what changed since, even after a full run, which under a
                // steady stream of scans would otherwise be followed by full runs until one
                // found nothing (30 s of 45 ms runs at 10,000 scans a minute)
                if since.is_some() || !spent_its_batch(engine, function_id, summary.counts.selected).await {
                    since = Some(started - OVERLAP.as_millis() as i64);
                }
            }
            Ok(_) => return (false, Some(started)),
            Err(RunError::Busy(_)) | Err(RunError::Inactive(_)) => return (false, None),
            Err(err) => {
                tracing::warn!(function.id = function_id, error = %err, "continuous run could not start");
                return (true, None);
            }
        }
    }
}

/// Whether a run that selected `selected` tickets stopped at its function's `batchSize`, so
/// that tickets may be left over from before it started.
async fn spent_its_batch(engine: &Engine, function_id: i64, selected: u64) -> bool {
    match crate::functions::load_function(&engine.db, function_id).await {
        Ok(function) => selected >= function.settings.batch_size() as u64,
        // unknown: look at every ticket again
        Err(_) => true,
    }
}

async fn worker(engine: Engine, function_id: i64) {
    let mut changes = engine.db.changes().subscribe();
    let mut backoff = Duration::ZERO;
    let mut last_full: Option<std::time::Instant> = None;
    // when the last run that found nothing left started (ms): the next look starts before it
    let mut seen_until: Option<i64> = None;
    loop {
        let full = last_full.is_none_or(|at| at.elapsed() >= FULL_RUN_INTERVAL) || !backoff.is_zero();
        if full {
            last_full = Some(std::time::Instant::now());
        }
        // never further back than two full-run intervals: while another process holds the
        // lease this worker's own mark grows old, and the full runs cover what is older
        let oldest = crate::runs::now_ms() - 2 * FULL_RUN_INTERVAL.as_millis() as i64;
        let since = if full { None } else { seen_until.map(|at| (at - OVERLAP.as_millis() as i64).max(oldest)) };
        let (failed, started) = drain(&engine, function_id, since).await;
        if failed {
            backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
            tokio::time::sleep(backoff).await;
            continue;
        }
        seen_until = started.or(seen_until);
        backoff = Duration::ZERO;
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                tokio::time::sleep(GATHER_WINDOW).await;
                changes.borrow_and_update();
            }
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

/// Keeps one worker per active continuous function until aborted.
pub fn spawn(engine: Engine) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut workers: HashMap<i64, tokio::task::JoinHandle<()>> = HashMap::new();
        loop {
            match continuous_functions(&engine).await {
                Ok(ids) => {
                    workers.retain(|id, handle| {
                        let keep = ids.contains(id) && !handle.is_finished();
                        if !keep {
                            handle.abort();
                        }
                        keep
                    });
                    for id in ids {
                        workers.entry(id).or_insert_with(|| tokio::spawn(worker(engine.clone(), id)));
                    }
                }
                Err(err) => tracing::warn!(error = %err, "could not list continuous functions"),
            }
            tokio::time::sleep(RELOAD_INTERVAL).await;
        }
    })
}
