//! Controls only the wallet heard of come back to the box office, over real HTTP on both
//! databases (docs/products-and-statuses.md#box-office-moves): a gate working offline uploads
//! its scans to the wallet later, and the next feedback run controls the box-office tickets
//! the wallet let in — through the box office's own state machine.

use crate::common::seed::injection_settings;
use crate::support::{activation_due, set_event, sign_in};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases! {
    async fn a_ticket_scanned_offline_becomes_controlled_in_the_box_office_at_the_next_feedback_unless_cancelled_there(app: TestApp) {
        let seeded = app.seed_match("FCO", 3).await;
        let ids = seeded.ticket_ids.clone();
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("FCO", "INJECTION", injection_settings()).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 3);
        let feedback = app.function("FCO", "FEEDBACK", json!({ "batchSize": 1000 })).await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        let before = app.ticket("FCO", ids[0]).await;
        assert_eq!(before["status"], "PRINTED");

        // Ada's phone shows the codes; the gate checks them offline and uploads the scans later.
        let performance_id = before["performanceId"].as_i64().unwrap();
        set_event(&app, &seeded.wallet_key, &format!("P{performance_id}"), activation_due()).await;
        let ada = sign_in(&app, "ada@fco.example.org").await;
        let mut scans = Vec::new();
        for id in &ids[..2] {
            let (wallet_id, ticket) = ada.fetch(&app, &id.to_string()).await;
            assert_eq!(ticket["status"], "ONLINE_ACTIVATED", "{ticket}");
            scans.push(json!({ "code": ada.code(&app, wallet_id).await, "scannedAt": Utc::now().to_rfc3339() }));
        }
        // cancelled in the box office after the gate took its bundle, before any push
        let path = format!("/api/boxoffice/organizations/FCO/tickets/{}/cancel", ids[1]);
        assert!(app.post_json(&path, "", &json!({ "reason": "CANCELLATION" })).await.0.is_success());
        let (status, upload) =
            app.post_json("/api/organizer/gate/offline-scans", &seeded.wallet_key, &json!({ "scans": scans })).await;
        assert_eq!(status, StatusCode::OK, "{upload}");
        assert!(upload["results"].as_array().unwrap().iter().all(|r| r["result"] == "ACCEPTED"), "{upload}");
        assert_eq!(app.ticket("FCO", ids[0]).await["status"], "PRINTED", "only the wallet heard of it so far");

        let summary = app.run(feedback).await;
        assert_eq!(summary["counts"]["accepted"], 2, "{summary}");
        let controlled = app.ticket("FCO", ids[0]).await;
        assert_eq!((controlled["status"].as_str(), controlled["mobileStatus"].as_str()), (Some("CONTROLLED"), Some("CONTROLLED")), "{controlled}");
        assert_ne!(controlled["statusChangedAt"], before["statusChangedAt"]);
        let entry = controlled["mobileHistory"].as_array().unwrap().iter().find(|e| e["status"] == "CONTROLLED")
            .unwrap_or_else(|| panic!("the control is in the ticket's history: {controlled}"));
        assert_eq!(entry["detail"]["source"], "offline", "the scan the gate uploaded: {entry}");
        let cancelled = app.ticket("FCO", ids[1]).await;
        assert_eq!((cancelled["status"].as_str(), cancelled["mobileStatus"].as_str()), (Some("CANCELLED"), Some("CONTROLLED")), "a cancelled ticket is never valid again");
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        let line = run["log"].as_array().unwrap().iter().find(|l| l["ticket"].as_str() == Some(ids[1].to_string().as_str()))
            .unwrap_or_else(|| panic!("the disagreement is logged: {run}"));
        assert!(line["message"].as_str().unwrap().contains("CANCELLED"), "{line}");
        assert_eq!(app.ticket("FCO", ids[2]).await["status"], "PRINTED", "not scanned, not controlled");

        let again = app.run(feedback).await;
        assert_eq!((again["result"].as_str(), again["counts"]["selected"].as_u64()), (Some("OK"), Some(0)), "{again}");
        assert_eq!(app.ticket("FCO", ids[0]).await["statusChangedAt"], controlled["statusChangedAt"], "controlled once");
    }
}
