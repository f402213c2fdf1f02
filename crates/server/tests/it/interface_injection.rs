//! The injection function end to end: box office → real HTTP → wallet, on both databases.

use crate::common;

use crate::common::seed::{injection_settings, merge};
use serde_json::{Value, json};

async fn wallet_count(app: &common::TestApp, key: &str) -> usize {
    let (_, page) = app.get_json("/api/organizer/tickets/diff?limit=10000", key).await;
    page["tickets"].as_array().map_or(0, Vec::len)
}

async fn printed(app: &common::TestApp, org: &str, ids: &[i64]) -> usize {
    let mut n = 0;
    for id in ids {
        if app.ticket(org, *id).await["status"] == "PRINTED" {
            n += 1;
        }
    }
    n
}

fn settings(extra: Value) -> Value {
    let mut s = injection_settings();
    merge(&mut s, extra);
    s
}

on_both_databases! {
    async fn injection_prints_every_selected_ticket_exactly_once_in_the_wallet(app: TestApp) {
        let seeded = app.seed_match("FCA", 30).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCA", "INJECTION", injection_settings()).await;
        let summary = app.run(function).await;
        assert_eq!(summary["result"], "OK", "{summary}");
        assert_eq!(summary["counts"]["accepted"], 30);
        assert_eq!(summary["counts"]["sent"], 30);
        assert_eq!(printed(&app, "FCA", &seeded.ticket_ids).await, 30);
        assert_eq!(wallet_count(&app, &seeded.wallet_key).await, 30);
        let (_, wallet) = app.wallet_ticket(&seeded, seeded.ticket_ids[0]).await;
        assert_eq!(wallet["status"], "INJECTED");
        assert_eq!(wallet["event"]["name"], "Lions - Eagles");
        assert_eq!(wallet["event"]["startTime"], "2099-06-14T21:00:00+02:00");
        assert_eq!(wallet["event"]["expirationDate"], "2099-06-14T23:00:00+02:00");
        assert_eq!(wallet["owner"]["email"], "ada@fca.example.org");

        let again = app.run(function).await;
        assert_eq!(again["counts"]["selected"], 0, "a synced ticket is never sent again: {again}");
        assert_eq!(wallet_count(&app, &seeded.wallet_key).await, 30);
    }

    async fn simulation_reports_what_would_be_sent_and_changes_nothing(app: TestApp) {
        let seeded = app.seed_match("FCS", 5).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCS", "INJECTION", settings(json!({ "simulation": true, "barcodePrefix": "X-" }))).await;
        let summary = app.run(function).await;
        assert_eq!(summary["simulation"], true);
        assert_eq!(summary["counts"]["selected"], 5);
        assert_eq!(summary["counts"]["sent"], 0);
        assert_eq!(printed(&app, "FCS", &seeded.ticket_ids).await, 0);
        assert_eq!(wallet_count(&app, &seeded.wallet_key).await, 0);
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        let would: Value = serde_json::from_str(run["dump"].as_str().unwrap()).unwrap();
        assert_eq!(would.as_array().unwrap().len(), 5);
        assert!(would[0]["security"]["barcode"].as_str().unwrap().starts_with("X-"));
    }

    async fn filters_combine_and_a_file_number_selects_only_that_file(app: TestApp) {
        let seeded = app.seed_match("FCF", 6).await;
        let other_file = app.issue_tickets("FCF", seeded.contact_id, 3, "MOB").await;
        let away = app.issue_tickets("FCF", seeded.contact_id, 2, "AWAYMOB").await;
        app.configure_interface(&seeded, None, json!({})).await;
        let cat1 = app.function("FCF", "INJECTION", settings(json!({ "seatCategories": ["CAT1"], "tariffs": ["FULL"] }))).await;
        let summary = app.run(cat1).await;
        assert_eq!(summary["counts"]["accepted"], 5, "3 + 2 CAT1 tickets, no away tickets: {summary}");
        let file_number = app.ticket("FCF", other_file[0]).await["fileNumber"].as_str().unwrap().to_owned();
        let by_file = app.function("FCF", "INJECTION", settings(json!({ "fileNumber": file_number }))).await;
        let summary = app.run(by_file).await;
        assert_eq!(summary["counts"]["accepted"], 1, "the file's one CAT2 ticket left: {summary}");
        assert_eq!(app.ticket("FCF", away[0]).await["status"], "NOT_PRINTED");
        let (status, body) = app.post_json("/api/boxoffice/organizations/FCF/interface/functions", "", &json!({
            "kind": "INJECTION", "name": "bad", "settings": settings(json!({ "fileNumber": "F1", "products": ["FINAL"] }))
        })).await;
        assert_eq!(status.as_u16(), 422);
        assert_eq!(body["field"], "fileNumber");
    }

    async fn a_ticket_the_wallet_would_refuse_fails_alone_and_keeps_the_function_in_error_until_skipped(app: TestApp) {
        let seeded = app.seed_match("FCP", 4).await;
        let (_, contact) = app.post_json("/api/boxoffice/organizations/FCP/contacts", "", &json!({
            "firstName": "Walk-in", "lastName": "Buyer"
        })).await;
        let bad = app.issue_tickets("FCP", contact["id"].as_i64().unwrap(), 1, "MOB").await[0];
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCP", "INJECTION", injection_settings()).await;
        let summary = app.run(function).await;
        assert_eq!(summary["result"], "ERROR");
        assert_eq!(summary["counts"]["accepted"], 4);
        assert_eq!(summary["counts"]["rejected"], 1);
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        let line = &run["log"][0];
        assert_eq!(line["ticket"], bad.to_string());
        assert!(line["message"].as_str().unwrap().contains("spectatorDetails.email"), "{line}");
        assert_eq!(app.run(function).await["result"], "ERROR", "still failing, still reported");

        let (status, _) = app.send(reqwest::Method::PUT, &format!("/api/boxoffice/functions/{function}"), "",
            Some(&json!({ "kind": "INJECTION", "name": "inj", "settings": settings(json!({ "skipTickets": format!("id:{bad}") })) }))).await;
        assert!(status.is_success());
        let summary = app.run(function).await;
        assert_eq!(summary["result"], "WARNING", "{summary}");
        assert_eq!(summary["counts"]["skipped"], 1);
    }

    async fn mandatory_holder_fields_hold_back_tickets_whose_holder_lacks_them(app: TestApp) {
        let seeded = app.seed_match("FCH", 2).await;
        let (_, complete) = app.post_json("/api/boxoffice/organizations/FCH/contacts", "", &json!({
            "firstName": "Grace", "lastName": "Hopper", "email": "grace@example.org", "birthDate": "1906-12-09"
        })).await;
        let with_birth_date = app.issue_tickets("FCH", complete["id"].as_i64().unwrap(), 1, "MOB").await[0];
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCH", "INJECTION", settings(json!({
            "mandatoryHolderFields": ["FIRSTNAME", "LASTNAME", "BIRTHDATE"], "mainApplicant": true
        }))).await;
        let summary = app.run(function).await;
        assert_eq!(summary["counts"]["accepted"], 1, "{summary}");
        let (_, wallet) = app.wallet_ticket(&seeded, with_birth_date).await;
        assert_eq!(wallet["ticket"]["spectatorDetails"]["birthDate"], "1906-12-09");
        assert_eq!(wallet["ticket"]["spectatorDetails"]["mainApplicant"], true);
        assert_eq!(app.ticket("FCH", seeded.ticket_ids[0]).await["status"], "NOT_PRINTED");
    }

    async fn a_batch_larger_than_the_iteration_size_goes_as_several_calls_in_one_run(app: TestApp) {
        let seeded = app.seed_match("FCI", 20).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=7\nmaxLengthDumpedCallsInKbs=512" })).await;
        let function = app.function("FCI", "INJECTION", settings(json!({ "batchSize": 15 }))).await;
        let summary = app.run(function).await;
        assert_eq!(summary["counts"]["accepted"], 15);
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        assert_eq!(run["dump"].as_str().unwrap().matches(">>> ").count(), 3, "7 + 7 + 1");
        assert_eq!(app.run(function).await["counts"]["accepted"], 5);
    }
}
