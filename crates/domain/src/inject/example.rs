//! A complete, valid injected ticket, for the demo, the benchmark and tests.

use serde_json::{Value, json};

/// A ticket for event `event_id` landing in `email`'s wallet, valid until 2099.
pub fn example_ticket(ticket_id: &str, event_id: &str, email: &str) -> Value {
    json!({
        "ticketId": ticket_id,
        "event": {
            "id": event_id,
            "name": "Final: Lions - Eagles",
            "startTime": "2099-06-14T21:00:00+02:00",
            "expirationDate": "2099-06-14T23:00:00+02:00",
            "address": { "site": "National Stadium", "city": "Geneva", "countryCode": "CH", "zip": "1201" }
        },
        "security": { "barcode": format!("BC-{ticket_id}") },
        "spectatorDetails": { "email": email, "firstName": "Ada", "lastName": "Lovelace", "gender": "F" },
        "purchaseDetails": {
            "purchaseDate": "2099-01-02T10:00:00+01:00",
            "fileNumber": "F-1",
            "price": 45.5,
            "currency": "CHF",
            "category": "Category 1"
        },
        "seated": true,
        "block": "B", "row": "12", "seat": "7"
    })
}
