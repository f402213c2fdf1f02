//! What a reconcile reads of the box office (docs/interface.md#reconcile): the tickets of the
//! organization's catalog that may be in the wallet — any but those never printed, unless
//! feedback has seen them there — with what the expected state is made of: the box-office
//! status and reason, the barcode, and the wallet status feedback last reported. Which of them
//! the interface sent is the interface's own record, which it joins itself.

use tixbridge_store::packed::{self, Packed, PackedRead, PackedRow};
use tixbridge_store::{Conn, sql};

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

/// One ticket that may be in the wallet.
#[derive(Debug, Clone)]
pub struct CatalogTicket {
    pub id: i64,
    pub status: String,
    pub barcode: String,
    pub invalidation_reason: Option<String>,
    pub status_changed_at: i64,
    /// The wallet status feedback last reported.
    pub mobile_status: Option<String>,
}

/// The columns of a [`CatalogTicket`], in its fields' order.
const COLUMNS: [&str; 6] = ["id", "status", "barcode", "invalidation_reason", "status_changed_at", "mobile_status"];

impl CatalogTicket {
    fn of(row: PackedRow<'_>) -> Result<Self, sqlx::Error> {
        let number =
            |k: usize| row.int(k).ok_or_else(|| sqlx::Error::Decode(format!("bo_tickets.{}", COLUMNS[k]).into()));
        Ok(Self {
            id: number(0)?,
            status: row.get(1).to_owned(),
            barcode: row.get(2).to_owned(),
            invalidation_reason: row.optional(3).map(str::to_owned),
            status_changed_at: number(4)?,
            mobile_status: row.optional(5).map(str::to_owned),
        })
    }
}

/// The tickets of organization `organization_id`'s catalog in `scope` that were printed or
/// that feedback has seen, in no order: one pass over the tickets (a reconcile compares them
/// all at once, then bisects in memory), the catalog's products listed rather than joined,
/// read packed (docs/interface.md#reconcile) — a performance's along its index, the others in
/// windows of the ticket id.
pub async fn catalog_tickets(
    conn: &mut impl Conn,
    organization_id: i64,
    scope: EventScope,
) -> Result<Vec<CatalogTicket>, sqlx::Error> {
    let products: Vec<i64> =
        sql("SELECT id FROM bo_products WHERE organization_id = $1").bind(organization_id).scalars(conn).await?;
    let products: Vec<i64> = match scope {
        EventScope::UndatedProduct(id) => products.into_iter().filter(|p| *p == id).collect(),
        _ => products,
    };
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let mut filter = sql("WHERE (status <> 'NOT_PRINTED' OR mobile_status IS NOT NULL) AND product_id IN ");
    filter.push_list(products);
    match scope {
        EventScope::All => {}
        EventScope::Performance(id) => {
            filter.push(" AND performance_id = ").push_bind(id);
        }
        EventScope::UndatedProduct(_) => {
            filter.push(" AND performance_id IS NULL");
        }
    }
    let read = PackedRead { table: "bo_tickets", columns: &COLUMNS, filter, key: "id" };
    let windows = match scope {
        EventScope::Performance(_) => vec![packed::fetch(conn, &read).await?],
        _ => packed::fetch_windows(conn, &read, packed::WINDOW_ROWS).await?,
    };
    let mut tickets = Vec::with_capacity(windows.iter().map(Packed::len).sum());
    for window in &windows {
        for row in window.rows() {
            tickets.push(CatalogTicket::of(row)?);
        }
    }
    Ok(tickets)
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
