//! The scheduler: starts automatic functions when their time comes, and records as
//! interrupted the runs whose process stopped (their lease expired), mailing about them. Each
//! start goes through [`Engine::run`], whose lease makes a function run once at a time even
//! with several processes polling the same database.

use std::time::Duration;

use tixbridge_store::sql;

use crate::engine::{Engine, RunError};
use crate::runs::{RunOptions, now_ms};

/// How often the scheduler looks for due functions.
pub const TICK: Duration = Duration::from_secs(1);

/// Functions due now: automatic, active, within their window, not leased.
pub async fn due_functions(engine: &Engine, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sql("SELECT id FROM itf_functions
         WHERE launch = 'AUTOMATIC' AND active = $1 AND next_run_at <= $2
           AND (start_at IS NULL OR start_at <= $2) AND (end_at IS NULL OR end_at >= $2)
           AND (lease_until IS NULL OR lease_until < $2)
         ORDER BY next_run_at")
    .bind(true)
    .bind(now)
    .scalars(&mut engine.db.reader().await?)
    .await
}

/// Records the runs whose lease expired as interrupted, then starts every due function
/// once; returns the started work (the runs, and the sending of the interrupted runs'
/// e-mails), which callers may await.
pub async fn tick(engine: &Engine) -> Vec<tokio::task::JoinHandle<()>> {
    let mut started = Vec::new();
    match crate::runs::record_interrupted(&engine.db, now_ms()).await {
        Ok(runs) if !runs.is_empty() => {
            let engine = engine.clone();
            started.push(tokio::spawn(async move {
                if let Err(err) = crate::outbox::deliver_queued(&engine, now_ms()).await {
                    tracing::warn!(error = %err, "could not read the failure e-mail outbox");
                }
            }));
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "scheduler could not look for interrupted runs"),
    }
    let due = match due_functions(engine, now_ms()).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "scheduler could not read due functions");
            return started;
        }
    };
    started.extend(due.into_iter().map(|id| {
        let engine = engine.clone();
        tokio::spawn(async move {
            match engine.run(tixbridge_domain::FunctionId::new(id), RunOptions::default()).await {
                Ok(_) | Err(RunError::Busy(_)) => {}
                Err(err) => tracing::warn!(function.id = id, error = %err, "scheduled run could not start"),
            }
        })
    }));
    started
}

/// Runs the scheduler until the returned handle is aborted.
pub fn spawn(engine: Engine) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            tick(&engine).await;
        }
    })
}
