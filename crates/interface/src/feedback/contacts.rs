//! Contact creation and distribution (docs/interface.md#contacts-and-distribution): reading
//! the ownership changes the wallet reports in a ticket's history. The box office mirrors
//! them on its contacts ([`tixbridge_boxoffice::wallet_side::contacts_mirror`]) inside the
//! feed page's transaction.

use serde_json::Value;
use tixbridge_boxoffice::wallet_side::contacts_mirror::{ContactDetails, OwnershipChange};

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
        "TRANSFERRED" => Some(OwnershipChange::Confirmed(Box::new(owner_details(ticket.owner.as_ref()?)?))),
        _ => None,
    }
}

/// What the feed says of the owner: every contact field the wallet knows (names, and what
/// the owner gave in their profile); blank values count as unknown.
fn owner_details(owner: &Value) -> Option<ContactDetails> {
    let given = |key: &str| owner[key].as_str().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    Some(ContactDetails {
        email: given("email")?.to_lowercase(),
        title: given("title"),
        first_name: given("firstName"),
        last_name: given("lastName"),
        phone: given("phone"),
        birth_date: given("birthDate"),
        nationality: given("nationality"),
        id_number: given("idNumber"),
        country_code: given("countryCode"),
        language: given("language"),
        consent_marketing: owner["consentMarketing"].as_bool(),
        consent_third_party: owner["consentThirdParty"].as_bool(),
    })
}
