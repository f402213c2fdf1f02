//! Transfers (docs/wallet-api.md#transfers) over real HTTP on both databases: offer,
//! accept, reject, cancel, expiry back to the sender, return to sender, the counters and
//! each event rule.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

fn statuses(ticket: &serde_json::Value) -> Vec<String> {
    ticket["history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap().to_owned()).collect()
}

on_both_databases! {
    async fn an_accepted_transfer_moves_the_ticket_and_counts_forward(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        set_event(&app, &key, "EV1", activation_due()).await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let old_code = ada.code(&app, id).await;
        let (status, offer) = ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "Bob@example.org" })).await;
        assert_eq!(status, StatusCode::OK, "{offer}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "PENDING_TRANSFER");
        let (status, _) = ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "carl@example.org" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "one offer at a time");

        let bob = sign_in(&app, "bob@example.org").await;
        let (_, offers) = bob.get(&app, "/api/spectator/transfers").await;
        let transfer = offers["results"][0]["transferId"].as_i64().unwrap();
        assert_eq!(offers["results"][0]["direction"], "incoming", "{offers}");
        let (status, _) = ada.post(&app, &format!("/api/spectator/transfers/{transfer}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "only the recipient accepts");
        let (status, done) = bob.post(&app, &format!("/api/spectator/transfers/{transfer}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!((seen["status"].as_str(), seen["owner"]["email"].as_str()), (Some("TRANSFERRED"), Some("bob@example.org")));
        assert_eq!((seen["forwardTransfers"].as_i64(), seen["previousOwner"]["email"].as_str()), (Some(1), Some("ada@example.org")));
        let (status, _) = ada.get(&app, &format!("/api/spectator/tickets/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no longer Ada's");
        assert_eq!(verify(&app, &key, json!({ "code": old_code })).await["result"], "UNKNOWN", "Ada's device no longer holds it");
        let (_, ticket) = bob.fetch(&app, "T1").await;
        assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
        assert_eq!(statuses(&organizer_ticket(&app, &key, "T1").await),
            ["INJECTED", "DOWNLOADED", "ONLINE_ACTIVATED", "PENDING_TRANSFER", "TRANSFERRED", "DOWNLOADED", "ONLINE_ACTIVATED"]);
    }

    async fn a_rejected_or_cancelled_transfer_comes_back_as_failure_transfer(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let (_, first) = ada.offer(&app, id, "bob@example.org").await;
        let bob = sign_in(&app, "bob@example.org").await;
        let (status, _) = bob.post(&app, &format!("/api/spectator/transfers/{}/reject", first["transferId"]), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "FAILURE_TRANSFER");
        let (_, second) = ada.offer(&app, id, "bob@example.org").await;
        let (status, _) = ada.post(&app, &format!("/api/spectator/transfers/{}/cancel", second["transferId"]), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!((seen["status"].as_str(), seen["owner"]["email"].as_str()), (Some("FAILURE_TRANSFER"), Some("ada@example.org")));
        assert_eq!(seen["forwardTransfers"], 0);
    }

    async fn an_offer_left_open_past_its_window_expires_back_to_the_sender_as_failure(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "bob@example.org" })).await;
        let db = &app.app.db;
        let in_71_hours = chrono::Utc::now() + chrono::Duration::hours(71);
        assert_eq!(tixbridge_wallet::expire_transfers(db, in_71_hours).await.unwrap(), 0);
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "PENDING_TRANSFER");
        let in_73_hours = chrono::Utc::now() + chrono::Duration::hours(73);
        assert_eq!(tixbridge_wallet::expire_transfers(db, in_73_hours).await.unwrap(), 1);
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!((seen["status"].as_str(), seen["owner"]["email"].as_str()), (Some("FAILURE"), Some("ada@example.org")));
        assert_eq!(seen["history"].as_array().unwrap().last().unwrap()["actor"], "timer");
        let bob = sign_in(&app, "bob@example.org").await;
        let (_, offers) = bob.get(&app, "/api/spectator/transfers").await;
        assert!(offers["results"].as_array().unwrap().is_empty());
    }

    async fn an_offer_the_organizer_cancels_goes_back_to_the_sender_as_failure(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1", "T2"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "bob@example.org" })).await;
        let cancel = json!([{ "ticketId": "T1" }, { "ticketId": "T2" }, { "ticketId": "NOPE" }]);
        let (status, answer) = app.post_json("/api/organizer/tickets/transfers/cancel", &key, &cancel).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let outcomes: Vec<&str> = answer["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["ACCEPTED", "REJECTED", "REJECTED"]);
        assert!(answer["results"][1]["reason"].as_str().unwrap().contains("none is pending"), "{answer}");
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!((seen["status"].as_str(), seen["owner"]["email"].as_str()), (Some("FAILURE"), Some("ada@example.org")));
        assert_eq!(seen["history"].as_array().unwrap().last().unwrap()["actor"], "organizer");
        let (_, again) = app.post_json("/api/organizer/tickets/transfers/cancel", &key, &json!([{ "ticketId": "T1" }])).await;
        assert_eq!(again["results"][0]["status"], "REJECTED", "cancelled once only");
    }

    async fn return_to_sender_gives_the_ticket_back_and_counts_backward(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let (status, _) = ada.post(&app, &format!("/api/spectator/tickets/{id}/return"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "nobody to return it to yet");
        let (_, offer) = ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "bob@example.org" })).await;
        let bob = sign_in(&app, "bob@example.org").await;
        bob.post(&app, &format!("/api/spectator/transfers/{}/accept", offer["transferId"]), json!({})).await;
        bob.fetch(&app, "T1").await;
        let (status, back) = bob.post(&app, &format!("/api/spectator/tickets/{id}/return"), json!({})).await;
        assert_eq!((status, back["recipient"].as_str()), (StatusCode::OK, Some("ada@example.org")));
        ada.post(&app, &format!("/api/spectator/transfers/{}/accept", back["transferId"]), json!({})).await;
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!(seen["owner"]["email"], "ada@example.org");
        assert_eq!((seen["forwardTransfers"].as_i64(), seen["backwardTransfers"].as_i64()), (Some(1), Some(1)));
    }

    async fn each_event_rule_refuses_a_transfer_with_a_reason(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["T2"], "EV2", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;

        set_event(&app, &key, "EV1", json!({ "transfersEnabled": false })).await;
        let (status, body) = ada.offer(&app, id, "bob@example.org").await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body["error"].as_str().unwrap().contains("disabled"), "{body}");

        set_event(&app, &key, "EV1", json!({ "maxTransfers": 0 })).await;
        let (_, body) = ada.offer(&app, id, "bob@example.org").await;
        assert!(body["error"].as_str().unwrap().contains("maximum of 0"), "{body}");

        set_event(&app, &key, "EV1", json!({ "transferAfterActivation": false, "activationAt": "2020-01-01T00:00:00Z" })).await;
        ada.fetch(&app, "T1").await;
        let (_, body) = ada.offer(&app, id, "bob@example.org").await;
        assert!(body["error"].as_str().unwrap().contains("after activation"), "{body}");

        let (t2, _) = ada.fetch(&app, "T2").await;
        app.post_json(&format!("{TICKETS}/control"), &key, &json!([{ "ticketId": "T2" }])).await;
        let (status, body) = ada.offer(&app, t2, "bob@example.org").await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body["error"].as_str().unwrap().contains("CONTROLLED"), "{body}");
        inject(&app, &key, &["T3"], "EV2", "ada@example.org").await;
        let (t3, _) = ada.fetch(&app, "T3").await;
        app.post_json(&format!("{TICKETS}/delete"), &key, &json!([{ "ticketId": "T3" }])).await;
        let (_, body) = ada.offer(&app, t3, "bob@example.org").await;
        assert!(body["error"].as_str().unwrap().contains("DELETION_PENDING"), "{body}");
        let (status, body) = app.client.put(app.url("/api/organizer/events/EV1/settings")).header("X-Api-Key", &key)
            .json(&json!({ "maxTransfers": -1 })).send().await.map(|r| (r.status(), r)).unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = body.json().await.unwrap();
        assert_eq!(body["field"], "maxTransfers");
    }
}
