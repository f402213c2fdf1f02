//! Interface configuration rules (docs/interface.md#configuration,
//! docs/interface.md#custom-parameters) and automatic schedules, on both databases.

use crate::common;

use serde_json::{Value, json};

fn interface(url: &str, extra: Value) -> Value {
    let mut body = json!({ "name": "Wallet", "type": "TIXNGO", "url": url, "login": "wallet@fcg.example.org",
                           "password": "tbk_secret_value" });
    common::seed::merge(&mut body, extra);
    body
}

on_both_databases! {
    async fn each_broken_configuration_rule_is_refused_naming_the_field_and_nothing_is_written(app: TestApp) {
        app.seed_match("FCG", 0).await;
        let path = "/api/boxoffice/organizations/FCG/interface";
        let good = app.url("/api/organizer/tickets");
        for (body, field) in [
            (interface(&app.url("/api/organizer"), json!({})), "url"),
            (interface(&good, json!({ "login": "not-an-email" })), "login"),
            (interface(&good, json!({ "password": null })), "password"),
            (interface(&good, json!({ "notificationEmails": "ops@example.org, nope" })), "notificationEmails"),
            (interface(&good, json!({ "customParameters": "ticketIterationSize=0" })), "customParameters"),
            (interface(&good, json!({ "customParameters": "noSuchKey=1" })), "customParameters"),
            (interface(&good, json!({ "type": "PAPER" })), "type"),
        ] {
            let (status, answer) = app.post_json(path, "", &body).await;
            assert_eq!(status.as_u16(), 422, "{answer}");
            assert_eq!(answer["field"], field, "{answer}");
        }
        let (status, _) = app.get_json(path, "").await;
        assert_eq!(status.as_u16(), 404, "nothing half-written");
    }

    async fn the_password_is_sealed_never_shown_and_one_interface_per_organization(app: TestApp) {
        app.seed_match("FCG", 0).await;
        let path = "/api/boxoffice/organizations/FCG/interface";
        let created = app.create(path, interface(&app.url("/api/organizer/tickets"), json!({}))).await;
        assert!(!created.to_string().contains("tbk_secret_value"));
        assert_eq!(created["passwordSet"], true);
        let shown = app.bo_get(path).await;
        assert!(!shown.to_string().contains("tbk_secret_value"));
        let stored: Vec<u8> = tixbridge_store::sql("SELECT password_sealed FROM itf_interfaces")
            .scalar(&mut app.app.db.reader().await.unwrap()).await.unwrap();
        assert!(!stored.windows(16).any(|w| w == b"tbk_secret_value"), "sealed at rest");
        let (status, answer) = app.post_json(path, "", &interface(&app.url("/api/organizer/tickets"), json!({}))).await;
        assert_eq!(status.as_u16(), 409);
        assert_eq!(answer["field"], "organization");
    }

    async fn only_the_inventory_owner_may_hold_the_interface(app: TestApp) {
        app.seed_match("FCG", 0).await;
        app.create("/api/boxoffice/organizations", json!({ "code": "SHOP", "name": "Shop", "parentCode": "FCG", "ownsInventory": false })).await;
        let (status, answer) = app.post_json("/api/boxoffice/organizations/SHOP/interface", "",
            &interface(&app.url("/api/organizer/tickets"), json!({}))).await;
        assert_eq!(status.as_u16(), 409, "{answer}");
        assert!(answer["error"].as_str().unwrap().contains("owns the inventory"));
    }

    async fn only_one_active_feedback_function_per_wallet_organizer(app: TestApp) {
        let seeded = app.seed_match("FCG", 0).await;
        app.configure_interface(&seeded, None, json!({})).await;
        app.function("FCG", "FEEDBACK", json!({ "batchSize": 100 })).await;
        let (status, answer) = app.post_json("/api/boxoffice/organizations/FCG/interface/functions", "",
            &json!({ "kind": "FEEDBACK", "name": "second", "settings": { "batchSize": 100 } })).await;
        assert_eq!(status.as_u16(), 422, "{answer}");
        assert_eq!(answer["field"], "active");
        let inactive = json!({ "kind": "FEEDBACK", "name": "spare", "active": false, "settings": { "batchSize": 100 } });
        app.create("/api/boxoffice/organizations/FCG/interface/functions", inactive).await;
    }

    async fn an_automatic_function_runs_when_due_and_is_planned_on_the_clock(app: TestApp) {
        let seeded = app.seed_match("FCA", 3).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let body = json!({ "kind": "INJECTION", "name": "every 5 min", "launch": "AUTOMATIC", "frequencyMinutes": 5,
                           "settings": common::seed::injection_settings() });
        let function = app.create("/api/boxoffice/organizations/FCA/interface/functions", body).await;
        let id = function["id"].as_i64().unwrap();
        let planned = chrono::DateTime::parse_from_rfc3339(function["nextRunAt"].as_str().unwrap()).unwrap();
        assert_eq!(planned.timestamp() % 300, 0, "aligned on the clock: {planned}");
        assert!(tixbridge_interface::scheduler::tick(&app.app.engine).await.is_empty(), "not due yet");

        tixbridge_store::sql("UPDATE itf_functions SET next_run_at = 0 WHERE id = $1")
            .bind(id).execute(&mut app.app.db.writer().await.unwrap()).await.unwrap();
        for run in tixbridge_interface::scheduler::tick(&app.app.engine).await {
            run.await.unwrap();
        }
        let runs = app.bo_get(&format!("/api/boxoffice/functions/{id}/runs")).await;
        assert_eq!(runs["results"].as_array().unwrap().len(), 1);
        assert_eq!(runs["results"][0]["counts"]["accepted"], 3);
        let after = app.bo_get(&format!("/api/boxoffice/functions/{id}")).await;
        let next = chrono::DateTime::parse_from_rfc3339(after["nextRunAt"].as_str().unwrap()).unwrap();
        assert!(next > chrono::Utc::now() && next.timestamp() % 300 == 0, "next run on the next 5-minute mark: {next}");
        assert!(tixbridge_interface::scheduler::tick(&app.app.engine).await.is_empty());
    }
}
