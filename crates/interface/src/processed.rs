//! Recording that a function processed tickets — and, for the injection, printing them — in
//! one transaction per wallet call, right after the wallet accepted them, together with the
//! run's counts ([`crate::runs::RunCtx::commit_page`]). A crash between the wallet's answer and
//! this commit only means the next run sends them again, which the wallet answers as "no
//! change": nothing lost, nothing twice.

use tixbridge_boxoffice::wallet_side::TicketCondition;
use tixbridge_boxoffice::wallet_side::printing::print_tickets;
use tixbridge_store::packed::{self, PackedRead};
use tixbridge_store::{Db, Tx, sql};

/// One processed ticket and, for push cancelled, the invalidation reason it was sent with.
pub struct Processed {
    pub ticket_id: i64,
    pub invalidation_reason: Option<String>,
}

/// Whether marking tickets processed also prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Print {
    No,
    /// Print, recording the point of sale (an id of the box office's points of sale) the
    /// printing is done as, when the function names one.
    Yes {
        point_of_sale: Option<i64>,
    },
}

/// Marks `tickets` processed by `function_id` in run `run_id`, in `tx`; with [`Print::Yes`], prints
/// them through the box office (those the state machine lets print: `NOT_PRINTED` →
/// `PRINTED`). Returns how many tickets were printed.
pub async fn mark_processed(
    tx: &mut Tx,
    function_id: i64,
    run_id: i64,
    tickets: &[Processed],
    print: Print,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let mut printed = 0;
    for chunk in tickets.chunks(1_000) {
        if let Print::Yes { point_of_sale } = print {
            let ids: Vec<i64> = chunk.iter().map(|t| t.ticket_id).collect();
            printed += print_tickets(tx, &ids, now, point_of_sale).await?;
        }
        let mut insert =
            sql("INSERT INTO itf_processed (function_id, ticket_id, processed_at, run_id, invalidation_reason) ");
        insert.push_values(chunk, |row, t| {
            row.bind(function_id).bind(t.ticket_id).bind(now).bind(run_id).bind(t.invalidation_reason.as_deref());
        });
        insert.push(
            " ON CONFLICT (function_id, ticket_id) DO UPDATE SET processed_at = excluded.processed_at,
              run_id = excluded.run_id, invalidation_reason = excluded.invalidation_reason",
        );
        insert.execute(tx).await?;
    }
    Ok(printed)
}

/// The box office's selections name the ticket `t`; these conditions on it read the marks.
/// Ids are written as numbers, so each check is one index lookup per ticket.
///
/// Processed by an injection function of interface `interface_id`.
pub fn injected_by_interface(interface_id: i64) -> TicketCondition {
    processed_by_interface(interface_id, "INJECTION")
}

/// Processed by a function of kind `kind` (`INJECTION`, `PRIVILEGES`…) of interface
/// `interface_id`.
pub fn processed_by_interface(interface_id: i64, kind: &'static str) -> TicketCondition {
    TicketCondition(format!(
        "EXISTS (SELECT 1 FROM itf_processed ip JOIN itf_functions f ON f.id = ip.function_id
                 WHERE ip.ticket_id = t.id AND f.interface_id = {interface_id} AND f.kind = '{kind}')"
    ))
}

/// The opposite of `condition`.
pub fn not(TicketCondition(condition): TicketCondition) -> TicketCondition {
    TicketCondition(format!("NOT {condition}"))
}

/// Processed by one of `function_ids` (never, when there is none). Listing the ids rather
/// than joining the functions table kept PostgreSQL from hashing every processed mark for
/// each page.
pub fn processed_by_any(function_ids: &[i64]) -> TicketCondition {
    if function_ids.is_empty() {
        return TicketCondition("1 = 0".to_owned());
    }
    let ids = function_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    TicketCondition(format!(
        "EXISTS (SELECT 1 FROM itf_processed ip
                 WHERE ip.ticket_id = t.id AND ip.function_id IN ({ids}))"
    ))
}

/// Not yet processed by `function_id`; with `same_reason`, processed with the ticket's
/// current invalidation reason counts as processed only.
pub fn not_processed_by(function_id: i64, same_reason: bool) -> TicketCondition {
    let reason =
        if same_reason { " AND me.invalidation_reason IS NOT DISTINCT FROM t.invalidation_reason" } else { "" };
    TicketCondition(format!(
        "NOT EXISTS (SELECT 1 FROM itf_processed me WHERE me.function_id = {function_id}
               AND me.ticket_id = t.id{reason})"
    ))
}

/// For each ticket with an id in `ids` (inclusive) that one of `function_ids` processed, the
/// first (lowest id) of them, sorted by ticket: one packed read of the marks per function
/// (docs/interface.md#reconcile), along its primary key, which a reconcile joins with the box
/// office's tickets in memory.
pub async fn first_processors(
    db: &Db,
    function_ids: &[i64],
    (first, last): (i64, i64),
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if first > last {
        return Ok(Vec::new());
    }
    let mut conn = db.reader().await?;
    let mut marks: Vec<(i64, i64)> = Vec::new();
    for &function in function_ids {
        let mut filter = sql("WHERE function_id = ");
        filter
            .push_bind(function)
            .push(" AND ticket_id >= ")
            .push_bind(first)
            .push(" AND ticket_id <= ")
            .push_bind(last);
        let read = PackedRead { table: "itf_processed", columns: &["ticket_id"], filter, key: "ticket_id" };
        let packed = packed::fetch(&mut conn, &read).await?;
        marks.reserve(packed.len());
        for row in packed.rows() {
            let ticket = row.int(0).ok_or_else(|| sqlx::Error::Decode("itf_processed.ticket_id".into()))?;
            marks.push((ticket, function));
        }
    }
    marks.sort_unstable();
    marks.dedup_by_key(|(ticket, _)| *ticket);
    Ok(marks)
}
