//! Printing the tickets the wallet accepted (external printing): the move is decided by
//! [`TicketStatus::transition`] like every other, and written for a whole page in one
//! statement inside the caller's transaction, with the print record (when, and as which
//! point of sale).

use tixbridge_domain::{TicketAction, TicketStatus};
use tixbridge_store::{Conn, Tx, sql};

/// The point of sale `pos_code` of sales channel `channel_code` in organization
/// `organization_id`'s catalog, if there is one: printing is done "as" a point of sale.
pub async fn point_of_sale_id(
    conn: &mut impl Conn,
    organization_id: i64,
    channel_code: &str,
    pos_code: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sql("SELECT pos.id FROM bo_points_of_sale pos JOIN bo_sales_channels ch ON ch.id = pos.sales_channel_id
         WHERE ch.organization_id = $1 AND ch.code = $2 AND pos.code = $3")
    .bind(organization_id)
    .bind(channel_code)
    .bind(pos_code)
    .scalar_optional(conn)
    .await
}

/// The most ids one statement lists.
const CHUNK: usize = 1_000;

/// Prints `ids` inside `tx`: each ticket takes the status the state machine gives its
/// current status for [`TicketAction::Print`] (`NOT_PRINTED` → `PRINTED`). A ticket the
/// machine refuses to print — already printed (a forced ticket sent again), controlled,
/// cancelled or invalidated meanwhile — is left as it is: the wallet holding it changes
/// nothing in the box office. A printed ticket records when, and `point_of_sale` (an id of
/// `bo_points_of_sale`) when the printing was done as one. Returns how many tickets were
/// printed.
///
/// The machine is asked once per status rather than once per loaded ticket: its answer
/// depends on the status alone, and one guarded `UPDATE` per chunk needs no read before the
/// write — no extra round trip on the injection's path, and no read snapshot that a write by
/// another process (on SQLite) would make stale before this transaction writes.
pub async fn print_tickets(tx: &mut Tx, ids: &[i64], now: i64, point_of_sale: Option<i64>) -> Result<u64, sqlx::Error> {
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
        update.push_bind(now).push(", printed_at = ").push_bind(now);
        update.push(", printed_point_of_sale_id = ").push_bind(point_of_sale);
        update.push(&format!(" WHERE status IN ({froms}) AND id IN "));
        update.push_list(chunk.iter().copied());
        printed += update.execute(tx).await?;
    }
    Ok(printed)
}
