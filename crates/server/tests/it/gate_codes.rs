//! The entry code at the gate, over real HTTP on both databases: an online scan's `scannedAt`
//! stays near the server clock (older scans go through the offline upload), replays are told on
//! the parsed code whatever its spelling, only an accepted scan uses a code up, and neither the
//! code a device shows nor anything the spectator API gives carries the barcode.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tixbridge_wallet::gate::bundle::{OfflineGate, SignedBundle};
use tixbridge_wallet::gate::verify::GateResult;

use crate::common::TestApp;
use crate::support::*;

/// Ada holds activated T1 (EV1) on her phone; returns her, the wallet id and the fetched ticket.
async fn activated(app: &TestApp, key: &str) -> (Spectator, i64, Value) {
    inject(app, key, &["T1"], "EV1", "ada@example.org").await;
    set_event(app, key, "EV1", activation_due()).await;
    let ada = sign_in(app, "ada@example.org").await;
    let (id, ticket) = ada.fetch(app, "T1").await;
    assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
    (ada, id, ticket)
}

/// The code Ada's device shows at `at`, made from what the spectator API gave it.
fn code_at(ticket: &Value, at: DateTime<Utc>) -> String {
    let entry = &ticket["entry"];
    let secret = STANDARD.decode(entry["deviceSecret"].as_str().unwrap()).unwrap();
    let reference = entry["codeReference"].as_str().unwrap();
    tixbridge_wallet::entry::rotating_code(
        &secret,
        reference,
        entry["periodSeconds"].as_i64().unwrap(),
        at.timestamp_millis(),
    )
}

async fn verify_status(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    app.post_json("/api/organizer/gate/verify", key, &body).await
}

/// Other spellings of one code: `+N` and leading zeros in the step, upper case, whitespace.
fn respellings(code: &str) -> Vec<String> {
    let (head, value) = code.rsplit_once(':').unwrap();
    let (head, step) = head.rsplit_once(':').unwrap();
    vec![
        format!("{head}:+{step}:{value}"),
        format!("{head}:000{step}:{value}"),
        code.to_uppercase(),
        format!(" \t{code}\r\n"),
    ]
}

