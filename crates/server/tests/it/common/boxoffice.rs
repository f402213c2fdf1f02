//! Box-office helpers for tests: JSON calls as the organization's admin, and [`seed_match`], which
//! builds a small, complete catalog over HTTP (the way an operator would) and issues tickets.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;

/// `POST /api/boxoffice{path}` with a JSON body, as the admin of the organization it names.
pub async fn bo_post(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    app.post_json(&format!("/api/boxoffice{path}"), "", body).await
}

/// `POST /api/boxoffice{path}` with a raw body and extra headers (a content type, an `Origin`),
/// as the admin of the organization it names.
pub async fn bo_post_raw(app: &TestApp, path: &str, headers: &[(&str, &str)], body: &str) -> (StatusCode, Value) {
    let full = format!("/api/boxoffice{path}");
    let mut request = app.client.post(app.url(&full)).body(body.to_owned());
    if let Some(token) = app.tokens.for_path(&full, None) {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    super::read(request.send().await.unwrap()).await
}

/// `PUT /api/boxoffice{path}` with a JSON body, as the admin of the organization it names.
pub async fn bo_put(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    app.send(reqwest::Method::PUT, &format!("/api/boxoffice{path}"), "", Some(body)).await
}

/// `GET /api/boxoffice{path}`, as the admin of the organization it names.
pub async fn bo_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.get_json(&format!("/api/boxoffice{path}"), "").await
}

/// Every item of the box-office list at `/api/boxoffice{path}`, page by page, as the admin of
/// the organization it names.
pub async fn bo_all(app: &TestApp, path: &str) -> Vec<Value> {
    app.all_pages(&format!("/api/boxoffice{path}"), "").await
}

/// Like [`bo_post`] but asserts `201 Created` and returns the created object.
pub async fn bo_create(app: &TestApp, path: &str, body: &Value) -> Value {
    let (status, answer) = bo_post(app, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path}: {answer}");
    answer
}

/// What [`seed_match`] created. Codes are those of the organization `org`.
#[derive(Debug, Clone)]
#[allow(dead_code, reason = "a fixture: each test reads the parts it needs")]
pub struct Seeded {
    /// The organization code, and its path prefix `/organizations/{org}` for [`bo_post`].
    pub org: String,
    pub org_path: String,
    pub org_id: i64,
    /// Season `S2099` (2099-07-01 → 2100-06-30, +02:00).
    pub season: String,
    /// A `MATCH` product `MATCH1` (family `FOOTBALL`, external name "Home v Away").
    pub product: String,
    /// Performance `P1` of `MATCH1`: 2099-06-14T21:00:00+02:00, 120 minutes, hosts `Home FC`.
    pub performance: String,
    /// Seat categories `CAT1` (home) and `AWAY` (visitors).
    pub seat_category: String,
    pub away_seat_category: String,
    /// Tariffs `FULL` and `REDUCED`.
    pub tariffs: Vec<String>,
    /// Contingent `AWAYFANS`.
    pub contingent: String,
    /// Shipment modes `MOBILE` (type MOBILE) and `AWAYMOBILE` (type MOBILE_EXTERNAL).
    pub mobile: String,
    pub mobile_external: String,
    /// Sales channel `WEB` and its point of sale `WEB1`.
    pub sales_channel: String,
    pub point_of_sale: String,
    /// Two contacts: `fan1@example.org` (with an internet account) and `fan2@example.org`.
    pub contact_ids: Vec<i64>,
    pub contact_emails: Vec<String>,
    /// The files issued (`{org}-F0001`, … of at most 1,000 tickets each, owner `fan1`).
    pub file_numbers: Vec<String>,
    /// The tickets issued, in order: `MOBILE`, `CAT1`, `FULL`, block A, row 1, seats 1…N,
    /// 50.00 EUR, generated barcodes, status `NOT_PRINTED`.
    pub ticket_ids: Vec<i64>,
    pub barcodes: Vec<String>,
}

