//! Contact creation and distribution (SPEC §7.1): ownership changes reported by the wallet
//! are mirrored on box-office contacts — never creating a duplicate — and written to the
//! ticket's distribution history. Runs inside the feed page's transaction.

use serde_json::Value;

use super::FeedTicket;

/// An ownership event read from one history entry.
pub(super) enum OwnershipChange {
    /// Offered to this e-mail; the contact may not exist yet.
    Pending {
        recipient: String,
    },
    Cancelled,
    /// Accepted: the ticket's contact becomes this owner.
    Confirmed {
        email: String,
        first_name: Option<String>,
        last_name: Option<String>,
    },
}

impl OwnershipChange {
    pub fn from_entry(entry: &Value, ticket: &FeedTicket) -> Option<Self> {
        let detail = &entry["detail"];
        let text = |v: &Value| v.as_str().map(str::to_lowercase);
        match entry["status"].as_str()? {
            "PENDING_TRANSFER" => {
                let recipient = ["recipient", "recipientEmail", "to", "email"]
                    .iter()
                    .find_map(|k| text(&detail[*k]))
                    .or_else(|| text(&detail["recipient"]["email"]))?;
                Some(Self::Pending { recipient })
            }
            "FAILURE" | "FAILURE_TRANSFER" => Some(Self::Cancelled),
            "TRANSFERRED" => {
                let owner = ticket.owner.as_ref()?;
                Some(Self::Confirmed {
                    email: text(&owner["email"])?,
                    first_name: owner["firstName"].as_str().map(str::to_owned),
                    last_name: owner["lastName"].as_str().map(str::to_owned),
                })
            }
            _ => None,
        }
    }
}

/// The best existing contact for an e-mail, by the box office's own preference rule. E-mails
/// are stored normalized (lower-cased), so the lookup uses the (organization, email) index.
pub(super) fn find_contact_sql() -> String {
    format!(
        "SELECT id, temporary FROM bo_contacts WHERE organization_id = $1 AND email = $2 {} LIMIT 1",
        tixbridge_boxoffice::contacts::PREFERENCE
    )
}

/// Applies one [`OwnershipChange`] of ticket `$ticket` inside `$tx`.
macro_rules! mirror_ownership {
    ($tx:expr, $organization:expr, $ticket:expr, $change:expr, $now:expr) => {{
        use $crate::feedback::contacts::{OwnershipChange, find_contact_sql};
        let (email, names, status) = match &$change {
            OwnershipChange::Pending { recipient } => (Some(recipient.clone()), None, "PENDING"),
            OwnershipChange::Cancelled => (None, None, "CANCELLED"),
            OwnershipChange::Confirmed { email, first_name, last_name } => {
                (Some(email.clone()), Some((first_name.clone(), last_name.clone())), "CONFIRMED")
            }
        };
        let contact_id: i64 = match &email {
            Some(email) => {
                let found: Option<(i64, bool)> = sqlx::query_as(&find_contact_sql())
                    .bind($organization)
                    .bind(email)
                    .fetch_optional(&mut *$tx)
                    .await?;
                match (found, &names) {
                    // a normal contact is reused unchanged
                    (Some((id, false)), _) => id,
                    // a temporary contact is completed from wallet data
                    (Some((id, true)), Some((first, last))) => {
                        sqlx::query(
                            "UPDATE bo_contacts SET first_name = COALESCE($1, first_name),
                                 last_name = COALESCE($2, last_name), temporary = $3, pending_creation = $3,
                                 has_internet_account = $4 WHERE id = $5",
                        )
                        .bind(first.as_deref())
                        .bind(last.as_deref())
                        .bind(false)
                        .bind(true)
                        .bind(id)
                        .execute(&mut *$tx)
                        .await?;
                        id
                    }
                    (Some((id, true)), None) => id,
                    // none found: the recipient of an offer is known by e-mail only
                    (None, None) => sqlx::query_scalar(
                        "INSERT INTO bo_contacts (organization_id, kind, temporary, pending_creation, email, last_name,
                             created_at) VALUES ($1, 'INDIVIDUAL', $2, $2, $3, 'Pending CREATION', $4) RETURNING id",
                    )
                    .bind($organization)
                    .bind(true)
                    .bind(email)
                    .bind($now)
                    .fetch_one(&mut *$tx)
                    .await?,
                    (None, Some((first, last))) => {
                        sqlx::query_scalar(
                            "INSERT INTO bo_contacts (organization_id, kind, has_internet_account, email, first_name,
                             last_name, created_at) VALUES ($1, 'INDIVIDUAL', $2, $3, $4, $5, $6) RETURNING id",
                        )
                        .bind($organization)
                        .bind(true)
                        .bind(email)
                        .bind(first.as_deref())
                        .bind(last.as_deref())
                        .bind($now)
                        .fetch_one(&mut *$tx)
                        .await?
                    }
                }
            }
            // a cancelled offer goes back to the last pending recipient's entry
            None => {
                let pending: Option<i64> = sqlx::query_scalar(
                    "SELECT contact_id FROM bo_distribution_history WHERE ticket_id = $1 AND status = 'PENDING'
                     ORDER BY id DESC LIMIT 1",
                )
                .bind($ticket)
                .fetch_optional(&mut *$tx)
                .await?;
                match pending {
                    Some(id) => id,
                    None => {
                        sqlx::query_scalar("SELECT contact_id FROM bo_tickets WHERE id = $1")
                            .bind($ticket)
                            .fetch_one(&mut *$tx)
                            .await?
                    }
                }
            }
        };
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bo_distribution_history WHERE ticket_id = $1 AND contact_id = $2 AND status = $3
               AND id = (SELECT MAX(id) FROM bo_distribution_history WHERE ticket_id = $1)",
        )
        .bind($ticket)
        .bind(contact_id)
        .bind(status)
        .fetch_one(&mut *$tx)
        .await?;
        if already == 0 {
            sqlx::query(
                "INSERT INTO bo_distribution_history (ticket_id, contact_id, action, status, at)
                 VALUES ($1, $2, 'DISTRIBUTE', $3, $4)",
            )
            .bind($ticket)
            .bind(contact_id)
            .bind(status)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
        if status == "CONFIRMED" {
            sqlx::query("UPDATE bo_tickets SET contact_id = $1 WHERE id = $2")
                .bind(contact_id)
                .bind($ticket)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(super) use mirror_ownership;
