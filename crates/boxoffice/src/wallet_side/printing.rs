//! Printing the tickets the wallet accepted (external printing): `NOT_PRINTED` → `PRINTED`,
//! decided by [`TicketStatus::transition`] like every other move, in the caller's transaction.

use std::collections::BTreeMap;

use tixbridge_domain::{TicketAction, TicketStatus};
use tixbridge_store::{Tx, sql};

/// The most ids one statement lists.
const CHUNK: usize = 1_000;

/// Prints `ids` inside `tx`: loads their statuses (locking the rows on PostgreSQL), asks the
/// state machine, and writes each resulting status in one statement per chunk. A ticket the
/// machine refuses to print — already printed (a forced ticket sent again), controlled,
/// cancelled or invalidated meanwhile — is left as it is: the wallet holding it changes
/// nothing in the box office. Returns how many tickets were printed.
pub async fn print_tickets(tx: &mut Tx, ids: &[i64], now: i64) -> Result<u64, sqlx::Error> {
    let mut printed = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut select = sql("SELECT id, status FROM bo_tickets WHERE id IN ");
        select.push_list(chunk.iter().copied()).push(tx.backend().for_update());
        let current: Vec<(i64, String)> = select.fetch_all(tx).await?;
        let mut moves: BTreeMap<(&'static str, &'static str), Vec<i64>> = BTreeMap::new();
        for (id, status) in current {
            let from = status.parse::<TicketStatus>().map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
            if let Ok(next) = from.transition(&TicketAction::Print) {
                moves.entry((from.as_str(), next.as_str())).or_default().push(id);
            }
        }
        // one statement per move (printing has one: NOT_PRINTED → PRINTED); the status
        // guard keeps the write exactly the move the machine allowed
        for ((from, next), ids) in moves {
            let mut update = sql("UPDATE bo_tickets SET status = ");
            update.push_bind(next).push(", status_changed_at = ").push_bind(now);
            update.push(" WHERE status = ").push_bind(from).push(" AND id IN ").push_list(ids);
            printed += update.execute(tx).await?;
        }
    }
    Ok(printed)
}
