//! Ticket operations: cancel, invalidate, amend a reason, control (check-in or gate scan) and
//! reprint. Each runs in one transaction that locks the ticket, asks
//! [`TicketStatus::transition`] and writes the outcome, so two operators racing on the same
//! ticket get one success and one refusal naming the status.

use tixbridge_domain::{InvalidationReason, OrganizationId, TicketAction, TicketId, TicketStatus};
use tixbridge_store::{Db, Tx, sql};

use crate::BoxOfficeError;

/// Reads a ticket's status inside `tx`, locking its row on PostgreSQL (SQLite has one writer).
async fn locked_status(
    tx: &mut Tx,
    organization_id: OrganizationId,
    id: TicketId,
) -> Result<TicketStatus, BoxOfficeError> {
    let lock = tx.backend().for_update();
    let status: Option<String> =
        sql(format!("SELECT status FROM bo_tickets WHERE id = $1 AND organization_id = $2{lock}"))
            .bind(id)
            .bind(organization_id)
            .scalar_optional(tx)
            .await?;
    let status = status.ok_or_else(|| BoxOfficeError::not_found(format!("ticket {id}")))?;
    status.parse::<TicketStatus>().map_err(|err| BoxOfficeError::Sql(sqlx::Error::Decode(Box::new(err))))
}

/// Moves ticket `id` of `organization_id` through the state machine; returns its new status.
pub async fn apply(
    db: &Db,
    organization_id: OrganizationId,
    id: TicketId,
    action: TicketAction,
) -> Result<TicketStatus, BoxOfficeError> {
    let mut tx = db.begin_write().await?;
    let current = locked_status(&mut tx, organization_id, id).await?;
    let next = current.transition(&action)?;
    sql("UPDATE bo_tickets SET status = $1, invalidation_reason = COALESCE($2, invalidation_reason),
             status_changed_at = $3 WHERE id = $4")
    .bind(next.as_str())
    .bind(action.reason().map(InvalidationReason::as_str))
    .bind(crate::now_ms())
    .bind(id)
    .execute(&mut tx)
    .await?;
    tx.announce_change().await?;
    tx.commit().await?;
    db.changes().signal();
    Ok(next)
}

fn reason(code: &str) -> Result<InvalidationReason, BoxOfficeError> {
    InvalidationReason::parse(code.trim()).map_err(|err| BoxOfficeError::invalid("reason", err.to_string()))
}

/// Cancels a ticket with an invalidation reason code (e.g. `CANCELLATION`).
pub async fn cancel(
    db: &Db,
    organization_id: OrganizationId,
    id: TicketId,
    code: &str,
) -> Result<TicketStatus, BoxOfficeError> {
    apply(db, organization_id, id, TicketAction::Cancel { reason: reason(code)? }).await
}

/// Invalidates a ticket with a reason code (e.g. `RESALE`, `MOBILE_TAKE_BACK`).
pub async fn invalidate(
    db: &Db,
    organization_id: OrganizationId,
    id: TicketId,
    code: &str,
) -> Result<TicketStatus, BoxOfficeError> {
    apply(db, organization_id, id, TicketAction::Invalidate { reason: reason(code)? }).await
}

/// Changes the reason of a ticket already cancelled or invalidated.
pub async fn amend_reason(
    db: &Db,
    organization_id: OrganizationId,
    id: TicketId,
    code: &str,
) -> Result<TicketStatus, BoxOfficeError> {
    apply(db, organization_id, id, TicketAction::AmendReason { reason: reason(code)? }).await
}

/// Back-office check-in: `CONTROLLED`.
pub async fn control(db: &Db, organization_id: OrganizationId, id: TicketId) -> Result<TicketStatus, BoxOfficeError> {
    apply(db, organization_id, id, TicketAction::Control).await
}

/// A ticket let in at a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub ticket_id: TicketId,
    pub organization_id: OrganizationId,
}

/// The organization and those below it, as a SQL set named `scope` (`$1` is the organization).
const SCOPE: &str = "WITH RECURSIVE scope(id) AS (
         SELECT CAST($1 AS BIGINT)
         UNION ALL SELECT o.id FROM bo_organizations o JOIN scope s ON o.parent_id = s.id
     )";

/// Access control: controls the ticket with `barcode` in `organization_id` or any organization
/// below it. Unknown barcode → `NotFound`; a ticket already controlled → `ScanRefused`
/// `ALREADY_CONTROLLED`; cancelled or invalidated → `ScanRefused` `NOT_VALID`.
pub async fn control_by_barcode(
    db: &Db,
    organization_id: OrganizationId,
    barcode: &str,
) -> Result<Scanned, BoxOfficeError> {
    // A barcode is unique per organization; across the tree a still-valid ticket wins.
    let query = format!(
        "{SCOPE} SELECT t.id, t.organization_id FROM bo_tickets t
         WHERE t.barcode = $2 AND t.organization_id IN (SELECT id FROM scope)
         ORDER BY CASE WHEN t.status IN ('NOT_PRINTED', 'PRINTED') THEN 0 ELSE 1 END, t.id DESC
         LIMIT 1"
    );
    let found: Option<(i64, i64)> =
        sql(query).bind(organization_id).bind(barcode).fetch_optional(&mut db.reader().await?).await?;
    let (ticket_id, owner) = found.ok_or_else(|| BoxOfficeError::not_found("barcode"))?;
    control_for_scan(db, OrganizationId::new(owner), TicketId::new(ticket_id)).await
}

