//! The demo's box office, built over the HTTP API as an operator would.

use serde_json::{Value, json};

use super::{Client, DEMO_LOGIN, DEMO_ORG};

/// What the demo created that later steps need.
pub struct Seeded {
    /// Mobile match tickets, in issue order.
    pub match_tickets: Vec<i64>,
    /// Every ticket the wallet should receive (match, open pass).
    pub mobile_tickets: usize,
}

pub struct Functions {
    pub injection: i64,
    pub privileges: i64,
    pub push_cancelled: i64,
    pub push_controlled: i64,
    pub feedback: i64,
}

const MATCH_TICKETS: usize = 2_000;
const AWAY_TICKETS: usize = 150;

fn base() -> String {
    format!("/api/boxoffice/organizations/{DEMO_ORG}")
}

/// The demo organization's credentials, printed once at the end of the demo.
pub struct Credentials {
    pub admin_token: String,
    pub operator_email: String,
    pub operator_password: String,
    /// An admin who signs in to the console.
    pub console_email: String,
    pub console_password: String,
}

/// Creates the demo organization as `tixbridge boxoffice create-organization` would, with an
/// admin token (which the demo then uses for every call) and an operator who can sign in.
pub async fn create_organization_and_credentials(db: &tixbridge_store::Db) -> anyhow::Result<Credentials> {
    use tixbridge_boxoffice::access::{operators, tokens};
    let new = tixbridge_boxoffice::organizations::NewOrganization {
        code: DEMO_ORG.into(),
        name: "Demo FC".into(),
        parent_code: None,
        owns_inventory: Some(true),
    };
    let org = tixbridge_boxoffice::organizations::create(db, new).await?;
    let admin = tokens::NewToken { name: "demo admin".into(), role: "admin".into(), expires_at: None, events: None };
    let admin_token = tokens::create(db, org.id, &admin, "demo").await?.token;
    let operator_email = "operator@demo.tixbridge.local".to_owned();
    let new = operators::NewOperator { email: operator_email.clone(), role: "operator".into(), password: None };
    let operator = operators::create(db, org.id, new, "demo").await?;
    let console_email = "admin@demo.tixbridge.local".to_owned();
    let new = operators::NewOperator { email: console_email.clone(), role: "admin".into(), password: None };
    let console = operators::create(db, org.id, new, "demo").await?;
    Ok(Credentials {
        admin_token,
        operator_email,
        operator_password: operator.generated_password.unwrap_or_default(),
        console_email,
        console_password: console.generated_password.unwrap_or_default(),
    })
}

/// A gate token of the demo organization bound to `event`.
pub async fn create_gate_token(db: &tixbridge_store::Db, event: &str) -> anyhow::Result<String> {
    let org = tixbridge_boxoffice::organizations::find(db, DEMO_ORG).await?;
    let gate = tixbridge_boxoffice::access::tokens::NewToken {
        name: "demo gate".into(),
        role: "gate".into(),
        expires_at: None,
        events: Some(vec![event.to_owned()]),
    };
    Ok(tixbridge_boxoffice::access::tokens::create(db, org.id, &gate, "demo").await?.token)
}

