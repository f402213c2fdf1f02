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
/// How far back "recent" reaches: comfortably past a gather window and a slow run.
const RECENT: Duration = Duration::from_secs(120);

/// Runs `function_id` until it finds no work; returns whether the last run failed. With
/// `recent_only`, pushes look at tickets changed within [`RECENT`] only.
pub async fn drain(engine: &Engine, function_id: i64, recent_only: bool) -> bool {
    loop {
        let changed_since = recent_only.then(|| crate::runs::now_ms() - RECENT.as_millis() as i64);
        match engine
            .run(tixbridge_domain::FunctionId::new(function_id), RunOptions { changed_since, ..Default::default() })
            .await
        {
            Ok(summary) if summary.result == crate::runs::RunResult::Error => return true,
            Ok(summary) if summary.counts.selected > 0 => continue,
            Ok(_) | Err(RunError::Busy(_)) | Err(RunError::Inactive(_)) => return false,
            Err(err) => {
                tracing::warn!(function.id = function_id, error = %err, "continuous run could not start");
                return true;
            }
        }
    }
}

async fn worker(engine: Engine, function_id: i64) {
    let mut changes = engine.db.changes().subscribe();
    let mut backoff = Duration::ZERO;
    let mut last_full: Option<std::time::Instant> = None;
    loop {
        let full = last_full.is_none_or(|at| at.elapsed() >= FULL_RUN_INTERVAL) || !backoff.is_zero();
        if full {
            last_full = Some(std::time::Instant::now());
        }
        if drain(&engine, function_id, !full).await {
            backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
            tokio::time::sleep(backoff).await;
            continue;
        }
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
