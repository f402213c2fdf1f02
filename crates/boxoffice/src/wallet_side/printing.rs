//! Printing the tickets the wallet accepted (external printing): the move is decided by
//! [`TicketStatus::transition`] like every other, and written for a whole page in one
//! statement inside the caller's transaction.

use tixbridge_domain::{TicketAction, TicketStatus};
use tixbridge_store::{Tx, sql};

/// The most ids one statement lists.
const CHUNK: usize = 1_000;

/// Prints `ids` inside `tx`: each ticket takes the status the state machine gives its
/// current status for [`TicketAction::Print`] (`NOT_PRINTED` → `PRINTED`). A ticket the
/// machine refuses to print — already printed (a forced ticket sent again), controlled,
/// cancelled or invalidated meanwhile — is left as it is: the wallet holding it changes
/// nothing in the box office. Returns how many tickets were printed.
///
/// The machine is asked once per status rather than once per loaded ticket: its answer
/// depends on the status alone, and one guarded `UPDATE` per chunk needs no read before the
/// write — no extra round trip on the injection's path, and no read snapshot that a write by
/// another process (on SQLite) would make stale before this transaction writes.
pub async fn print_tickets(tx: &mut Tx, ids: &[i64], now: i64) -> Result<u64, sqlx::Error> {
    let moves: Vec<(TicketStatus, TicketStatus)> = TicketStatus::ALL
        .into_iter()
        .filter_map(|from| from.transition(&TicketAction::Print).ok().map(|to| (from, to)))
        .collect();
    if moves.is_empty() || ids.is_empty() {
        return Ok(0);
    }
    let cases: String = moves.iter().map(|(from, to)| format!(" WHEN '{from}' THEN '{to}'")).collect();
    let froms = moves.iter().map(|(from, _)| format!("'{from}'")).collect::<Vec<_>>().join(", ");
    let mut printed = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut update = sql(format!("UPDATE bo_tickets SET status = CASE status{cases} END, status_changed_at = "));
        update.push_bind(now).push(&format!(" WHERE status IN ({froms}) AND id IN "));
        update.push_list(chunk.iter().copied());
        printed += update.execute(tx).await?;
    }
    Ok(printed)
}