pub async fn seed_box_office(client: &Client) -> anyhow::Result<Seeded> {
    let base = base();
    client
        .post(
            &format!("{base}/seasons"),
            json!({ "code": "S99", "name": "Season 2099/00",
            "start": "2099-07-01T00:00:00+02:00", "end": "2100-06-30T23:59:00+02:00" }),
        )
        .await?;
    let products = [
        json!({ "code": "FINAL", "name": "Cup Final", "externalName": "Cup Final 2099", "kind": "MATCH", "family": "FOOTBALL", "seasonCode": "S99" }),
        json!({ "code": "PASS", "name": "Stadium tour pass", "kind": "OPEN_PASS", "family": "TOURS", "seasonCode": "S99",
                "comfortVariables": { "TIXStart": "start_of_season", "TIXExp": "end_of_season", "TIXAct": "-2w", "TIXRGrp": "tour-pass" } }),
        json!({ "code": "SEASONCARD", "name": "Season card", "kind": "SEASON_TICKET_CARD", "family": "FOOTBALL",
                "seasonCode": "S99", "seasonShape": "CARD_ONLY" }),
    ];
    for product in products {
        client.post(&format!("{base}/products"), product).await?;
    }
    client
        .post(
            &format!("{base}/products/FINAL/performances"),
            json!({
            "code": "F1", "start": "2099-06-14T21:00:00+02:00", "durationMinutes": 120,
            "site": { "name": "Stadium", "externalName": "National Stadium", "space": "Main bowl",
                      "address": { "line1": "1 Stadium Way", "city": "Geneva", "zip": "1201", "countryCode": "CH" } },
            "hostTeam": "Geneva Lions", "opposingTeam": "Basel Eagles",
            // sold out: every place goes to the import and the holder's file below
            "capacity": MATCH_TICKETS + AWAY_TICKETS + 1 }),
        )
        .await?;
    for (path, code, name) in [
        ("seat-categories", "CAT1", "Category 1"),
        ("seat-categories", "CAT2", "Category 2"),
        ("seat-categories", "CAT3", "Category 3"),
        ("seat-categories", "AWAY", "Away sector"),
        ("tariffs", "FULL", "Full price"),
        ("tariffs", "CHILD", "Child"),
        ("contingents", "AWAYFANS", "Away fans"),
        ("sales-channels", "WEB", "Web shop"),
    ] {
        let mut body = json!({ "code": code, "name": name });
        if code == "AWAYFANS" {
            body["capacity"] = json!(AWAY_TICKETS);
        }
        client.post(&format!("{base}/{path}"), body).await?;
    }
    client
        .post(&format!("{base}/sales-channels/WEB/points-of-sale"), json!({ "code": "POS1", "name": "Online" }))
        .await?;
    for (code, name, kind) in [
        ("MOB", "Mobile", "MOBILE"),
        ("AWAYMOB", "Mobile – External (Away)", "MOBILE_EXTERNAL"),
        ("PAH", "Print at home", "PRINT_AT_HOME"),
    ] {
        client.post(&format!("{base}/shipment-modes"), json!({ "code": code, "name": name, "type": kind })).await?;
    }
    let mut csv = String::from(
        "fileNumber,contactEmail,contactFirstName,contactLastName,productCode,performanceCode,seatCategoryCode,\
         tariffCode,contingentCode,shipmentModeCode,taxNumber,barcode,block,row,seat,priceCents,currency,salesChannelCode\n",
    );
    for i in 0..MATCH_TICKETS {
        let (category, price) = [("CAT1", 9000), ("CAT2", 6500), ("CAT3", 4000)][i % 3];
        let tariff = if i % 7 == 0 { "CHILD" } else { "FULL" };
        let file = i / 4;
        csv.push_str(&format!(
            "D{file:06},fan{file}@demo.tixbridge.local,Fan,Number {file},FINAL,F1,{category},{tariff},,MOB,T{i},DEMO{i:08},{},{},{},{price},CHF,WEB\n",
            i % 12 + 1, i / 25 % 40 + 1, i % 25 + 1
        ));
    }
    for i in 0..AWAY_TICKETS {
        csv.push_str(&format!(
            "A{:04},away@eagles.example.org,Away,Club,FINAL,F1,AWAY,FULL,AWAYFANS,AWAYMOB,AW{i},AWAY{i:06},V,{},{},4000,CHF,WEB\n",
            i / 50, i / 30 + 1, i % 30 + 1
        ));
    }
    let imported = client_post_csv(client, &format!("{base}/import/csv"), csv).await?;
    let _ = imported;
    // a few named holders, one with everything a personalised ticket needs
    let holder = client
        .post(&format!("{base}/contacts"), json!({ "title": "Dr", "firstName": "Grace", "lastName": "Hopper",
            "email": "grace@demo.tixbridge.local", "birthDate": "1906-12-09", "nationality": "US", "idNumber": "P1234567",
            "countryCode": "US", "hasInternetAccount": true }))
        .await?;
    let holder_id = holder["id"].as_i64().unwrap_or_default();
    let file = client
        .post(
            &format!("{base}/files"),
            json!({ "contactId": holder_id, "salesChannelCode": "WEB", "tickets": [
            { "productCode": "FINAL", "performanceCode": "F1", "seatCategoryCode": "CAT1", "tariffCode": "FULL",
              "shipmentModeCode": "MOB", "block": "VIP", "row": "1", "seat": "1", "priceCents": 9000, "currency": "CHF",
              "holderContactId": holder_id },
            { "productCode": "PASS", "shipmentModeCode": "MOB", "priceCents": 2500, "currency": "CHF" },
            { "productCode": "PASS", "shipmentModeCode": "MOB", "priceCents": 2500, "currency": "CHF" },
            { "productCode": "SEASONCARD", "shipmentModeCode": "MOB", "priceCents": 45000, "currency": "CHF" }
        ] }),
        )
        .await?;
    let _ = file;
    let listed =
        client.call(reqwest::Method::GET, &format!("{base}/tickets?status=NOT_PRINTED&limit=100"), None).await?;
    let match_tickets = ticket_ids(&listed);
    Ok(Seeded { match_tickets, mobile_tickets: MATCH_TICKETS + 3 })
}

