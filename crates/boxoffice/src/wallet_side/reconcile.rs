//! What the box office believes the wallet holds, for a reconcile
//! (docs/interface.md#reconcile): the tickets of the organization's catalog that the
//! interface injected or that feedback has seen in the wallet, with what the expected state
//! is made of — the box-office status and reason, the barcode, the wallet status feedback
//! last reported, and (from the interface's records, handed in as expressions) which
//! injection sent the ticket and which push deleted it.

use tixbridge_store::{Conn, sql};

use super::TicketExpr;

/// Which of the organization's tickets a reconcile covers: the wallet event they were
/// injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventScope {
    /// Every ticket.
    All,
    /// The tickets of one performance (wallet event `P` + its id).
    Performance(i64),
    /// The tickets of an undated product (its wallet events are `U` + its id + dates; the
    /// caller tells them apart).
    UndatedProduct(i64),
}

/// What a reconcile selects.
#[derive(Debug, Clone)]
pub struct BelievedFilter {
    pub organization_id: i64,
    pub scope: EventScope,
    /// The interface's injection function that sent the ticket, or NULL.
    pub injected_by: TicketExpr,
    /// For a cancelled or invalidated ticket, the interface's push that deleted it, or NULL.
    pub deleted_by: TicketExpr,
}

/// One ticket the box office believes the wallet holds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BelievedTicket {
    pub id: i64,
    pub status: String,
    pub barcode: String,
    pub invalidation_reason: Option<String>,
    pub status_changed_at: i64,
    /// The wallet status feedback last reported.
    pub mobile_status: Option<String>,
    pub injected_by: Option<i64>,
    pub deleted_by: Option<i64>,
}

/// The tickets of `filter` that were injected or that feedback has seen, in no order. One
/// pass over the organization's tickets: a reconcile compares them all at once, and its
/// bisection then works on them in memory.
pub async fn believed_tickets(
    conn: &mut impl Conn,
    filter: &BelievedFilter,
) -> Result<Vec<BelievedTicket>, sqlx::Error> {
    let (TicketExpr(injected_by), TicketExpr(deleted_by)) = (&filter.injected_by, &filter.deleted_by);
    let mut q = sql(format!(
        "SELECT * FROM (
           SELECT t.id, t.status, t.barcode, t.invalidation_reason, t.status_changed_at, t.mobile_status,
               {injected_by} AS injected_by,
               CASE WHEN t.status IN ('CANCELLED', 'INVALIDATED') THEN {deleted_by} END AS deleted_by
           FROM bo_tickets t CROSS JOIN bo_products p
           WHERE p.id = t.product_id AND p.organization_id = "
    ));
    q.push_bind(filter.organization_id);
    match filter.scope {
        EventScope::All => {}
        EventScope::Performance(id) => {
            q.push(" AND t.performance_id = ").push_bind(id);
        }
        EventScope::UndatedProduct(id) => {
            q.push(" AND t.performance_id IS NULL AND t.product_id = ").push_bind(id);
        }
    }
    q.push(") AS b WHERE b.injected_by IS NOT NULL OR b.mobile_status IS NOT NULL");
    q.fetch_all(conn).await
}

/// Those of `ids` that are box-office tickets, of any organization and in any status: a
/// reconcile never deletes from the wallet a ticket the box office has.
pub async fn existing_tickets(conn: &mut impl Conn, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    let mut known = Vec::new();
    for chunk in ids.chunks(1_000) {
        let mut q = sql("SELECT id FROM bo_tickets WHERE id IN ");
        q.push_list(chunk.iter().copied());
        known.extend(q.scalars::<i64>(conn).await?);
    }
    Ok(known)
}
