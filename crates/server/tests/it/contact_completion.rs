//! Contact completion (docs/interface.md#contacts-and-distribution) end to end: a spectator
//! gives their details to the wallet, the wallet's feed carries them with the owner and the
//! holder, and feedback completes the box office's contact of a transfer's recipient with
//! every field it has — never leaving it "Pending CREATION". Over real HTTP, on both
//! databases.

use crate::common;
use crate::support::{Spectator, sign_in};

use crate::common::seed::{Seeded, injection_settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Seeds one ticket of `org`, injects it to Ada, and creates a feedback function.
async fn injected(app: &common::TestApp, org: &str) -> (Seeded, i64) {
    let seeded = app.seed_match(org, 1).await;
    app.configure_interface(&seeded, None, json!({})).await;
    let injection = app.function(org, "INJECTION", injection_settings()).await;
    assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
    let feedback = app.function(org, "FEEDBACK", json!({ "batchSize": 100 })).await;
    (seeded, feedback)
}

/// Ada offers her ticket to `recipient`; feedback reports the offer.
async fn offered(app: &common::TestApp, seeded: &Seeded, feedback: i64, recipient: &str) -> Spectator {
    let ada = sign_in(app, &format!("ada@{}.example.org", seeded.org.to_lowercase())).await;
    let (id, _) = ada.fetch(app, &seeded.ticket_ids[0].to_string()).await;
    let (status, offer) = ada.offer(app, id, recipient).await;
    assert_eq!(status, StatusCode::OK, "{offer}");
    assert_eq!(app.run(feedback).await["result"], "OK");
    ada
}

/// The recipient accepts the open offer; returns their session and the wallet's ticket id.
async fn accepted(app: &common::TestApp, recipient: &Spectator, ticket_id: &str) -> i64 {
    let (_, offers) = recipient.get(app, "/api/spectator/transfers").await;
    let transfer = offers["results"][0]["transferId"].as_i64().unwrap();
    let (status, done) = recipient.post(app, &format!("/api/spectator/transfers/{transfer}/accept"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    recipient.fetch(app, ticket_id).await.0
}

async fn put_profile(app: &common::TestApp, spectator: &Spectator, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client
        .put(app.url("/api/spectator/profile"))
        .bearer_auth(&spectator.token)
        .header("X-CSRF-Token", &spectator.csrf)
        .json(body)
        .send()
        .await
        .unwrap();
    common::read(response).await
}

/// The organization's contacts with `email`.
async fn contacts(app: &common::TestApp, org: &str, email: &str) -> Vec<Value> {
    let found = app.bo_get(&format!("/api/boxoffice/organizations/{org}/contacts?email={email}")).await;
    found.as_array().or_else(|| found["results"].as_array()).unwrap().clone()
}

on_both_databases! {
    async fn a_transfer_recipient_becomes_a_contact_with_every_detail_they_gave_the_wallet(app: TestApp) {
        let (seeded, feedback) = injected(&app, "FCD").await;
        let ticket_id = seeded.ticket_ids[0].to_string();
        offered(&app, &seeded, feedback, "Bob@Example.org").await;
        let pending = contacts(&app, "FCD", "bob@example.org").await;
        assert_eq!((pending.len(), pending[0]["lastName"].as_str()), (1, Some("Pending CREATION")), "{pending:?}");

        let bob = sign_in(&app, "bob@example.org").await;
        let profile = json!({ "title": "Mr", "firstName": "Bob", "lastName": "Builder", "phone": "+41 79 123 45 67",
            "birthDate": "1985-03-04", "nationality": "ch", "idNumber": "X1234567", "countryCode": "CH",
            "language": "fr-CH", "consentMarketing": true, "consentThirdParty": false });
        let (status, saved) = put_profile(&app, &bob, &profile).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["nationality"], "CH");
        let (status, refused) = put_profile(&app, &bob, &json!({ "birthDate": "04/03/1985" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("birthDate")), "{refused}");
        let id = accepted(&app, &bob, &ticket_id).await;
        let holder = json!({ "title": "Ms", "firstName": "Carla", "lastName": "Builder", "birthDate": "2010-05-06",
            "nationality": "FR", "idNumber": "P998877", "countryCode": "FR" });
        let (status, named) = bob.post(&app, &format!("/api/spectator/tickets/{id}/holder"), holder).await;
        assert_eq!(status, StatusCode::OK, "{named}");

        // the wallet's feed carries what the owner and the holder gave
        let (_, page) = app.get_json("/api/organizer/tickets/diff?paginationKey=", &seeded.wallet_key).await;
        let fed = page["tickets"].as_array().unwrap().iter().find(|t| t["ticketId"] == ticket_id.as_str()).unwrap();
        for (key, value) in [("title", json!("Mr")), ("lastName", json!("Builder")), ("phone", json!("+41 79 123 45 67")),
            ("birthDate", json!("1985-03-04")), ("nationality", json!("CH")), ("idNumber", json!("X1234567")),
            ("countryCode", json!("CH")), ("language", json!("fr-CH")), ("consentMarketing", json!(true)),
            ("consentThirdParty", json!(false))] {
            assert_eq!(fed["owner"][key], value, "owner.{key}: {fed}");
        }
        for (key, value) in [("title", "Ms"), ("firstName", "Carla"), ("nationality", "FR"), ("idNumber", "P998877"), ("countryCode", "FR")] {
            assert_eq!(fed["holder"][key], value, "holder.{key}: {fed}");
        }

        let run = app.run(feedback).await;
        assert_eq!(run["result"], "OK", "{run}");
        let list = contacts(&app, "FCD", "bob@example.org").await;
        assert_eq!(list.len(), 1, "completed, never duplicated: {list:?}");
        let bob_contact = &list[0];
        for (key, value) in [("title", json!("Mr")), ("firstName", json!("Bob")), ("lastName", json!("Builder")),
            ("phone", json!("+41 79 123 45 67")), ("birthDate", json!("1985-03-04")), ("nationality", json!("CH")),
            ("idNumber", json!("X1234567")), ("countryCode", json!("CH")), ("language", json!("fr-CH")),
            ("consentMarketing", json!(true)), ("consentThirdParty", json!(false)), ("temporary", json!(false)),
            ("pendingCreation", json!(false)), ("hasInternetAccount", json!(true))] {
            assert_eq!(bob_contact[key], value, "contact.{key}: {bob_contact}");
        }
        let ticket = app.ticket("FCD", seeded.ticket_ids[0]).await;
        assert_eq!(ticket["contactId"], bob_contact["id"], "the ticket's contact is the recipient");
        let wallet_holder: Value = match &ticket["walletHolder"] {
            Value::String(text) => serde_json::from_str(text).unwrap(),
            other => other.clone(),
        };
        assert_eq!((wallet_holder["idNumber"].as_str(), wallet_holder["nationality"].as_str()), (Some("P998877"), Some("FR")),
            "the box office keeps the holder the wallet reported: {ticket}");
    }

    async fn a_completed_contact_never_keeps_pending_creation_even_when_the_wallet_knows_no_name(app: TestApp) {
        let (seeded, feedback) = injected(&app, "FCN").await;
        offered(&app, &seeded, feedback, "dora@example.org").await;
        let dora = sign_in(&app, "dora@example.org").await;
        accepted(&app, &dora, &seeded.ticket_ids[0].to_string()).await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        let list = contacts(&app, "FCN", "dora@example.org").await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_ne!(list[0]["lastName"], "Pending CREATION", "{}", list[0]);
        assert_eq!((list[0]["pendingCreation"].as_bool(), list[0]["temporary"].as_bool()), (Some(false), Some(false)), "{}", list[0]);
    }
}
