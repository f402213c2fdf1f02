//! The gate acts for one organization: its token names the organization (and its events), the
//! wallet is asked with that organization's interface credentials, and only that
//! organization's box-office ticket is ever controlled.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

on_both_databases! {
    async fn a_scan_never_controls_another_organizations_ticket_that_shares_the_wallet_ticket_id(app: TestApp) {
        // FCB's ticket is printed in FCB's wallet.
        let b = app.seed_match("FCB", 1).await;
        app.configure_interface(&b, None, json!({})).await;
        let injection = app.function("FCB", "INJECTION", crate::common::seed::injection_settings()).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        let b_ticket = b.ticket_ids[0];
        // FCA's own wallet organizer holds a ticket whose id happens to be FCB's box-office id.
        let a = app.seed_match("FCA", 0).await;
        app.configure_interface(&a, None, json!({})).await;
        inject(&app, &a.wallet_key, &[&b_ticket.to_string()], "EVA", "ada@fca.example.org").await;
        set_event(&app, &a.wallet_key, "EVA", activation_due()).await;
        let ada = sign_in(&app, "ada@fca.example.org").await;
        let (id, _) = ada.fetch(&app, &b_ticket.to_string()).await;
        let gate = app.token("FCA", "gate", Some(vec!["EVA".into()])).await;

        let (status, answer) = app.post_json("/api/gate/scan", &gate, &json!({ "code": ada.code(&app, id).await })).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!((answer["result"].as_str(), answer["boxOffice"].as_str()), (Some("ACCEPTED"), Some("NOT_FOUND")), "{answer}");
        assert_eq!(app.ticket("FCB", b_ticket).await["status"], "PRINTED", "FCB's ticket was not scanned at FCB's gate");
    }

    async fn a_gate_token_scans_only_for_its_events_and_a_refused_scan_uses_no_code_up(app: TestApp) {
        let a = app.seed_match("FCA", 0).await;
        app.configure_interface(&a, None, json!({})).await;
        inject(&app, &a.wallet_key, &["T1"], "EV1", "ada@fca.example.org").await;
        set_event(&app, &a.wallet_key, "EV1", activation_due()).await;
        let ada = sign_in(&app, "ada@fca.example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let code = ada.code(&app, id).await;
        let bound = app.token("FCA", "gate", Some(vec!["EV1".into()])).await;
        let unbound = app.token("FCA", "gate", None).await;

        let (status, refused) = app.post_json("/api/gate/scan", &bound, &json!({ "code": code, "event": "EV2" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::FORBIDDEN, Some("event")), "{refused}");
        let (status, refused) = app.post_json("/api/gate/scan", &unbound, &json!({ "code": code })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("event")), "{refused}");
        let (status, refused) = app.post_json("/api/gate/scan", &bound, &json!({ "code": code, "scanned": "typo" })).await;
        assert!(status.is_client_error(), "{status} {refused}");

        let (status, answer) = app.post_json("/api/gate/scan", &bound, &json!({ "code": code })).await;
        assert_eq!((status, answer["result"].as_str()), (StatusCode::OK, Some("ACCEPTED")), "{answer}");
        let (_, again) = app.post_json("/api/gate/scan", &unbound, &json!({ "code": code, "event": "EV1" })).await;
        assert_eq!(again["result"], "REPLAYED");
    }
}