/// Builds, in a new inventory-owning organization `org`, a season, a `MATCH` product with one
/// performance, seat categories, tariffs, a contingent, `MOBILE` and `MOBILE_EXTERNAL`
/// shipment modes, a sales channel with a point of sale, two contacts, and `tickets` tickets.
pub async fn seed_match(app: &TestApp, org: &str, tickets: usize) -> Seeded {
    let created = bo_create(app, "/organizations", &json!({ "code": org, "name": format!("{org} club") })).await;
    let p = format!("/organizations/{org}");
    bo_create(
        app,
        &format!("{p}/seasons"),
        &json!({ "code": "S2099", "name": "Season 2099", "start": "2099-07-01T00:00:00+02:00", "end": "2100-06-30T23:59:00+02:00" }),
    )
    .await;
    bo_create(
        app,
        &format!("{p}/products"),
        &json!({ "code": "MATCH1", "name": "Home FC v Away FC", "externalName": "Home v Away", "kind": "MATCH",
                 "family": "FOOTBALL", "seasonCode": "S2099" }),
    )
    .await;
    bo_create(
        app,
        &format!("{p}/products/MATCH1/performances"),
        &json!({ "code": "P1", "start": "2099-06-14T21:00:00+02:00", "durationMinutes": 120,
                 "site": { "name": "Stadium", "externalName": "The Stadium", "space": "Main stand",
                           "address": { "line1": "1 Stadium Road", "city": "Lyon", "zip": "69000", "countryCode": "FR" } },
                 "hostTeam": "Home FC", "opposingTeam": "Away FC" }),
    )
    .await;
    for (resource, code, name) in [
        ("seat-categories", "CAT1", "Category 1"),
        ("seat-categories", "AWAY", "Visitors"),
        ("tariffs", "FULL", "Full price"),
        ("tariffs", "REDUCED", "Reduced"),
        ("contingents", "AWAYFANS", "Away fans"),
        ("sales-channels", "WEB", "Web shop"),
    ] {
        bo_create(app, &format!("{p}/{resource}"), &json!({ "code": code, "name": name })).await;
    }
    bo_create(app, &format!("{p}/sales-channels/WEB/points-of-sale"), &json!({ "code": "WEB1", "name": "Web 1" }))
        .await;
    bo_create(app, &format!("{p}/shipment-modes"), &json!({ "code": "MOBILE", "name": "Mobile", "type": "MOBILE" }))
        .await;
    bo_create(
        app,
        &format!("{p}/shipment-modes"),
        &json!({ "code": "AWAYMOBILE", "name": "Mobile – External (Away)", "type": "MOBILE_EXTERNAL" }),
    )
    .await;
    let mut contact_ids = Vec::new();
    let contact_emails = vec!["fan1@example.org".to_owned(), "fan2@example.org".to_owned()];
    for (i, email) in contact_emails.iter().enumerate() {
        let contact = bo_create(
            app,
            &format!("{p}/contacts"),
            &json!({ "title": "Mx", "firstName": format!("Fan{}", i + 1), "lastName": "Supporter", "email": email,
                     "birthDate": "1990-01-0".to_owned() + &(i + 1).to_string(), "countryCode": "FR", "language": "fr",
                     "hasInternetAccount": i == 0 }),
        )
        .await;
        contact_ids.push(contact["id"].as_i64().unwrap());
    }
    let mut seeded = Seeded {
        org: org.to_owned(),
        org_path: p.clone(),
        org_id: created["id"].as_i64().unwrap(),
        season: "S2099".into(),
        product: "MATCH1".into(),
        performance: "P1".into(),
        seat_category: "CAT1".into(),
        away_seat_category: "AWAY".into(),
        tariffs: vec!["FULL".into(), "REDUCED".into()],
        contingent: "AWAYFANS".into(),
        mobile: "MOBILE".into(),
        mobile_external: "AWAYMOBILE".into(),
        sales_channel: "WEB".into(),
        point_of_sale: "WEB1".into(),
        contact_ids,
        contact_emails,
        file_numbers: Vec::new(),
        ticket_ids: Vec::new(),
        barcodes: Vec::new(),
    };
    let mut issued = 0;
    while issued < tickets {
        let count = (tickets - issued).min(1_000);
        let number = format!("{org}-F{:04}", seeded.file_numbers.len() + 1);
        let items: Vec<Value> = (issued..issued + count).map(|i| match_ticket(&seeded, i + 1)).collect();
        let file = bo_create(
            app,
            &format!("{p}/files"),
            &json!({ "fileNumber": number, "contactId": seeded.contact_ids[0], "salesChannelCode": "WEB", "tickets": items }),
        )
        .await;
        for ticket in file["tickets"].as_array().unwrap() {
            seeded.ticket_ids.push(ticket["id"].as_i64().unwrap());
            seeded.barcodes.push(ticket["barcode"].as_str().unwrap().to_owned());
        }
        seeded.file_numbers.push(number);
        issued += count;
    }
    seeded
}

/// The JSON of one `MOBILE` ticket of the seeded match, seat `seat` of block A row 1.
pub fn match_ticket(seeded: &Seeded, seat: usize) -> Value {
    json!({ "productCode": seeded.product, "performanceCode": seeded.performance, "seatCategoryCode": seeded.seat_category,
            "tariffCode": seeded.tariffs[0], "shipmentModeCode": seeded.mobile, "block": "A", "row": "1",
            "seat": seat.to_string(), "priceCents": 5000, "currency": "EUR" })
}
