//! Running CSV injection jobs in the background: the rows go, a batch at a time, through the
//! same `inject::plan` + `inject::store::inject` as `POST …/tickets`, and each batch's results
//! are stored with the job's progress. Injection is idempotent per `ticketId`, so a job resumed
//! after a crash simply carries on (re-running a batch changes nothing).

use std::time::Duration;

use chrono::Utc;
use tixbridge_store::Db;
use tokio::sync::Notify;

use super::file::{self, FileParams};
use super::jobs::{self, COMPLETED, Claim, FAILED, IN_PROGRESS, RowResult};
use super::rows::{PreparedRow, column_reason, prepare};
use crate::inject;
use crate::inject::plan::BatchItem;
use crate::results::{TicketOutcome, TicketResult};

/// Rows per injection call: one transaction each, so other writers get the database in between.
const ROWS_PER_BATCH: usize = 1_000;

/// Woken whenever a job of this process ends, so readers waiting on a job answer at once.
pub(crate) static JOB_ENDED: Notify = Notify::const_new();

fn now_ms() -> i64 {
    crate::millis(Utc::now())
}

/// Runs job `pk`, whose lease the caller holds, in the background.
pub(crate) fn run_in_background(db: Db, pk: i64) {
    tokio::spawn(async move { execute(&db, pk).await });
}

/// Claims job `pk` once and runs it when nobody else holds it (a reader found its lease over).
pub(crate) fn take_over(db: Db, pk: i64) {
    tokio::spawn(async move {
        if let Ok(Claim::Taken) = jobs::claim(&db, pk, now_ms()).await {
            execute(&db, pk).await;
        }
    });
}

/// Resumes every unfinished job: at once when its lease is over, else when it runs out (its
/// worker may be another live process, which keeps renewing it).
pub fn resume_unfinished(db: &Db) {
    let db = db.clone();
    tokio::spawn(async move {
        let pks = match jobs::unfinished(&db).await {
            Ok(pks) => pks,
            Err(err) => return tracing::error!(error = %err, "could not list unfinished CSV injection jobs"),
        };
        for pk in pks {
            let db = db.clone();
            tokio::spawn(async move { watch(&db, pk).await });
        }
    });
}

async fn watch(db: &Db, pk: i64) {
    loop {
        match jobs::claim(db, pk, now_ms()).await {
            Ok(Claim::Taken) => return execute(db, pk).await,
            Ok(Claim::Over) => return,
            Ok(Claim::HeldUntil(until)) => {
                let wait = u64::try_from(until - now_ms()).unwrap_or(0).clamp(100, 60_000);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            Err(err) => return tracing::error!(job.pk = pk, error = %err, "could not claim a CSV injection job"),
        }
    }
}

async fn execute(db: &Db, pk: i64) {
    let started = std::time::Instant::now();
    match run(db, pk).await {
        Ok(Some(job_id)) => {
            tracing::info!(job.id = %job_id, duration_ms = started.elapsed().as_millis() as u64, "CSV injection job ended");
        }
        Ok(None) => {}
        Err(err) => {
            tracing::error!(job.pk = pk, error = %err, "CSV injection job failed");
            if let Err(err) = jobs::finish(db, pk, FAILED, Some("internal error; see the server log"), now_ms()).await {
                tracing::error!(job.pk = pk, error = %err, "could not mark a CSV injection job FAILED");
            }
        }
    }
    JOB_ENDED.notify_waiters();
}

fn row_result(row: &PreparedRow, injected: Option<TicketResult>) -> RowResult {
    let (status, reason) = match (&row.ticket, injected) {
        (Err(reason), _) => (TicketOutcome::Rejected, Some(reason.clone())),
        (Ok(_), Some(result)) => (result.status, result.reason.as_deref().map(column_reason)),
        (Ok(_), None) => (TicketOutcome::Rejected, Some("internal: row was not processed".to_owned())),
    };
    let status = match status {
        TicketOutcome::Accepted => "ACCEPTED",
        TicketOutcome::Rejected => "REJECTED",
    };
    RowResult {
        row_no: i64::try_from(row.line).unwrap_or(i64::MAX),
        ticket_id: row.ticket_id.clone(),
        status: status.to_owned(),
        reason,
    }
}

/// Runs the rest of job `pk`; answers its public id when it ran to its end.
async fn run(db: &Db, pk: i64) -> Result<Option<String>, sqlx::Error> {
    let Some(job) = jobs::load_work(db, pk).await? else { return Ok(None) };
    if job.status != IN_PROGRESS {
        return Ok(None);
    }
    let params: FileParams = serde_json::from_str(&job.params).unwrap_or_default();
    let rows = match file::parse(&job.body, &params.event) {
        Ok((_, rows)) => rows,
        Err(refusal) => {
            jobs::finish(db, pk, FAILED, Some(&refusal.error), now_ms()).await?;
            return Ok(Some(job.job_id));
        }
    };
    let prepared = prepare(&rows, &params);
    let mut next_row = usize::try_from(job.next_row).unwrap_or(0).min(prepared.len());
    for batch in prepared[next_row..].chunks(ROWS_PER_BATCH) {
        let items: Vec<BatchItem> =
            batch.iter().filter_map(|row| row.ticket.as_ref().ok().cloned().map(BatchItem::from_value)).collect();
        let now = Utc::now();
        let injected = if items.is_empty() {
            Vec::new()
        } else {
            inject::store::inject(db, job.organizer_id, inject::plan::plan(items, now), now).await?
        };
        let mut injected = injected.into_iter();
        let results: Vec<RowResult> =
            batch.iter().map(|row| row_result(row, if row.ticket.is_ok() { injected.next() } else { None })).collect();
        next_row += batch.len();
        jobs::save_progress(db, pk, &results, i64::try_from(next_row).unwrap_or(i64::MAX), crate::millis(now)).await?;
    }
    jobs::finish(db, pk, COMPLETED, None, now_ms()).await?;
    Ok(Some(job.job_id))
}
