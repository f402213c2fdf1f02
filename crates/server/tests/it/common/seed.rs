//! Building a box office over its HTTP API, and pointing an interface at the wallet — the
//! fixtures of the interface tests.

use serde_json::{Value, json};

use super::TestApp;

/// What a seeded organization holds.
pub struct Seeded {
    pub org: String,
    /// The wallet organizer's API key (the interface's password).
    pub wallet_key: String,
    pub contact_id: i64,
    pub ticket_ids: Vec<i64>,
}

impl TestApp {
    /// POSTs to the box office and insists on 201.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.post_json(path, "", &body).await;
        assert_eq!(status.as_u16(), 201, "POST {path}: {answer}");
        answer
    }

    pub async fn bo_get(&self, path: &str) -> Value {
        let (status, answer) = self.get_json(path, "").await;
        assert!(status.is_success(), "GET {path}: {answer}");
        answer
    }

    /// Issues a file of `count` tickets of the seeded match for `contact_id`; returns their ids.
    /// Each file sits in a block of its own, so no two files sell the same seat.
    pub async fn issue_tickets(&self, org: &str, contact_id: i64, count: usize, shipment: &str) -> Vec<i64> {
        static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let block = format!("B{}", FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let tickets: Vec<Value> = (0..count)
            .map(|i| {
                json!({
                    "productCode": "FINAL", "performanceCode": "P1",
                    "seatCategoryCode": if i % 2 == 0 { "CAT1" } else { "CAT2" },
                    "tariffCode": "FULL", "shipmentModeCode": shipment,
                    "taxNumber": format!("TAX-{org}-{contact_id}-{i}"),
                    "block": block, "row": format!("{}", i / 20), "seat": format!("{}", i % 20),
                    "priceCents": 4500, "currency": "CHF"
                })
            })
            .collect();
        let file = self
            .create(
                &format!("/api/boxoffice/organizations/{org}/files"),
                json!({ "contactId": contact_id, "salesChannelCode": "WEB", "tickets": tickets }),
            )
            .await;
        file["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
    }

    /// An organization with a match catalog, a contact and `tickets` mobile tickets, plus a
    /// wallet organizer whose key the interface will use.
    pub async fn seed_match(&self, org: &str, tickets: usize) -> Seeded {
        let base = format!("/api/boxoffice/organizations/{org}");
        self.create("/api/boxoffice/organizations", json!({ "code": org, "name": format!("{org} FC") })).await;
        self.create(&format!("{base}/seasons"), json!({
            "code": "S26", "name": "Season 2099", "start": "2099-07-01T00:00:00+02:00", "end": "2100-06-30T23:59:00+02:00"
        })).await;
        self.create(&format!("{base}/products"), json!({
            "code": "FINAL", "name": "Final", "externalName": "The Final", "kind": "MATCH", "family": "FOOTBALL", "seasonCode": "S26"
        })).await;
        self.create(&format!("{base}/products/FINAL/performances"), json!({
            "code": "P1", "start": "2099-06-14T21:00:00+02:00", "durationMinutes": 120,
            "site": { "name": "Stadium", "externalName": "National Stadium", "address": { "line1": "1 Main St", "city": "Geneva", "zip": "1201", "countryCode": "CH" } },
            "hostTeam": "Lions", "opposingTeam": "Eagles"
        })).await;
        for (path, code) in
            [("seat-categories", "CAT1"), ("seat-categories", "CAT2"), ("tariffs", "FULL"), ("contingents", "AWAY")]
        {
            self.create(&format!("{base}/{path}"), json!({ "code": code, "name": format!("{code} name") })).await;
        }
        self.create(&format!("{base}/sales-channels"), json!({ "code": "WEB", "name": "Web shop" })).await;
        self.create(&format!("{base}/sales-channels/WEB/points-of-sale"), json!({ "code": "POS1", "name": "Online" }))
            .await;
        for (code, kind) in [("MOB", "MOBILE"), ("AWAYMOB", "MOBILE_EXTERNAL"), ("PAH", "PRINT_AT_HOME")] {
            self.create(&format!("{base}/shipment-modes"), json!({ "code": code, "name": code, "type": kind })).await;
        }
        let contact = self.create(&format!("{base}/contacts"), json!({
            "firstName": "Ada", "lastName": "Lovelace", "email": format!("ada@{}.example.org", org.to_lowercase()),
            "hasInternetAccount": true
        })).await;
        let contact_id = contact["id"].as_i64().unwrap();
        let ticket_ids =
            if tickets == 0 { Vec::new() } else { self.issue_tickets(org, contact_id, tickets, "MOB").await };
        let wallet_key = self.organizer(&format!("wallet@{}.example.org", org.to_lowercase())).await;
        Seeded { org: org.to_owned(), wallet_key, contact_id, ticket_ids }
    }

    /// Configures the organization's interface against `url` (the app's own wallet by default).
    pub async fn configure_interface(&self, seeded: &Seeded, url: Option<&str>, extra: Value) -> Value {
        let mut body = json!({
            "name": "Wallet", "type": "TIXNGO",
            "url": url.map_or_else(|| self.url("/api/organizer/tickets"), str::to_owned),
            "login": format!("wallet@{}.example.org", seeded.org.to_lowercase()),
            "password": seeded.wallet_key,
            "notificationEmails": "ops@example.org",
            "customParameters": "ticketIterationSize=7"
        });
        merge(&mut body, extra);
        self.create(&format!("/api/boxoffice/organizations/{}/interface", seeded.org), body).await
    }

    /// Creates a function; returns its id.
    pub async fn function(&self, org: &str, kind: &str, settings: Value) -> i64 {
        let body = json!({ "kind": kind, "name": format!("{kind} function"), "settings": settings });
        let created = self.create(&format!("/api/boxoffice/organizations/{org}/interface/functions"), body).await;
        created["id"].as_i64().unwrap()
    }

    /// Runs a function now; returns the run summary.
    pub async fn run(&self, function_id: i64) -> Value {
        let (status, summary) =
            self.post_json(&format!("/api/boxoffice/functions/{function_id}/runs"), "", &Value::Null).await;
        assert_eq!(status.as_u16(), 200, "run: {summary}");
        summary
    }

    pub async fn ticket(&self, org: &str, id: i64) -> Value {
        self.bo_get(&format!("/api/boxoffice/organizations/{org}/tickets/{id}")).await
    }

    /// The wallet's view of a box-office ticket.
    pub async fn wallet_ticket(&self, seeded: &Seeded, id: i64) -> (u16, Value) {
        let (status, body) = self.get_json(&format!("/api/organizer/tickets/{id}"), &seeded.wallet_key).await;
        (status.as_u16(), body)
    }
}

/// The standard injection settings of the tests.
pub fn injection_settings() -> Value {
    json!({ "batchSize": 1000, "pointOfSale": "WEB;POS1" })
}

pub fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        for (k, v) in extra {
            target.insert(k, v);
        }
    }
}
