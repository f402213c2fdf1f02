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
    /// Accepted: the ticket's contact becomes this owner.
    Confirmed(Box<ContactDetails>),
}

/// What the wallet knows of a new owner: the e-mail (lower-cased) and what the owner gave —
/// the §7.1 fields of a contact (docs/interface.md#contacts-and-distribution).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDetails {
    pub email: String,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub id_number: Option<String>,
    pub country_code: Option<String>,
    pub language: Option<String>,
    pub consent_marketing: Option<bool>,
    pub consent_third_party: Option<bool>,
}

/// The last name a temporary contact carries until the wallet names its owner.
pub const PENDING_CREATION: &str = "Pending CREATION";

/// Applies `change` of ticket `ticket_id` (of `organization_id`) inside `tx`.
pub async fn mirror_ownership(
    tx: &mut Tx,
    organization_id: OrganizationId,
    ticket_id: TicketId,
    change: &OwnershipChange,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (email, details, status) = match change {
        OwnershipChange::Pending { recipient } => (Some(recipient.as_str()), None, "PENDING"),
        OwnershipChange::Cancelled => (None, None, "CANCELLED"),
        OwnershipChange::Confirmed(details) => (Some(details.email.as_str()), Some(details.as_ref()), "CONFIRMED"),
    };
    let contact_id = match email {
        Some(email) => contact_for(tx, organization_id, email, details, now).await?,
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
/// temporary one completed from the wallet's `details`), else a new one. E-mails are stored
/// normalized (lower-cased), so the lookup uses the (organization, email) index.
async fn contact_for(
    tx: &mut Tx,
    organization_id: OrganizationId,
    email: &str,
    details: Option<&ContactDetails>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let found: Option<(i64, bool)> = sql(format!(
        "SELECT id, temporary FROM bo_contacts WHERE organization_id = $1 AND email = $2 {PREFERENCE} LIMIT 1"
    ))
    .bind(organization_id)
    .bind(email)
    .fetch_optional(tx)
    .await?;
    Ok(match (found, details) {
        // a normal contact is reused unchanged
        (Some((id, false)), _) => id,
        // a temporary contact is completed from wallet data, and never keeps its placeholder name
        (Some((id, true)), Some(d)) => {
            sql(format!(
                "UPDATE bo_contacts SET title = COALESCE($1, title), first_name = COALESCE($2, first_name),
                     last_name = COALESCE($3, CASE WHEN last_name = '{PENDING_CREATION}' THEN NULL ELSE last_name END),
                     phone = COALESCE($4, phone), birth_date = COALESCE($5, birth_date),
                     nationality = COALESCE($6, nationality), id_number = COALESCE($7, id_number),
                     country_code = COALESCE($8, country_code), language = COALESCE($9, language),
                     consent_marketing = COALESCE($10, consent_marketing),
                     consent_third_party = COALESCE($11, consent_third_party),
                     temporary = $12, pending_creation = $12, has_internet_account = $13 WHERE id = $14"
            ))
            .bind(d.title.as_deref())
            .bind(d.first_name.as_deref())
            .bind(d.last_name.as_deref())
            .bind(d.phone.as_deref())
            .bind(d.birth_date.as_deref())
            .bind(d.nationality.as_deref())
            .bind(d.id_number.as_deref())
            .bind(d.country_code.as_deref())
            .bind(d.language.as_deref())
            .bind(d.consent_marketing)
            .bind(d.consent_third_party)
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
                     created_at) VALUES ($1, 'INDIVIDUAL', $2, $2, $3, $4, $5) RETURNING id")
            .bind(organization_id)
            .bind(true)
            .bind(email)
            .bind(PENDING_CREATION)
            .bind(now)
            .scalar(tx)
            .await?
        }
        (None, Some(d)) => {
            sql("INSERT INTO bo_contacts (organization_id, kind, has_internet_account, email, title, first_name,
                     last_name, phone, birth_date, nationality, id_number, country_code, language,
                     consent_marketing, consent_third_party, created_at)
                 VALUES ($1, 'INDIVIDUAL', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
            .bind(organization_id)
            .bind(true)
            .bind(email)
            .bind(d.title.as_deref())
            .bind(d.first_name.as_deref())
            .bind(d.last_name.as_deref())
            .bind(d.phone.as_deref())
            .bind(d.birth_date.as_deref())
            .bind(d.nationality.as_deref())
            .bind(d.id_number.as_deref())
            .bind(d.country_code.as_deref())
            .bind(d.language.as_deref())
            .bind(d.consent_marketing.unwrap_or(false))
            .bind(d.consent_third_party.unwrap_or(false))
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
