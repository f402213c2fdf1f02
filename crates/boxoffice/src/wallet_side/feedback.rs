//! Writing a page of the wallet's feed onto box-office tickets, inside the caller's
//! transaction (one per page, with the interface's cursor): finding the tickets the feed names
//! (by id, or an away ticket by the barcode its export gave), the mobile status, owner, holder
//! and transfer counters, the mobile history, and — for history entries seen for the first
//! time — the ownership changes they report.

use std::collections::{HashMap, HashSet};
use tixbridge_domain::{OrganizationId, TicketId};

use tixbridge_store::{Conn, Tx, sql};

use super::TicketCondition;
use super::contacts_mirror::{OwnershipChange, mirror_ownership};

/// The most rows one statement writes or lists.
const CHUNK: usize = 1_000;

/// A ticket the feed names, as found in the box office.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownTicket {
    pub id: i64,
    pub organization_id: i64,
    pub tax_number: Option<String>,
}

/// Those of `ids` that are tickets of `organization_id`'s catalog, by id.
pub async fn known_tickets(
    tx: &mut Tx,
    organization_id: OrganizationId,
    ids: &[i64],
) -> Result<HashMap<i64, KnownTicket>, sqlx::Error> {
    let mut known = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = sql("SELECT t.id, t.organization_id, t.tax_number FROM bo_tickets t
             JOIN bo_products p ON p.id = t.product_id WHERE p.organization_id = ");
        q.push_bind(organization_id).push(" AND t.id IN ").push_list(chunk.iter().copied());
        let rows: Vec<KnownTicket> = q.fetch_all(tx).await?;
        known.extend(rows.into_iter().map(|k| (k.id, k)));
    }
    Ok(known)
}

/// Tickets of `organization_id`'s catalog that the away export listed, by barcode: the away
/// club's CSV reaches the wallet with the barcodes the export gave, but perhaps under ticket
/// ids of the club's own (docs/interface.md#away-fans). Of two tickets with one barcode, the
/// older.
pub async fn exported_by_barcode(
    tx: &mut Tx,
    organization_id: OrganizationId,
    barcodes: &[&str],
) -> Result<HashMap<String, KnownTicket>, sqlx::Error> {
    let mut found: HashMap<String, KnownTicket> = HashMap::new();
    for chunk in barcodes.chunks(CHUNK) {
        let mut q = sql("SELECT t.barcode, t.id, t.organization_id, t.tax_number FROM bo_tickets t
             JOIN bo_products p ON p.id = t.product_id WHERE t.away_export_id IS NOT NULL AND p.organization_id = ");
        q.push_bind(organization_id).push(" AND t.barcode IN ").push_list(chunk.iter().copied());
        q.push(" ORDER BY t.id");
        let rows: Vec<(String, i64, i64, Option<String>)> = q.fetch_all(tx).await?;
        for (barcode, id, organization_id, tax_number) in rows {
            found.entry(barcode).or_insert(KnownTicket { id, organization_id, tax_number });
        }
    }
    Ok(found)
}

/// Records, for each `(ticket, wallet ticket id)`, the id under which the wallet holds the
/// ticket — an away ticket the away club's file named its own way — so the pushes address it
/// there. A ticket the wallet holds under its box-office id keeps none.
pub async fn record_wallet_ticket_ids(tx: &mut Tx, ids: &[(TicketId, String)]) -> Result<(), sqlx::Error> {
    for part in ids.chunks(CHUNK) {
        let mut update = sql("UPDATE bo_tickets SET wallet_ticket_id = v.column2 FROM (");
        update.push_values(part, |row, (id, wallet_id)| {
            row.bind(*id).bind(wallet_id.as_str());
        });
        update.push(") AS v WHERE bo_tickets.id = v.column1");
        update.execute(tx).await?;
    }
    Ok(())
}

/// Those of `ids` that are tickets of `organization_id`'s catalog for which `condition` holds
/// (e.g. injected by the caller), 1,000 ids per statement.
pub async fn organization_tickets_where(
    conn: &mut impl Conn,
    organization_id: OrganizationId,
    ids: &[i64],
    condition: &TicketCondition,
) -> Result<HashSet<i64>, sqlx::Error> {
    let TicketCondition(condition) = condition;
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = sql(format!(
            "SELECT t.id FROM bo_tickets t JOIN bo_products p ON p.id = t.product_id
             WHERE {condition} AND p.organization_id = "
        ));
        q.push_bind(organization_id).push(" AND t.id IN ").push_list(chunk.iter().copied());
        found.extend(q.scalars::<i64>(conn).await?);
    }
    Ok(found)
}

