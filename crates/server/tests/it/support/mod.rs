//! Helpers shared by the spectator, transfer and gate tests: injecting tickets, signing a
//! spectator in for real (a one-time link exchanged over HTTP), and calling as that spectator.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

use crate::common::TestApp;

pub mod axe;
pub mod cable;
pub mod chrome;
pub mod pages;

pub const TICKETS: &str = "/api/organizer/tickets";

/// A signed-in spectator: their session token, the device it names, and the CSRF token every
/// write of theirs carries.
pub struct Spectator {
    pub token: String,
    pub device_id: String,
    pub csrf: String,
}

/// The header the spectator API wants on writes made before sign-in (any non-empty value).
pub const CSRF_HEADER: (&str, &str) = ("X-CSRF-Token", "test");

/// Injects tickets for `event` landing in `email`'s wallet; ids are given.
pub async fn inject(app: &TestApp, key: &str, ids: &[&str], event: &str, email: &str) {
    let batch: Vec<Value> = ids.iter().map(|id| example_ticket(id, event, email)).collect();
    let (status, answer) = app.post_json(TICKETS, key, &Value::Array(batch)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["results"].as_array().unwrap().iter().all(|r| r["status"] == "ACCEPTED"), "{answer}");
}

pub async fn set_event(app: &TestApp, key: &str, event: &str, settings: Value) -> Value {
    let response = app
        .client
        .put(app.url(&format!("/api/organizer/events/{event}/settings")))
        .header("X-Api-Key", key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Activation already due: online tickets activate on their next fetch.
pub fn activation_due() -> Value {
    json!({ "activationAt": "2020-01-01T00:00:00Z" })
}

/// Signs `email` in with a freshly issued link, on a new device.
pub async fn sign_in(app: &TestApp, email: &str) -> Spectator {
    try_sign_in(app, email, None).await.unwrap_or_else(|(status, body)| panic!("sign-in refused: {status} {body}"))
}

pub async fn try_sign_in(
    app: &TestApp,
    email: &str,
    device_id: Option<&str>,
) -> Result<Spectator, (StatusCode, Value)> {
    let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &crate::common::test_key(), email)
        .await
        .unwrap()
        .expect("the spectator exists");
    let body = json!({ "token": issued.link_token, "deviceName": "test phone", "deviceId": device_id });
    let response = app
        .client
        .post(app.url("/api/spectator/session"))
        .header(CSRF_HEADER.0, CSRF_HEADER.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    if status != StatusCode::OK {
        return Err((status, body));
    }
    Ok(Spectator {
        token: body["sessionToken"].as_str().unwrap().to_owned(),
        device_id: body["deviceId"].as_str().unwrap().to_owned(),
        csrf: body["csrfToken"].as_str().unwrap().to_owned(),
    })
}

impl Spectator {
    pub async fn get(&self, app: &TestApp, path: &str) -> (StatusCode, Value) {
        let response = app.client.get(app.url(path)).bearer_auth(&self.token).send().await.unwrap();
        read(response).await
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
        let response = app
            .client
            .post(app.url(path))
            .bearer_auth(&self.token)
            .header("X-CSRF-Token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// The wallet id of own ticket `ticket_id` (from the list).
    pub async fn id_of(&self, app: &TestApp, ticket_id: &str) -> i64 {
        let (status, list) = self.get(app, "/api/spectator/tickets").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["results"].as_array().unwrap().iter().find(|t| t["ticketId"] == ticket_id).expect("own ticket")["id"]
            .as_i64()
            .unwrap()
    }

    /// Fetches own ticket `ticket_id` on this device; returns (id, ticket JSON).
    pub async fn fetch(&self, app: &TestApp, ticket_id: &str) -> (i64, Value) {
        let id = self.id_of(app, ticket_id).await;
        let (status, ticket) = self.get(app, &format!("/api/spectator/tickets/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        (id, ticket)
    }

    /// Offers own ticket `id` to `email`.
    pub async fn offer(&self, app: &TestApp, id: i64, email: &str) -> (StatusCode, Value) {
        self.post(app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": email })).await
    }

    /// The code this device shows now.
    pub async fn code(&self, app: &TestApp, id: i64) -> String {
        let (status, code) = self.get(app, &format!("/api/spectator/tickets/{id}/code")).await;
        assert_eq!(status, StatusCode::OK, "{code}");
        code["code"].as_str().unwrap().to_owned()
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The organizer's view of a ticket.
pub async fn organizer_ticket(app: &TestApp, key: &str, ticket_id: &str) -> Value {
    let (status, ticket) = app.get_json(&format!("{TICKETS}/{ticket_id}"), key).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    ticket
}

/// Scans at the wallet's verify endpoint.
pub async fn verify(app: &TestApp, key: &str, body: Value) -> Value {
    let (status, verdict) = app.post_json("/api/organizer/gate/verify", key, &body).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    verdict
}

/// A gate token, bound to `events`, of a box-office organization whose wallet interface uses
/// organizer `login`'s `key` (the gate verifies codes with those credentials).
pub async fn gate_token(app: &TestApp, login: &str, key: &str, events: &[&str]) -> String {
    app.create("/api/boxoffice/organizations", json!({ "code": "GATEORG", "name": "Gate club" })).await;
    let interface =
        json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url(TICKETS), "login": login, "password": key });
    app.create("/api/boxoffice/organizations/GATEORG/interface", interface).await;
    app.token("GATEORG", "gate", Some(events.iter().map(|e| (*e).to_owned()).collect())).await
}