/// A scan the wallet accepted: controls ticket `ticket_id` (the wallet's ticket id is the
/// box-office id) only when it belongs to the scanning `organization_id` or one below it, so
/// one organization's gate never controls another's ticket that happens to share the id.
pub async fn control_accepted_scan(
    db: &Db,
    organization_id: OrganizationId,
    ticket_id: TicketId,
) -> Result<Scanned, BoxOfficeError> {
    let query = format!(
        "{SCOPE} SELECT t.organization_id FROM bo_tickets t
         WHERE t.id = $2 AND t.organization_id IN (SELECT id FROM scope)"
    );
    let owner: Option<i64> =
        sql(query).bind(organization_id).bind(ticket_id).scalar_optional(&mut db.reader().await?).await?;
    let owner = owner.ok_or_else(|| BoxOfficeError::not_found(format!("ticket {ticket_id}")))?;
    control_for_scan(db, OrganizationId::new(owner), ticket_id).await
}

async fn control_for_scan(db: &Db, owner: OrganizationId, ticket_id: TicketId) -> Result<Scanned, BoxOfficeError> {
    match apply(db, owner, ticket_id, TicketAction::Control).await {
        Ok(_) => Ok(Scanned { ticket_id, organization_id: owner }),
        Err(BoxOfficeError::IllegalMove(refused)) => {
            let code = if refused.from == TicketStatus::Controlled { "ALREADY_CONTROLLED" } else { "NOT_VALID" };
            Err(BoxOfficeError::ScanRefused { code, current: refused.from, ticket_id })
        }
        Err(other) => Err(other),
    }
}

/// The two tickets of a reprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reprinted {
    pub old_id: TicketId,
    pub new_id: TicketId,
}

/// Reprint: invalidates the ticket with reason `REPRINT` and issues a `NOT_PRINTED` copy with
/// a new barcode that records the ticket it replaces — one transaction.
pub async fn reprint(db: &Db, organization_id: OrganizationId, id: TicketId) -> Result<Reprinted, BoxOfficeError> {
    let mut tx = db.begin_write().await?;
    let done = reprint_in(&mut tx, organization_id, id).await?;
    tx.commit().await?;
    db.changes().signal();
    Ok(done)
}

/// [`reprint`] in the caller's transaction (which announces the change and commits). The copy
/// takes the seat its original frees, so the original is invalidated first; a ticket sold on a
/// shared seat before seats were unique passes that mark on (migration 0012).
pub async fn reprint_in(
    tx: &mut Tx,
    organization_id: OrganizationId,
    id: TicketId,
) -> Result<Reprinted, BoxOfficeError> {
    let action = TicketAction::Invalidate { reason: InvalidationReason::reprint() };
    let now = crate::now_ms();
    let current = locked_status(tx, organization_id, id).await?;
    let next = current.transition(&action)?;
    sql("UPDATE bo_tickets SET status = $1, invalidation_reason = $2, status_changed_at = $3 WHERE id = $4")
        .bind(next.as_str())
        .bind(InvalidationReason::reprint().as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let new_id: i64 = sql(
        "INSERT INTO bo_tickets (organization_id, file_id, product_id, performance_id, seat_category_id, tariff_id,
             contingent_id, shipment_mode_id, sales_channel_id, contact_id, holder_contact_id, status, tax_number,
             barcode, block, row_name, seat, gate, level_name, area, price_cents, currency, validity_start_local,
             validity_end_local, replaces_ticket_id, issued_at, status_changed_at, shares_seat)
         SELECT organization_id, file_id, product_id, performance_id, seat_category_id, tariff_id,
             contingent_id, shipment_mode_id, sales_channel_id, contact_id, holder_contact_id, $1, tax_number,
             $2, block, row_name, seat, gate, level_name, area, price_cents, currency, validity_start_local,
             validity_end_local, id, $3, $3, shares_seat
         FROM bo_tickets WHERE id = $4
         RETURNING id",
    )
    .bind(TicketStatus::NotPrinted.as_str())
    .bind(crate::issue::generate_barcode())
    .bind(now)
    .bind(id)
    .scalar(&mut *tx)
    .await?;
    tx.announce_change().await?;
    Ok(Reprinted { old_id: id, new_id: TicketId::new(new_id) })
}