/// What the wallet reports about one ticket.
#[derive(Debug, Clone)]
pub struct WalletState<'a> {
    pub ticket_id: TicketId,
    pub organization_id: OrganizationId,
    pub mobile_status: &'a str,
    /// Lower-cased.
    pub owner_email: Option<String>,
    /// The holder as the wallet gave it (JSON text).
    pub holder: Option<String>,
    pub forward_transfers: i64,
    pub backward_transfers: i64,
    pub history: Vec<MobileEntry>,
}

/// One entry of a ticket's mobile history; the box office keys it by ticket, `at`, status and
/// action, and the wallet repeats a ticket's earlier entries each time it reports it.
#[derive(Debug, Clone)]
pub struct MobileEntry {
    pub at: String,
    pub status: String,
    pub action: String,
    /// The entry's detail (JSON text).
    pub detail: String,
    /// The ownership change the entry reports, if any.
    pub ownership: Option<OwnershipChange>,
}

/// A history entry as the box office keys it: ticket, `at`, status, action.
type EntryKey = (i64, String, String, String);

/// Writes `states` inside `tx`. With `distribute` (contact creation and distribution on),
/// the ownership changes of entries seen for the first time are mirrored on contacts —
/// only those: replaying an old offer would undo the transfer that followed it.
pub async fn apply_wallet_states(
    tx: &mut Tx,
    states: &[WalletState<'_>],
    distribute: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    for part in states.chunks(CHUNK) {
        let mut update = sql("UPDATE bo_tickets SET mobile_status = v.column2, wallet_owner_email = v.column3,
                 wallet_holder = v.column4, forward_transfers = v.column5, backward_transfers = v.column6,
                 wallet_synced_at = v.column7 FROM (");
        update.push_values(part, |row, s| {
            row.bind(s.ticket_id)
                .bind(s.mobile_status)
                .bind(s.owner_email.as_deref())
                .bind(s.holder.as_deref())
                .bind(s.forward_transfers)
                .bind(s.backward_transfers)
                .bind(now);
        });
        update.push(") AS v WHERE bo_tickets.id = v.column1");
        update.execute(tx).await?;
    }
    let mut fresh: HashSet<EntryKey> = HashSet::new();
    let history: Vec<(TicketId, &MobileEntry)> =
        states.iter().flat_map(|s| s.history.iter().map(move |h| (s.ticket_id, h))).collect();
    for part in history.chunks(CHUNK) {
        let mut insert = sql("INSERT INTO bo_ticket_mobile_history (ticket_id, at, status, action, detail) ");
        insert.push_values(part, |row, (id, h)| {
            row.bind(*id).bind(h.at.as_str()).bind(h.status.as_str()).bind(h.action.as_str()).bind(h.detail.as_str());
        });
        insert.push(" ON CONFLICT (ticket_id, at, status, action) DO NOTHING RETURNING ticket_id, at, status, action");
        fresh.extend(insert.fetch_all::<EntryKey>(tx).await?);
    }
    if distribute {
        for s in states {
            for entry in &s.history {
                let key = (s.ticket_id.get(), entry.at.clone(), entry.status.clone(), entry.action.clone());
                if let Some(change) = entry.ownership.as_ref().filter(|_| fresh.contains(&key)) {
                    mirror_ownership(tx, s.organization_id, s.ticket_id, change, now).await?;
                }
            }
        }
    }
    Ok(())
}