on_both_databases! {
    async fn a_backdated_scanned_at_is_refused_online_and_goes_through_the_offline_upload(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (_ada, _, ticket) = activated(&app, &key).await;
        let ten_minutes_ago = Utc::now() - Duration::minutes(10);
        let old_code = code_at(&ticket, ten_minutes_ago);
        for at in [ten_minutes_ago, Utc::now() + Duration::minutes(10)] {
            let (status, body) = verify_status(&app, &key, json!({ "code": old_code, "scannedAt": at.to_rfc3339() })).await;
            assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scannedAt")), "{body}");
            assert!(body["error"].as_str().unwrap().contains("offline-scans"), "{body}");
        }
        let gate = gate_token(&app, "org@example.org", &key, &["EV1"]).await;
        let (status, body) = app.post_json("/api/gate/scan", &gate, &json!({ "code": old_code, "scannedAt": ten_minutes_ago.to_rfc3339() })).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scannedAt")), "the gate passes the refusal on: {body}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "ONLINE_ACTIVATED", "nothing written");

        let (_, answer) = verify_status(&app, &key, json!({ "code": old_code })).await;
        assert_eq!(answer["result"], "EXPIRED_CODE", "scanned now, the old code is stale");
        let upload = json!({ "scans": [{ "code": old_code, "scannedAt": ten_minutes_ago.to_rfc3339() }] });
        let (status, answer) = app.post_json("/api/organizer/gate/offline-scans", &key, &upload).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["results"][0]["result"], "ACCEPTED", "the offline upload keeps its own rules");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "CONTROLLED");
    }

    async fn a_respelled_code_is_still_replayed_online_and_offline(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (ada, id, _) = activated(&app, &key).await;
        let (_, bundle) = app.get_json("/api/gate/bundle?event=EV1", &key).await;
        let bundle: SignedBundle = serde_json::from_value(bundle).unwrap();
        let (_, public) = app.get_json("/api/gate/public-key", &key).await;
        let public: [u8; 32] = STANDARD.decode(public["publicKey"].as_str().unwrap()).unwrap().try_into().unwrap();
        let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
        let code = ada.code(&app, id).await;

        assert_eq!(verify(&app, &key, json!({ "code": code, "event": "EV1" })).await["result"], "ACCEPTED");
        let mut gate = OfflineGate::open(&bundle, &public).unwrap();
        assert_eq!(gate.scan(&code, Utc::now()).result, GateResult::Accepted);
        for spelling in respellings(&code) {
            let online = verify(&app, &key, json!({ "code": spelling, "event": "EV1" })).await;
            assert_eq!((online["result"].as_str(), online["ticketId"].as_str()), (Some("REPLAYED"), Some("T1")), "{spelling:?}");
            assert_eq!(gate.scan(&spelling, Utc::now()).result, GateResult::Replayed, "offline: {spelling:?}");
        }
        let history = organizer_ticket(&app, &key, "T1").await["history"].clone();
        assert_eq!(history.as_array().unwrap().iter().filter(|h| h["action"] == "CONTROL").count(), 1);
    }

    async fn a_wrong_event_scan_does_not_use_the_code_up(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (ada, id, _) = activated(&app, &key).await;
        let code = ada.code(&app, id).await;
        let wrong = verify(&app, &key, json!({ "code": code, "event": "EV2" })).await;
        assert_eq!(wrong["result"], "WRONG_EVENT");
        let right = verify(&app, &key, json!({ "code": code, "event": "EV1" })).await;
        assert_eq!(right["result"], "ACCEPTED", "the fan walked to the right gate: {right}");
        assert_eq!(verify(&app, &key, json!({ "code": code, "event": "EV1" })).await["result"], "REPLAYED");
    }

    async fn the_code_carries_no_barcode_and_the_barcode_alone_is_refused(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (ada, id, ticket) = activated(&app, &key).await;
        assert!(!ticket.to_string().contains("BC-T1"), "the spectator API never gives the barcode: {ticket}");
        let (status, shown) = ada.get(&app, &format!("/api/spectator/tickets/{id}/code")).await;
        assert_eq!(status, StatusCode::OK);
        let code = shown["code"].as_str().unwrap().to_owned();
        assert!(!shown.to_string().contains("BC-T1") && code.starts_with("TB2:"), "{shown}");
        let (_, bundle) = app.get_json("/api/gate/bundle?event=EV1", &key).await;
        let payload = String::from_utf8(STANDARD.decode(bundle["payload"].as_str().unwrap()).unwrap()).unwrap();
        assert!(!payload.contains("BC-T1"), "{payload}");

        let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &crate::common::test_key(), "ada@example.org").await.unwrap().unwrap();
        let form = [("token", issued.link_token.clone()), ("ticket", id.to_string())];
        let signed_in = app.client.post(app.url("/wallet/sign-in/link")).form(&form).send().await.unwrap();
        let cookie = signed_in.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned()).collect::<Vec<_>>().join("; ");
        let page = signed_in.text().await.unwrap();
        assert!(page.contains("<svg") && !page.contains("BC-T1"), "{page}");
        let svg = app.client.get(app.url(&format!("/wallet/tickets/{id}/code.svg"))).header(COOKIE, cookie).send().await.unwrap();
        assert!(!svg.text().await.unwrap().contains("BC-T1"));

        let gate = gate_token(&app, "org@example.org", &key, &["EV1"]).await;
        let old_format = format!("TB1:{}:{}:0000000000000000:BC-T1", ada.device_id, Utc::now().timestamp() / 15);
        for plain in ["BC-T1", old_format.as_str()] {
            assert_eq!(verify(&app, &key, json!({ "code": plain })).await["result"], "UNKNOWN", "{plain}");
            let (status, scanned) = app.post_json("/api/gate/scan", &gate, &json!({ "code": plain })).await;
            assert_eq!((status, scanned["result"].as_str()), (StatusCode::OK, Some("UNKNOWN")), "{scanned}");
        }
        assert_eq!(verify(&app, &key, json!({ "code": code })).await["result"], "ACCEPTED", "the shown code works");
    }
}
