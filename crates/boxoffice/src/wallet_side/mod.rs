//! What the wallet interface reads and writes in the box office, as library functions: it
//! owns no `bo_*` table, so every statement on them lives here. Each function takes the
//! caller's connection or transaction (`&mut Tx`), so a wallet page stays one transaction:
//! selecting a page of tickets to inject or push, printing the tickets the wallet accepted,
//! applying a page of the wallet's feed (mobile status, history, contacts), the catalog
//! rows a payload names, and what a reconcile believes the wallet holds.
//!
//! Where a selection depends on the interface's own records (what it already processed), the
//! interface hands in a [`TicketCondition`], so the selection stays one statement and the
//! interface's tables stay named in the interface only.

pub mod contacts_mirror;
pub mod controls;
pub mod feedback;
pub mod injection_catalog;
pub mod injection_selection;
pub mod organizations;
pub mod printing;
pub mod privilege_selection;
pub mod push_selection;
pub mod reconcile;
pub mod tallies;

use tixbridge_store::{Conn, Db, StoreError, sql};

/// A condition on the selected ticket, aliased `t`, that its caller owns — e.g. "processed
/// by one of this interface's injection functions", an `EXISTS` over the interface's tables
/// on `t.id`. It is written into the selection as is, so it carries no placeholders: the ids
/// it names are written as numbers.
#[derive(Debug, Clone)]
pub struct TicketCondition(pub String);

impl TicketCondition {
    /// This condition, or the away export listed the ticket: the tickets that reached the
    /// wallet through the interface's injection or the away club's CSV
    /// (docs/interface.md#away-fans).
    pub fn or_away_exported(&self) -> TicketCondition {
        TicketCondition(format!("(t.away_export_id IS NOT NULL OR {})", self.0))
    }
}

/// The highest ticket id now: the end of the id windows a run pages through.
pub async fn max_ticket_id(conn: &mut impl Conn) -> Result<i64, sqlx::Error> {
    sql("SELECT COALESCE(MAX(id), 0) FROM bo_tickets").scalar(conn).await
}

/// Refreshes the planner statistics of the tickets table together with `with` (the caller's
/// tables) in one pass, after a run that wrote many rows: the next selections plan against
/// them.
pub async fn refresh_ticket_statistics(db: &Db, with: &[&str]) -> Result<(), StoreError> {
    let mut tables = vec!["bo_tickets"];
    tables.extend_from_slice(with);
    db.refresh_statistics(&tables).await
}
