//! Runs whose process stopped. A run holds its function's lease, renewed between wallet
//! calls; once the lease has expired, the first process to notice — the scheduler's tick of
//! any process, or a worker taking the lease over — records the run as interrupted, with the
//! counts it saved at its last committed page, and queues one failure e-mail, in the
//! transaction that takes the lease away: two processes noticing at once record and mail it
//! once.

use tixbridge_store::{Db, Tx, sql};

use super::Counts;
use crate::notify::{FailedRun, failure_notice};
use crate::outbox::enqueue;

/// The cause recorded on an interrupted run.
pub const INTERRUPTED: &str = "interrupted: the process running it stopped (its lease expired)";

/// Takes away the leases that expired before `now` and records the runs they held as
/// interrupted; returns those runs.
pub async fn record_interrupted(db: &Db, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    let expired: Vec<i64> = sql("SELECT id FROM itf_functions WHERE lease_owner IS NOT NULL AND lease_until < $1")
        .bind(now)
        .scalars(&mut db.reader().await?)
        .await?;
    if expired.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_write().await?;
    // the conditions again: a process that noticed at the same time finds the lease taken
    let mut take = sql("UPDATE itf_functions SET lease_owner = NULL, lease_until = NULL
         WHERE lease_owner IS NOT NULL AND lease_until < $1 AND id IN ")
    .bind(now);
    take.push_list(expired);
    take.push(" RETURNING id");
    let taken: Vec<i64> = take.scalars(&mut tx).await?;
    let runs = interrupt_runs(&mut tx, &taken, now).await?;
    tx.commit().await?;
    for run in &runs {
        tracing::warn!(run.id = run, "run recorded as interrupted: the process running it stopped");
    }
    Ok(runs)
}

#[derive(sqlx::FromRow)]
struct Interrupted {
    run_id: i64,
    started_at: i64,
    counts: String,
    function_id: i64,
    function_name: String,
    kind: String,
    interface_id: i64,
    interface_name: String,
    notification_emails: String,
}

/// Records the runs of `function_ids` still `RUNNING` as interrupted and queues their
/// failure e-mails, in `tx`, whose caller has just taken the functions' expired leases.
pub(super) async fn interrupt_runs(tx: &mut Tx, function_ids: &[i64], now: i64) -> Result<Vec<i64>, sqlx::Error> {
    if function_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stop = sql(
        "UPDATE itf_runs SET result = 'ERROR', ended_at = $1, cause = $2 WHERE result = 'RUNNING' AND function_id IN ",
    )
    .bind(now)
    .bind(INTERRUPTED);
    stop.push_list(function_ids.iter().copied());
    stop.push(" RETURNING id");
    let runs: Vec<i64> = stop.scalars(&mut *tx).await?;
    if runs.is_empty() {
        return Ok(runs);
    }
    let mut about =
        sql("SELECT r.id AS run_id, r.started_at, r.counts, f.id AS function_id, f.name AS function_name, f.kind,
                i.id AS interface_id, i.name AS interface_name, i.notification_emails
         FROM itf_runs r JOIN itf_functions f ON f.id = r.function_id JOIN itf_interfaces i ON i.id = f.interface_id
         WHERE r.id IN ");
    about.push_list(runs.iter().copied());
    let interrupted: Vec<Interrupted> = about.fetch_all(&mut *tx).await?;
    let ended_at = rfc(now);
    for run in &interrupted {
        let recipients: Vec<String> =
            run.notification_emails.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect();
        let counts: Counts = serde_json::from_str(&run.counts).unwrap_or_default();
        let failed = FailedRun {
            interface_id: run.interface_id,
            interface_name: &run.interface_name,
            function_id: run.function_id,
            function_name: &run.function_name,
            kind: &run.kind,
            run_id: run.run_id,
            started_at: &rfc(run.started_at),
            ended_at: &ended_at,
            cause: INTERRUPTED,
            counts: &counts,
            problems: &[],
        };
        if let Some(notice) = failure_notice(&recipients, &failed) {
            enqueue(tx, run.run_id, &notice, now).await?;
        }
    }
    Ok(runs)
}

fn rfc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default()
}
