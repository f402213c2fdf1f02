//! Recording that a function processed tickets — and, for the injection, printing them — in
//! one transaction per wallet call, right after the wallet accepted them. A crash between the
//! wallet's answer and this commit only means the next run sends them again, which the wallet
//! answers as "no change": nothing lost, nothing twice.

use tixbridge_store::{Db, on_writer};

/// One processed ticket and, for push cancelled, the invalidation reason it was sent with.
pub struct Processed {
    pub ticket_id: i64,
    pub invalidation_reason: Option<String>,
}

/// Marks `tickets` processed by `function_id` in run `run_id`; with `print`, turns those still
/// `NOT_PRINTED` into `PRINTED`. Returns how many tickets were printed.
pub async fn mark_processed(
    db: &Db,
    function_id: i64,
    run_id: i64,
    tickets: &[Processed],
    print: bool,
    now: i64,
) -> Result<u64, sqlx::Error> {
    if tickets.is_empty() {
        return Ok(0);
    }
    let printed = on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let mut printed = 0;
        for chunk in tickets.chunks(1_000) {
            if print {
                let mut update =
                    sqlx::QueryBuilder::new("UPDATE bo_tickets SET status = 'PRINTED', status_changed_at = ");
                update.push_bind(now).push(" WHERE status = 'NOT_PRINTED' AND id IN (");
                let mut list = update.separated(", ");
                for t in chunk {
                    list.push_bind(t.ticket_id);
                }
                update.push(")");
                printed += update.build().execute(&mut *tx).await?.rows_affected();
            }
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO itf_processed (function_id, ticket_id, processed_at, run_id, invalidation_reason) ",
            );
            insert.push_values(chunk, |mut row, t| {
                row.push_bind(function_id)
                    .push_bind(t.ticket_id)
                    .push_bind(now)
                    .push_bind(run_id)
                    .push_bind(t.invalidation_reason.as_deref());
            });
            insert.push(
                " ON CONFLICT (function_id, ticket_id) DO UPDATE SET processed_at = excluded.processed_at,
                  run_id = excluded.run_id, invalidation_reason = excluded.invalidation_reason",
            );
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        printed
    });
    Ok(printed)
}
