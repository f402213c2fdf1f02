//! The per-function lease: `UPDATE … WHERE lease is free or expired RETURNING`, atomic on
//! both backends, so two workers (threads or processes) never run one function at once.

use tixbridge_store::{Db, sql};

/// How long a lease lasts without renewal by default; a long run renews it between wallet
/// calls, so this bounds how long a crashed worker blocks its function.
pub const LEASE_TTL_MS: i64 = 60_000;

/// Takes the lease of `function_id` for `owner`, or returns false when someone holds it.
/// Taking over an expired lease records the runs its holder left `RUNNING` as interrupted
/// (and queues their e-mails), unless another process noticed first.
pub async fn acquire_lease(db: &Db, function_id: i64, owner: &str, now: i64, ttl_ms: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let taken: Option<i64> = sql("UPDATE itf_functions SET lease_owner = $1, lease_until = $2
         WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4) RETURNING id")
    .bind(owner)
    .bind(now + ttl_ms)
    .bind(function_id)
    .bind(now)
    .scalar_optional(&mut tx)
    .await?;
    if taken.is_some() {
        super::interrupted::interrupt_runs(&mut tx, &[function_id], now).await?;
    }
    tx.commit().await?;
    let acquired = taken.is_some();
    Ok(acquired)
}

/// Extends a held lease; false when it was lost (expired and taken by another worker).
pub async fn renew_lease(db: &Db, function_id: i64, owner: &str, now: i64, ttl_ms: i64) -> Result<bool, sqlx::Error> {
    let renewed = sql("UPDATE itf_functions SET lease_until = $1 WHERE id = $2 AND lease_owner = $3")
        .bind(now + ttl_ms)
        .bind(function_id)
        .bind(owner)
        .execute(&mut db.writer().await?)
        .await?;
    Ok(renewed == 1)
}

/// Gives the lease up and plans the next automatic run.
pub async fn release_lease(
    db: &Db,
    function_id: i64,
    owner: &str,
    next_run_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sql("UPDATE itf_functions SET lease_owner = NULL, lease_until = NULL, next_run_at = COALESCE($1, next_run_at)
         WHERE id = $2 AND lease_owner = $3")
    .bind(next_run_at)
    .bind(function_id)
    .bind(owner)
    .execute(&mut db.writer().await?)
    .await?;
    Ok(())
}
