//! Writing and reading run records and their per-ticket log lines.

use serde_json::{Value, json};
use tixbridge_store::{Db, Tx, sql};

use super::{Counts, Phases, RunResult};
use crate::outbox::{Notice, enqueue};

/// A run in progress: its id and the log lines to write when it ends.
pub struct RunRecord {
    pub id: i64,
    pub function_id: i64,
    pub started_at: i64,
    pub simulation: bool,
    pub counts: Counts,
    pub phases: Phases,
    pub log: Vec<(Option<String>, String)>,
    /// Pushes: the pending `dateFrom` this run applied (when it was set), used up if the run
    /// succeeds.
    pub date_from_armed_at: Option<i64>,
}

impl RunRecord {
    /// A line about one ticket (or about the run when `ticket` is None).
    pub fn note(&mut self, ticket: Option<&str>, message: impl Into<String>) {
        self.log.push((ticket.map(str::to_owned), message.into()));
    }
}

pub async fn start_run(db: &Db, function_id: i64, simulation: bool, now: i64) -> Result<RunRecord, sqlx::Error> {
    let id: i64 =
        sql("INSERT INTO itf_runs (function_id, started_at, result, simulation) VALUES ($1, $2, 'RUNNING', $3)
         RETURNING id")
        .bind(function_id)
        .bind(now)
        .bind(simulation)
        .scalar(&mut db.writer().await?)
        .await?;
    Ok(RunRecord {
        id,
        function_id,
        started_at: now,
        simulation,
        counts: Counts::default(),
        phases: Phases::default(),
        log: Vec::new(),
        date_from_armed_at: None,
    })
}

/// How closing a run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    /// False when another process had already recorded the run as interrupted (its lease had
    /// expired): that record stands and nothing was written.
    pub recorded: bool,
    /// The failure e-mail queued with the record, to send once the lease is given up.
    pub mail: Option<i64>,
}

