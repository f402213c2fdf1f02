//! The `wallet_csv_jobs` table: a stored file, its progress and lease, and one result per row.
//! A worker holds a job by its lease and renews it after every batch of rows; an IN_PROGRESS
//! job whose lease ran out lost its worker (crash, restart) and may be claimed again.

use tixbridge_store::{Db, sql};

use super::file::FileParams;

pub(crate) const IN_PROGRESS: &str = "IN_PROGRESS";
pub(crate) const COMPLETED: &str = "COMPLETED";
pub(crate) const FAILED: &str = "FAILED";

/// How long a worker holds a job without renewing: far longer than one batch of rows takes.
pub(crate) const LEASE_MS: i64 = 60_000;

/// A job as its worker needs it.
#[derive(sqlx::FromRow)]
pub(crate) struct WorkJob {
    pub organizer_id: i64,
    pub job_id: String,
    pub status: String,
    pub next_row: i64,
    pub body: String,
    pub params: String,
}

/// A job as the organizer reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct JobView {
    pub id: i64,
    pub job_id: String,
    pub status: String,
    pub total_rows: i64,
    pub next_row: i64,
    pub failure: Option<String>,
    pub lease_until: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// The stored result of one row.
#[derive(sqlx::FromRow)]
pub(crate) struct RowResult {
    pub row_no: i64,
    pub ticket_id: Option<String>,
    pub status: String,
    pub reason: Option<String>,
}

/// What claiming a job found.
pub(crate) enum Claim {
    /// The caller now holds the job's lease.
    Taken,
    /// Another worker holds it until then (ms).
    HeldUntil(i64),
    /// Finished, or gone.
    Over,
}

/// Stores an uploaded file as a new job, held by its creator's lease; returns its row id.
pub(crate) async fn create(
    db: &Db,
    organizer: i64,
    job_id: &str,
    total: usize,
    body: &str,
    params: &FileParams,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let params = serde_json::to_string(params).unwrap_or_default();
    sql("INSERT INTO wallet_csv_jobs (organizer_id, job_id, status, total_rows, next_row, body, params,
             lease_until, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8) RETURNING id")
    .bind(organizer)
    .bind(job_id)
    .bind(IN_PROGRESS)
    .bind(i64::try_from(total).unwrap_or(i64::MAX))
    .bind(body)
    .bind(&params)
    .bind(now + LEASE_MS)
    .bind(now)
    .scalar(&mut db.writer().await?)
    .await
}

/// Takes the lease of job `pk` when it is unfinished and nobody holds it.
pub(crate) async fn claim(db: &Db, pk: i64, now: i64) -> Result<Claim, sqlx::Error> {
    let mut conn = db.writer().await?;
    let taken: Option<i64> = sql("UPDATE wallet_csv_jobs SET lease_until = $1
         WHERE id = $2 AND status = $3 AND (lease_until IS NULL OR lease_until < $4) RETURNING id")
    .bind(now + LEASE_MS)
    .bind(pk)
    .bind(IN_PROGRESS)
    .bind(now)
    .scalar_optional(&mut conn)
    .await?;
    if taken.is_some() {
        return Ok(Claim::Taken);
    }
    let held: Option<(String, Option<i64>)> =
        sql("SELECT status, lease_until FROM wallet_csv_jobs WHERE id = $1").bind(pk).fetch_optional(&mut conn).await?;
    Ok(match held {
        Some((status, Some(until))) if status == IN_PROGRESS => Claim::HeldUntil(until),
        _ => Claim::Over,
    })
}

pub(crate) async fn load_work(db: &Db, pk: i64) -> Result<Option<WorkJob>, sqlx::Error> {
    sql("SELECT organizer_id, job_id, status, next_row, body, params FROM wallet_csv_jobs WHERE id = $1")
        .bind(pk)
        .fetch_optional(&mut db.reader().await?)
        .await
}

/// Records the results of a batch of rows, moves the job past them and renews its lease, in one
/// transaction. A row recorded twice (two workers after a lost lease) keeps the latest answer.
pub(crate) async fn save_progress(
    db: &Db,
    pk: i64,
    rows: &[RowResult],
    next_row: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for chunk in rows.chunks(1_000) {
        let mut insert = sql("INSERT INTO wallet_csv_job_rows (job_pk, row_no, ticket_id, status, reason) ");
        insert.push_values(chunk, |row, r| {
            row.bind(pk).bind(r.row_no).bind(r.ticket_id.as_deref()).bind(r.status.as_str()).bind(r.reason.as_deref());
        });
        insert.push(
            " ON CONFLICT (job_pk, row_no) DO UPDATE SET ticket_id = excluded.ticket_id,
              status = excluded.status, reason = excluded.reason",
        );
        insert.execute(&mut tx).await?;
    }
    sql("UPDATE wallet_csv_jobs SET next_row = $1, lease_until = $2 WHERE id = $3")
        .bind(next_row)
        .bind(now + LEASE_MS)
        .bind(pk)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

/// Ends job `pk` as `status` (COMPLETED or FAILED), releasing its lease.
pub(crate) async fn finish(db: &Db, pk: i64, status: &str, failure: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    sql("UPDATE wallet_csv_jobs SET status = $1, failure = $2, finished_at = $3, lease_until = NULL WHERE id = $4")
        .bind(status)
        .bind(failure)
        .bind(now)
        .bind(pk)
        .execute(&mut db.writer().await?)
        .await
        .map(|_| ())
}

/// Every job not finished yet, whoever holds it.
pub(crate) async fn unfinished(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    sql("SELECT id FROM wallet_csv_jobs WHERE status = $1 ORDER BY id")
        .bind(IN_PROGRESS)
        .scalars(&mut db.reader().await?)
        .await
}

/// Organizer `organizer`'s job `job_id` and its row results so far.
pub(crate) async fn find(
    db: &Db,
    organizer: i64,
    job_id: &str,
) -> Result<Option<(JobView, Vec<RowResult>)>, sqlx::Error> {
    let mut tx = db.begin_read().await?;
    let job: Option<JobView> =
        sql("SELECT id, job_id, status, total_rows, next_row, failure, lease_until, created_at, finished_at
         FROM wallet_csv_jobs WHERE organizer_id = $1 AND job_id = $2")
        .bind(organizer)
        .bind(job_id)
        .fetch_optional(&mut tx)
        .await?;
    let found = match job {
        Some(job) => {
            let rows: Vec<RowResult> = sql(
                "SELECT row_no, ticket_id, status, reason FROM wallet_csv_job_rows WHERE job_pk = $1 ORDER BY row_no",
            )
            .bind(job.id)
            .fetch_all(&mut tx)
            .await?;
            Some((job, rows))
        }
        None => None,
    };
    tx.commit().await?;
    Ok(found)
}
