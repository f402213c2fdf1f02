//! The gate over real HTTP on both databases: `POST /api/gate/scan` (which asks the wallet over
//! HTTP), every refusal reason, the signed offline bundle and the upload of offline scans.

use crate::common;

use crate::support::*;
use base64::Engine;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_wallet::gate::bundle::{OfflineGate, SignedBundle, verify_offline};
use tixbridge_wallet::gate::verify::GateResult;

async fn scan(app: &common::TestApp, key: &str, body: Value) -> Value {
    let (status, answer) = app.post_json("/api/gate/scan", key, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// Ada holds activated T1 (EV1) on her phone.
async fn activated(app: &common::TestApp, key: &str) -> (Spectator, i64) {
    inject(app, key, &["T1"], "EV1", "ada@example.org").await;
    set_event(app, key, "EV1", activation_due()).await;
    let ada = sign_in(app, "ada@example.org").await;
    let (id, ticket) = ada.fetch(app, "T1").await;
    assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
    (ada, id)
}

/// What a device keeps of an activated (or offline) ticket, to compute its codes itself.
struct Kit {
    secret: Vec<u8>,
    reference: String,
    period: i64,
}

impl Kit {
    async fn of(app: &common::TestApp, ada: &Spectator, ticket_id: &str) -> Kit {
        let (_, ticket) = ada.fetch(app, ticket_id).await;
        let entry = &ticket["entry"];
        let secret = base64::engine::general_purpose::STANDARD.decode(entry["deviceSecret"].as_str().unwrap()).unwrap();
        let reference = entry["codeReference"].as_str().unwrap().to_owned();
        Kit { secret, reference, period: entry["periodSeconds"].as_i64().unwrap() }
    }

    /// The code the device shows at `at`.
    fn code(&self, at: chrono::DateTime<Utc>) -> String {
        tixbridge_wallet::entry::rotating_code(&self.secret, &self.reference, self.period, at.timestamp_millis())
    }
}

on_both_databases! {
    async fn a_fresh_code_enters_once_then_the_same_code_is_replayed_and_another_is_already_controlled(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let gate = gate_token(&app, "org@example.org", &key, &["EV1"]).await;
        let (ada, id) = activated(&app, &key).await;
        let kit = Kit::of(&app, &ada, "T1").await;
        let code = ada.code(&app, id).await;
        let first = scan(&app, &gate, json!({ "code": code, "event": "EV1" })).await;
        assert_eq!((first["result"].as_str(), first["ticketId"].as_str(), first["eventId"].as_str()), (Some("ACCEPTED"), Some("T1"), Some("EV1")));
        assert_eq!(first["boxOffice"], "NOT_FOUND", "T1 is not a box-office ticket id");
        assert_eq!(scan(&app, &gate, json!({ "code": code })).await["result"], "REPLAYED");
        let next = kit.code(Utc::now() + Duration::seconds(15));
        assert_eq!(scan(&app, &gate, json!({ "code": next })).await["result"], "ALREADY_CONTROLLED");
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!(seen["status"], "CONTROLLED");
        assert_eq!(seen["history"].as_array().unwrap().last().unwrap()["actor"], "gate");
        let (status, _) = app.post_json("/api/gate/scan", "tbk_wrong", &json!({ "code": code })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = app.post_json("/api/gate/scan", &key, &json!({ "code": code })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "an organizer's API key is not a gate credential");
    }

    async fn concurrent_scans_of_the_same_codes_let_each_ticket_in_exactly_once(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let gate = gate_token(&app, "org@example.org", &key, &["EV1"]).await;
        inject(&app, &key, &["T1", "T2", "T3"], "EV1", "ada@example.org").await;
        set_event(&app, &key, "EV1", activation_due()).await;
        let ada = sign_in(&app, "ada@example.org").await;
        let mut codes = Vec::new();
        for ticket in ["T1", "T2", "T3"] {
            let (id, _) = ada.fetch(&app, ticket).await;
            codes.push(ada.code(&app, id).await);
        }
        // 24 gates at once: each code 8 times, interleaved, through the box office's gate
        let mut scanners = tokio::task::JoinSet::new();
        for i in 0..24 {
            let (client, url, gate, code) = (app.client.clone(), app.url("/api/gate/scan"), gate.clone(), codes[i % 3].clone());
            scanners.spawn(async move {
                let answer: Value = client.post(url).bearer_auth(gate).json(&json!({ "code": code })).send().await.unwrap().json().await.unwrap();
                (i % 3, answer["result"].as_str().unwrap_or_default().to_owned())
            });
        }
        let mut results = [Vec::new(), Vec::new(), Vec::new()];
        while let Some(scanned) = scanners.join_next().await {
            let (ticket, result) = scanned.unwrap();
            results[ticket].push(result);
        }
        for (ticket, seen) in ["T1", "T2", "T3"].iter().zip(&results) {
            assert_eq!(seen.iter().filter(|r| *r == "ACCEPTED").count(), 1, "{ticket}: {seen:?}");
            assert_eq!(seen.iter().filter(|r| *r == "REPLAYED").count(), 7, "{ticket}: {seen:?}");
            let history = organizer_ticket(&app, &key, ticket).await["history"].as_array().unwrap().clone();
            assert_eq!(history.iter().filter(|h| h["action"] == "CONTROL").count(), 1, "{ticket}: {history:?}");
        }
        let recorded: i64 = tixbridge_store::sql("SELECT COUNT(*) FROM wallet_gate_scans")
            .scalar(&mut app.app.db.reader().await.unwrap())
            .await
            .unwrap();
        assert_eq!(recorded, 24, "every scan recorded once");
        // the feed hands out each position once: three controls after three injections
        let (status, diff) = app.get_json("/api/organizer/tickets/diff?paginationKey=&limit=100", &key).await;
        assert_eq!(status, StatusCode::OK, "{diff}");
        let controlled = diff["tickets"].as_array().unwrap().iter().filter(|t| t["status"] == "CONTROLLED").count();
        assert_eq!(controlled, 3, "{diff}");
    }

    async fn every_refusal_reason_is_named(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (ada, id) = activated(&app, &key).await;
        let kit = Kit::of(&app, &ada, "T1").await;
        assert_eq!(verify(&app, &key, json!({ "code": "BC-T1" })).await["result"], "UNKNOWN");
        let code = ada.code(&app, id).await;
        let forged = format!("{}0000000000000000", &code[..code.len() - "0000000000000000".len()]);
        assert_eq!(verify(&app, &key, json!({ "code": forged })).await["result"], "UNKNOWN");
        let wrong_event = verify(&app, &key, json!({ "code": code, "event": "EV2" })).await;
        assert_eq!((wrong_event["result"].as_str(), wrong_event["eventId"].as_str()), (Some("WRONG_EVENT"), Some("EV1")));
        let held = kit.code(Utc::now() - Duration::seconds(15));
        let later = (Utc::now() + Duration::seconds(45)).to_rfc3339();
        assert_eq!(verify(&app, &key, json!({ "code": held, "scannedAt": later })).await["result"], "EXPIRED_CODE");
        let old = kit.code(Utc::now() - Duration::seconds(60));
        assert_eq!(verify(&app, &key, json!({ "code": old })).await["result"], "EXPIRED_CODE");

        let mut offline = tixbridge_domain::inject::example_ticket("T2", "EV1", "ada@example.org");
        offline["activationParameters"] = json!({ "method": "offline", "time": "2099-06-14T19:00:00+02:00" });
        app.post_json(TICKETS, &key, &json!([offline])).await;
        let not_yet = Kit::of(&app, &ada, "T2").await.code(Utc::now());
        assert_eq!(verify(&app, &key, json!({ "code": not_yet })).await["result"], "NOT_ACTIVE");

        inject(&app, &key, &["T3"], "EV1", "ada@example.org").await;
        let deleted = Kit::of(&app, &ada, "T3").await.code(Utc::now());
        app.post_json(&format!("{TICKETS}/delete"), &key, &json!([{ "ticketId": "T3" }])).await;
        assert_eq!(verify(&app, &key, json!({ "code": deleted })).await["result"], "DELETED");
        app.post_json(&format!("{TICKETS}/control"), &key, &json!([{ "ticketId": "T1" }])).await;
        let fresh = kit.code(Utc::now() + Duration::seconds(15));
        assert_eq!(verify(&app, &key, json!({ "code": fresh })).await["result"], "ALREADY_CONTROLLED");
        let other = app.organizer("other@example.org").await;
        assert_eq!(verify(&app, &other, json!({ "code": fresh })).await["result"], "UNKNOWN", "another organizer's gate");
    }

    async fn a_signed_bundle_verifies_codes_offline_and_offline_scans_upload_without_double_entry(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (ada, id) = activated(&app, &key).await;
        inject(&app, &key, &["T9"], "EV1", "ada@example.org").await;
        app.post_json(&format!("{TICKETS}/delete"), &key, &json!([{ "ticketId": "T9" }])).await;
        let (status, bundle) = app.get_json("/api/gate/bundle?event=EV1", &key).await;
        assert_eq!(status, StatusCode::OK, "{bundle}");
        let (_, public) = app.get_json("/api/gate/public-key", &key).await;
        let public: [u8; 32] = base64::engine::general_purpose::STANDARD.decode(public["publicKey"].as_str().unwrap()).unwrap().try_into().unwrap();
        let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
        let bundle: SignedBundle = serde_json::from_value(bundle).unwrap();
        let code = ada.code(&app, id).await;
        let now = Utc::now();
        assert_eq!(verify_offline(&bundle, &public, &code, now).unwrap().result, GateResult::Accepted);
        assert_eq!(verify_offline(&bundle, &public, &code, now + Duration::seconds(45)).unwrap().result, GateResult::ExpiredCode);
        assert_eq!(verify_offline(&bundle, &public, "garbage", now).unwrap().result, GateResult::Unknown);
        let mut gate = OfflineGate::open(&bundle, &public).unwrap();
        assert_eq!(gate.scan(&code, now).result, GateResult::Accepted);
        assert_eq!(gate.scan(&code, now).result, GateResult::Replayed);
        let payload = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&bundle.payload).unwrap()).unwrap();
        assert!(payload.contains("\"revoked\":[{\"ticketId\":\"T9\""), "{payload}");
        let mut tampered = bundle.clone();
        tampered.payload = base64::engine::general_purpose::STANDARD.encode(payload.replace("\"T9\"", "\"T8\""));
        assert!(verify_offline(&tampered, &public, &code, now).is_err());

        let scanned_at = now.to_rfc3339();
        let upload = json!({ "scans": [{ "code": code, "scannedAt": scanned_at }, { "code": code, "scannedAt": scanned_at }] });
        let (status, answer) = app.post_json("/api/organizer/gate/offline-scans", &key, &upload).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["results"][0]["result"], "ACCEPTED");
        assert_eq!(answer["results"][1]["result"], "REPLAYED");
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!(seen["status"], "CONTROLLED");
        assert_eq!(seen["history"].as_array().unwrap().iter().filter(|h| h["action"] == "CONTROL").count(), 1);
        let gate = gate_token(&app, "org@example.org", &key, &["EV1"]).await;
        assert_eq!(scan(&app, &gate, json!({ "code": code })).await["result"], "REPLAYED");
    }

    async fn an_accepted_scan_marks_the_box_office_ticket_controlled(app: TestApp) {
        let seeded = app.seed_match("GATE", 2).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("GATE", "INJECTION", common::seed::injection_settings()).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
        let id = seeded.ticket_ids[0];
        let key = &seeded.wallet_key;
        let event = organizer_ticket(&app, key, &id.to_string()).await["eventId"].as_str().unwrap().to_owned();
        set_event(&app, key, &event, activation_due()).await;
        let ada = sign_in(&app, "ada@gate.example.org").await;
        let (wallet_id, ticket) = ada.fetch(&app, &id.to_string()).await;
        assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
        let code = ada.code(&app, wallet_id).await;
        let gate = app.token("GATE", "gate", Some(vec![event.clone()])).await;
        let first = scan(&app, &gate, json!({ "code": code, "event": event })).await;
        assert_eq!((first["result"].as_str(), first["boxOffice"].as_str()), (Some("ACCEPTED"), Some("CONTROLLED")), "{first}");
        assert_eq!(app.ticket("GATE", id).await["status"], "CONTROLLED");
        assert_eq!(scan(&app, &gate, json!({ "code": code })).await["result"], "REPLAYED");
        assert_eq!(app.ticket("GATE", seeded.ticket_ids[1]).await["status"], "PRINTED", "only the scanned ticket");
    }
}