fn ticket_ids(listed: &Value) -> Vec<i64> {
    let list = listed.as_array().or_else(|| listed["results"].as_array()).cloned().unwrap_or_default();
    list.iter().filter_map(|t| t["id"].as_i64()).collect()
}

async fn client_post_csv(client: &Client, path: &str, csv: String) -> anyhow::Result<Value> {
    let response = client
        .http
        .post(format!("{}{path}", client.app_url))
        .bearer_auth(&client.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    anyhow::ensure!(status.is_success(), "CSV import answered {status}: {answer}");
    Ok(answer)
}

pub async fn configure_interface(client: &Client, wallet_url: &str, api_key: &str) -> anyhow::Result<()> {
    client
        .post(
            &format!("{}/interface", base()),
            json!({
                "name": "TIXnGO wallet", "type": "TIXNGO", "url": wallet_url, "login": DEMO_LOGIN, "password": api_key,
                "notificationEmails": "ops@demo.tixbridge.local",
                "customParameters": "ticketIterationSize=500\nresetInjectionInvalidationReasons=MOBILE_TAKE_BACK"
            }),
        )
        .await?;
    Ok(())
}

pub async fn create_functions(client: &Client) -> anyhow::Result<Functions> {
    let path = format!("{}/interface/functions", base());
    let create = |kind: &'static str, name: &'static str, settings: Value| {
        let path = path.clone();
        async move {
            let created = client.post(&path, json!({ "kind": kind, "name": name, "settings": settings })).await?;
            Ok::<i64, anyhow::Error>(created["id"].as_i64().unwrap_or_default())
        }
    };
    Ok(Functions {
        injection: create(
            "INJECTION",
            "Ticket injection",
            json!({ "batchSize": 10000, "pointOfSale": "WEB;POS1", "mainApplicant": true }),
        )
        .await?,
        privileges: create("PRIVILEGES", "Season cards", json!({ "batchSize": 1000, "products": ["SEASONCARD"] }))
            .await?,
        push_cancelled: create(
            "PUSH_CANCELLED",
            "Push cancelled",
            json!({ "batchSize": 1000, "shipmentModes": ["MOB"] }),
        )
        .await?,
        push_controlled: create(
            "PUSH_CONTROLLED",
            "Push controlled",
            json!({ "batchSize": 10000, "shipmentModes": ["MOB"] }),
        )
        .await?,
        feedback: create("FEEDBACK", "Retrieve ticket status", json!({ "batchSize": 1000 })).await?,
    })
}

/// Cancels 5 and controls 10 injected match tickets, as the box office would.
pub async fn cancel_and_control(client: &Client, seeded: &Seeded) -> anyhow::Result<(usize, usize)> {
    let base = base();
    let ids = &seeded.match_tickets;
    anyhow::ensure!(ids.len() >= 15, "the demo needs at least 15 match tickets");
    for id in &ids[..5] {
        client.post(&format!("{base}/tickets/{id}/cancel"), json!({ "reason": "CANCELLATION" })).await?;
    }
    for id in &ids[5..15] {
        client.post(&format!("{base}/tickets/{id}/control"), json!({})).await?;
    }
    Ok((5, 10))
}