/// Closes the run record with its result, counts, log lines and dump, and queues `notice`
/// (the failure e-mail) in the same transaction, so a failed run is never recorded without
/// its e-mail being owed. A run that ended `OK` or `WARNING` (not a simulation) becomes the
/// function's last successful run, and uses up the `dateFrom` it applied — in the same
/// transaction.
#[allow(clippy::too_many_arguments)]
pub async fn finish_run(
    db: &Db,
    run: &RunRecord,
    result: RunResult,
    cause: Option<&str>,
    dump: Option<String>,
    now: i64,
    notice: Option<&Notice>,
) -> Result<Finished, sqlx::Error> {
    let counts = serde_json::to_string(&run.counts).unwrap_or_default();
    let mut tx = db.begin_write().await?;
    let closed = sql("UPDATE itf_runs SET ended_at = $1, result = $2, counts = $3, cause = $4, dump = $5
         WHERE id = $6 AND result = 'RUNNING'")
    .bind(now)
    .bind(result.as_str())
    .bind(&counts)
    .bind(cause)
    .bind(dump)
    .bind(run.id)
    .execute(&mut tx)
    .await?;
    if closed == 0 {
        tx.rollback().await?;
        return Ok(Finished { recorded: false, mail: None });
    }
    for chunk in run.log.chunks(1_000) {
        let mut insert = sql("INSERT INTO itf_run_log (run_id, ticket_ref, message) ");
        insert.push_values(chunk, |row, (ticket, message)| {
            row.bind(run.id).bind(ticket.as_deref()).bind(message.as_str());
        });
        insert.execute(&mut tx).await?;
    }
    if matches!(result, RunResult::Ok | RunResult::Warning) && !run.simulation {
        record_success(&mut tx, run).await?;
    }
    let mail = match notice {
        Some(notice) => Some(enqueue(&mut tx, run.id, notice, now).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Finished { recorded: true, mail })
}

/// Saves a running run's counts in `tx`, the transaction that commits what they count; false
/// when the run is no longer `RUNNING` (another process recorded it as interrupted), in which
/// case the caller must not commit.
pub async fn save_counts(tx: &mut Tx, run_id: i64, counts: &Counts) -> Result<bool, sqlx::Error> {
    let saved = sql("UPDATE itf_runs SET counts = $1 WHERE id = $2 AND result = 'RUNNING'")
        .bind(serde_json::to_string(counts).unwrap_or_default())
        .bind(run_id)
        .execute(tx)
        .await?;
    Ok(saved == 1)
}

/// Asks running run `run_id` to stop, on behalf of `actor`, at `now` (ms; the first to ask is
/// kept, with when they asked); `false` when the run is not running.
pub async fn request_cancel(db: &Db, run_id: i64, actor: &str, now: i64) -> Result<bool, sqlx::Error> {
    let changed = sql("UPDATE itf_runs SET cancel_requested_by = COALESCE(cancel_requested_by, $1),
         cancel_requested_at = COALESCE(cancel_requested_at, $2)
         WHERE id = $3 AND result = 'RUNNING'")
    .bind(actor)
    .bind(now)
    .bind(run_id)
    .execute(&mut db.writer().await?)
    .await?;
    Ok(changed == 1)
}

/// Who asked run `run_id` to stop, if anyone did.
pub async fn cancel_requested_by(db: &Db, run_id: i64) -> Result<Option<String>, sqlx::Error> {
    let who: Option<Option<String>> = sql("SELECT cancel_requested_by FROM itf_runs WHERE id = $1")
        .bind(run_id)
        .scalar_optional(&mut db.reader().await?)
        .await?;
    Ok(who.flatten())
}

/// Records `run` as its function's last successful run and uses up the `dateFrom` it applied.
async fn record_success(tx: &mut Tx, run: &RunRecord) -> Result<(), sqlx::Error> {
    sql("UPDATE itf_functions SET last_success_at = $1 WHERE id = $2")
        .bind(run.started_at)
        .bind(run.function_id)
        .execute(&mut *tx)
        .await?;
    use_up_date_from(tx, run).await
}

/// When `run` applied the pending `dateFrom`, the recovery is done — unless an operator set
/// another meanwhile (armed later).
async fn use_up_date_from(tx: &mut Tx, run: &RunRecord) -> Result<(), sqlx::Error> {
    if let Some(armed_at) = run.date_from_armed_at {
        sql("UPDATE itf_functions SET date_from_armed_at = NULL WHERE id = $1 AND date_from_armed_at = $2")
            .bind(run.function_id)
            .bind(armed_at)
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// Forgets a continuous run that found no work, so idle polling leaves no trace — but a
/// pending `dateFrom` it applied (and found nothing for) is used up all the same.
pub async fn discard_run(db: &Db, run: &RunRecord) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sql("DELETE FROM itf_runs WHERE id = $1").bind(run.id).execute(&mut tx).await?;
    use_up_date_from(&mut tx, run).await?;
    tx.commit().await
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    function_id: i64,
    started_at: i64,
    ended_at: Option<i64>,
    result: String,
    simulation: bool,
    counts: String,
    cause: Option<String>,
    dump: Option<String>,
    cancel_requested_by: Option<String>,
    cancel_requested_at: Option<i64>,
}

fn rfc(ms: Option<i64>) -> Value {
    ms.and_then(chrono::DateTime::from_timestamp_millis).map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

fn run_json(row: &RunRow) -> Value {
    json!({
        "id": row.id,
        "functionId": row.function_id,
        "startedAt": rfc(Some(row.started_at)),
        "endedAt": rfc(row.ended_at),
        "result": row.result,
        "simulation": row.simulation,
        "counts": serde_json::from_str::<Value>(&row.counts).unwrap_or_default(),
        "cause": row.cause,
        "cancelRequestedBy": row.cancel_requested_by,
        "cancelRequestedAt": rfc(row.cancel_requested_at),
    })
}

const SELECT: &str =
    "SELECT id, function_id, started_at, ended_at, result, simulation, counts, cause, dump, cancel_requested_by,
    cancel_requested_at FROM itf_runs";

/// The function's runs, newest first: `rows` of them older than run `before`.
pub async fn list_runs(db: &Db, function_id: i64, before: Option<i64>, rows: i64) -> Result<Vec<Value>, sqlx::Error> {
    let rows: Vec<RunRow> = sql(format!("{SELECT} WHERE function_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"))
        .bind(function_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(rows)
        .fetch_all(&mut db.reader().await?)
        .await?;
    Ok(rows.iter().map(run_json).collect())
}

/// The most accepted tickets a run's view lists.
const MAX_ACCEPTED_LISTED: i64 = 10_000;

/// One run and, with `include_dumps` (admins only: a dump holds the wallet calls' bodies,
/// spectators' personal data included), its dump. Its log lines are read with [`super::lines::log_lines`].
pub async fn load_run(db: &Db, run_id: i64, include_dumps: bool) -> Result<Option<Value>, sqlx::Error> {
    let mut conn = db.reader().await?;
    let row: Option<RunRow> = sql(format!("{SELECT} WHERE id = $1")).bind(run_id).fetch_optional(&mut conn).await?;
    // the box-office tickets this run's sends were accepted for (a later run that sends one
    // again takes it over)
    let accepted: Vec<(i64,)> = match &row {
        Some(_) => {
            sql("SELECT ticket_id FROM itf_processed WHERE run_id = $1 ORDER BY ticket_id LIMIT $2")
                .bind(run_id)
                .bind(MAX_ACCEPTED_LISTED)
                .fetch_all(&mut conn)
                .await?
        }
        None => Vec::new(),
    };
    Ok(row.map(|row| {
        let mut view = run_json(&row);
        view["accepted"] = accepted.into_iter().map(|(id,)| json!(id)).collect();
        if include_dumps {
            view["dump"] = json!(row.dump);
        }
        view
    }))
}
