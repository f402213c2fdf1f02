//! The interface's record of tickets the wallet held that the box office never sold, once a
//! reconcile deleted them there (or found them deleted): the box office then believes the
//! wallet holds them deleted, and the next reconcile finds nothing to say about them.

use tixbridge_store::{Db, sql};

/// A foreign ticket as the wallet holds it once deleted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ForeignTicket {
    pub ticket_ref: String,
    pub event_id: String,
    pub reason: Option<String>,
    pub show_deleted_ticket: bool,
}

/// The foreign tickets of `interface_id` (of `event`, if any).
pub(super) async fn load(db: &Db, interface_id: i64, event: Option<&str>) -> Result<Vec<ForeignTicket>, sqlx::Error> {
    let mut q = sql("SELECT ticket_ref, event_id, reason, show_deleted_ticket FROM itf_wallet_foreign
         WHERE interface_id = ");
    q.push_bind(interface_id);
    if let Some(event) = event {
        q.push(" AND event_id = ").push_bind(event);
    }
    q.fetch_all(&mut db.reader().await?).await
}

/// Records `tickets` (replacing what was recorded about them) and forgets `gone`, in one
/// transaction.
pub(super) async fn store(
    db: &Db,
    interface_id: i64,
    run_id: i64,
    tickets: &[ForeignTicket],
    gone: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    if tickets.is_empty() && gone.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    for chunk in tickets.chunks(1_000) {
        let mut insert = sql("INSERT INTO itf_wallet_foreign
             (interface_id, ticket_ref, event_id, reason, show_deleted_ticket, run_id, recorded_at) ");
        insert.push_values(chunk, |row, t| {
            row.bind(interface_id)
                .bind(t.ticket_ref.as_str())
                .bind(t.event_id.as_str())
                .bind(t.reason.as_deref())
                .bind(t.show_deleted_ticket)
                .bind(run_id)
                .bind(now);
        });
        insert.push(
            " ON CONFLICT (interface_id, ticket_ref) DO UPDATE SET event_id = excluded.event_id,
              reason = excluded.reason, show_deleted_ticket = excluded.show_deleted_ticket,
              run_id = excluded.run_id, recorded_at = excluded.recorded_at",
        );
        insert.execute(&mut tx).await?;
    }
    for chunk in gone.chunks(1_000) {
        let mut delete = sql("DELETE FROM itf_wallet_foreign WHERE interface_id = ");
        delete.push_bind(interface_id).push(" AND ticket_ref IN ").push_list(chunk.iter().map(String::as_str));
        delete.execute(&mut tx).await?;
    }
    tx.commit().await
}
