//! Contact creation and distribution (docs/interface.md#contacts-and-distribution): reading
//! the ownership changes the wallet reports in a ticket's history. The box office mirrors
//! them on its contacts ([`tixbridge_boxoffice::wallet_side::contacts_mirror`]) inside the
//! feed page's transaction.

use serde_json::Value;
use tixbridge_boxoffice::wallet_side::contacts_mirror::OwnershipChange;

use super::FeedTicket;

/// The ownership event one history entry of `ticket` reports, if any.
pub(super) fn ownership_change(entry: &Value, ticket: &FeedTicket) -> Option<OwnershipChange> {
    let detail = &entry["detail"];
    let text = |v: &Value| v.as_str().map(str::to_lowercase);
    match entry["status"].as_str()? {
        "PENDING_TRANSFER" => {
            let recipient = ["recipient", "recipientEmail", "to", "email"]
                .iter()
                .find_map(|k| text(&detail[*k]))
                .or_else(|| text(&detail["recipient"]["email"]))?;
            Some(OwnershipChange::Pending { recipient })
        }
        "FAILURE" | "FAILURE_TRANSFER" => Some(OwnershipChange::Cancelled),
        "TRANSFERRED" => {
            let owner = ticket.owner.as_ref()?;
            Some(OwnershipChange::Confirmed {
                email: text(&owner["email"])?,
                first_name: owner["firstName"].as_str().map(str::to_owned),
                last_name: owner["lastName"].as_str().map(str::to_owned),
            })
        }
        _ => None,
    }
}
