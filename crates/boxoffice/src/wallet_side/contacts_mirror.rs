//! Contact creation and distribution (docs/interface.md#contacts-and-distribution): an
//! ownership change the wallet reported is mirrored on the box-office contacts — never
//! creating a duplicate — and written to the ticket's distribution history, inside the
//! caller's transaction (the feed page's).

use tixbridge_domain::{OrganizationId, TicketId};
use tixbridge_store::{Tx, sql};

use crate::contacts::PREFERENCE;

/// An ownership event of one ticket, as the wallet's history reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnershipChange {
    /// Offered to this e-mail (lower-cased); the contact may not exist yet.
    Pending {
        recipient: String,
    },
    Cancelled,
    /// Accepted: the ticket's contact becomes this owner (e-mail lower-cased).
    Confirmed {
        email: String,
        first_name: Option<String>,
        last_name: Option<String>,
    },
}

/// Applies `change` of ticket `ticket_id` (of `organization_id`) inside `tx`.
pub async fn mirror_ownership(
    tx: &mut Tx,
    organization_id: OrganizationId,
    ticket_id: TicketId,
    change: &OwnershipChange,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (email, names, status) = match change {
        OwnershipChange::Pending { recipient } => (Some(recipient), None, "PENDING"),
        OwnershipChange::Cancelled => (None, None, "CANCELLED"),
        OwnershipChange::Confirmed { email, first_name, last_name } => {
            (Some(email), Some((first_name, last_name)), "CONFIRMED")
        }
    };
    let contact_id = match email {
        Some(email) => contact_for(tx, organization_id, email, names, now).await?,
        None => cancelled_offer_contact(tx, ticket_id).await?,
    };
    let already: i64 =
        sql("SELECT COUNT(*) FROM bo_distribution_history WHERE ticket_id = $1 AND contact_id = $2 AND status = $3
           AND id = (SELECT MAX(id) FROM bo_distribution_history WHERE ticket_id = $1)")
        .bind(ticket_id)
        .bind(contact_id)
        .bind(status)
        .scalar(tx)
        .await?;
    if already == 0 {
        sql("INSERT INTO bo_distribution_history (ticket_id, contact_id, action, status, at)
             VALUES ($1, $2, 'DISTRIBUTE', $3, $4)")
        .bind(ticket_id)
        .bind(contact_id)
        .bind(status)
        .bind(now)
        .execute(tx)
        .await?;
    }
    if status == "CONFIRMED" {
        sql("UPDATE bo_tickets SET contact_id = $1 WHERE id = $2").bind(contact_id).bind(ticket_id).execute(tx).await?;
    }
    Ok(())
}

/// The contact for `email`: the best existing one by the box office's preference rule (a
/// temporary one completed from the wallet's names), else a new one. E-mails are stored
/// normalized (lower-cased), so the lookup uses the (organization, email) index.
async fn contact_for(
    tx: &mut Tx,
    organization_id: OrganizationId,
    email: &str,
    names: Option<(&Option<String>, &Option<String>)>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let found: Option<(i64, bool)> = sql(format!(
        "SELECT id, temporary FROM bo_contacts WHERE organization_id = $1 AND email = $2 {PREFERENCE} LIMIT 1"
    ))
    .bind(organization_id)
    .bind(email)
    .fetch_optional(tx)
    .await?;
    Ok(match (found, names) {
        // a normal contact is reused unchanged
        (Some((id, false)), _) => id,
        // a temporary contact is completed from wallet data
        (Some((id, true)), Some((first, last))) => {
            sql("UPDATE bo_contacts SET first_name = COALESCE($1, first_name),
                     last_name = COALESCE($2, last_name), temporary = $3, pending_creation = $3,
                     has_internet_account = $4 WHERE id = $5")
            .bind(first.as_deref())
            .bind(last.as_deref())
            .bind(false)
            .bind(true)
            .bind(id)
            .execute(tx)
            .await?;
            id
        }
        (Some((id, true)), None) => id,
        // none found: the recipient of an offer is known by e-mail only
        (None, None) => {
            sql("INSERT INTO bo_contacts (organization_id, kind, temporary, pending_creation, email, last_name,
                     created_at) VALUES ($1, 'INDIVIDUAL', $2, $2, $3, 'Pending CREATION', $4) RETURNING id")
            .bind(organization_id)
            .bind(true)
            .bind(email)
            .bind(now)
            .scalar(tx)
            .await?
        }
        (None, Some((first, last))) => {
            sql("INSERT INTO bo_contacts (organization_id, kind, has_internet_account, email, first_name,
                     last_name, created_at) VALUES ($1, 'INDIVIDUAL', $2, $3, $4, $5, $6) RETURNING id")
            .bind(organization_id)
            .bind(true)
            .bind(email)
            .bind(first.as_deref())
            .bind(last.as_deref())
            .bind(now)
            .scalar(tx)
            .await?
        }
    })
}

/// A cancelled offer goes back to the last pending recipient's entry, else to the ticket's
/// contact.
async fn cancelled_offer_contact(tx: &mut Tx, ticket_id: TicketId) -> Result<i64, sqlx::Error> {
    let pending: Option<i64> =
        sql("SELECT contact_id FROM bo_distribution_history WHERE ticket_id = $1 AND status = 'PENDING'
         ORDER BY id DESC LIMIT 1")
        .bind(ticket_id)
        .scalar_optional(tx)
        .await?;
    match pending {
        Some(id) => Ok(id),
        None => sql("SELECT contact_id FROM bo_tickets WHERE id = $1").bind(ticket_id).scalar(tx).await,
    }
}
