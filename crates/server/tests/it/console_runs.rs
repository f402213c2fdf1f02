//! Runs from the console: a running run can be cancelled (by a role that may run functions),
//! stops before its next wallet call and ends ERROR naming who cancelled it, keeping what it
//! committed, and reads "Cancelled" in the console; a failed run says why and is retried from
//! its page by an operator, never by a viewer; a simulation is refused for a kind that cannot
//! simulate.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::injection_settings;
use crate::console_access::signed_in;

/// The run's API view, read as FCA's admin.
async fn run_view(app: &TestApp, run: &str) -> Value {
    let token = app.admin_token_for("FCA").await;
    app.get_json(&format!("/api/boxoffice/runs/{run}"), &token).await.1
}

/// Reads the run until `done` holds (at most 30 s).
async fn until(app: &TestApp, run: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let view = run_view(app, run).await;
        if done(&view) {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {run} never reached the awaited state: {}", run_view(app, run).await)
}

on_both_databases! {
    async fn an_operator_cancels_a_running_run_which_stops_before_its_next_wallet_call_keeping_what_it_committed(app: TestApp) {
        let seeded = app.seed_match("FCA", 10).await;
        let proxy = FaultProxy::start(&app.url("")).await;
        app.configure_interface(&seeded, Some(&proxy.tickets_url()), json!({ "customParameters": "ticketIterationSize=1" })).await;
        let function = app.function("FCA", "INJECTION", injection_settings()).await;
        // the first page goes through; every later one is held two seconds at the wallet's door
        proxy.set(Fault::StallTicketsFrom { ticket_id: seeded.ticket_ids[1], stall: Duration::from_secs(2) });
        let mut operator = signed_in(&app, "FCA", "operator").await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;
        let csrf = operator.csrf().await;
        let started = operator.post(&format!("/console/functions/{function}/run"), &[("csrf", &csrf)]).await;
        let run = started.location.strip_prefix("/console/runs/").expect("the run's page").to_owned();
        until(&app, &run, |view| view["counts"]["accepted"].as_u64() >= Some(1)).await;

        let page = operator.get(&format!("/console/runs/{run}")).await;
        assert!(page.html.contains("id=\"cancel-run\""), "a running run offers cancel");
        assert!(!viewer.get(&format!("/console/runs/{run}")).await.html.contains("id=\"cancel-run\""));
        let viewer_csrf = viewer.csrf().await;
        let refused = viewer.post(&format!("/console/runs/{run}/cancel"), &[("csrf", &viewer_csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(run_view(&app, &run).await["cancelRequestedBy"].is_null());

        let cancelled = operator.post(&format!("/console/runs/{run}/cancel"), &[("csrf", &csrf)]).await;
        assert_eq!((cancelled.status, cancelled.location.clone()), (StatusCode::SEE_OTHER, format!("/console/runs/{run}")));
        let ended = until(&app, &run, |view| view["result"] != "RUNNING").await;
        assert_eq!(ended["result"], "ERROR", "{ended}");
        assert_eq!(ended["cause"], "cancelled by operator operator@fca.example.org", "{ended}");
        let accepted = ended["counts"]["accepted"].as_u64().unwrap();
        assert!((1..10).contains(&accepted), "stopped before sending everything: {ended}");
        let printed = printed_count(&app, &seeded.ticket_ids).await;
        assert_eq!(printed as u64, accepted, "what was accepted stays committed, nothing else");
        // the console reads it "Cancelled", by whom and when, not as a failure
        let page = operator.get(&format!("/console/runs/{run}")).await;
        assert!(page.html.contains("<span class=\"result result-cancelled\">Cancelled</span>"), "{}", page.html);
        assert!(page.html.contains("Cancelled by operator operator@fca.example.org at 20"), "{}", page.html);
        assert!(!page.html.contains("Why it failed"), "{}", page.html);
        assert!(ended["cancelRequestedAt"].is_string(), "{ended}");
        let history = operator.get(&format!("/console/functions/{function}")).await;
        assert!(history.html.contains(">Cancelled</span>"), "{}", history.html);
        let dashboard = operator.get("/console/").await;
        assert!(dashboard.html.contains(">Cancelled</span>"), "{}", dashboard.html);

        let token = app.admin_token_for("FCA").await;
        let (status, again) = app.post_json(&format!("/api/boxoffice/runs/{run}/cancel"), &token, &Value::Null).await;
        assert_eq!((status, again["field"].as_str()), (StatusCode::CONFLICT, Some("run")), "{again}");
    }

    async fn a_failed_run_says_why_and_an_operator_retries_it_from_its_page_while_a_viewer_is_neither_offered_nor_allowed(app: TestApp) {
        let seeded = app.seed_match("FCA", 2).await;
        app.configure_interface(&seeded, Some("http://127.0.0.1:9/api/organizer/tickets"), json!({})).await;
        let function = app.function("FCA", "INJECTION", injection_settings()).await;
        let token = app.admin_token_for("FCA").await;
        let (_, failed) = app.post_json(&format!("/api/boxoffice/functions/{function}/runs"), &token, &Value::Null).await;
        assert_eq!(failed["result"], "ERROR", "{failed}");
        let failed = failed["runId"].as_i64().unwrap();
        let mut operator = signed_in(&app, "FCA", "operator").await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;

        let page = operator.get(&format!("/console/runs/{failed}")).await;
        assert!(page.html.contains("Why it failed: ") && page.html.contains("unreachable"), "{}", page.html);
        assert!(page.html.contains("id=\"retry\""), "a failed run offers Retry to an operator");
        let seen = viewer.get(&format!("/console/runs/{failed}")).await;
        assert!(seen.html.contains("Why it failed: "));
        assert!(!seen.html.contains("id=\"retry\""), "a viewer is not offered Retry");
        let viewer_csrf = viewer.csrf().await;
        let refused = viewer.post(&format!("/console/functions/{function}/run"), &[("csrf", &viewer_csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let csrf = operator.csrf().await;
        let forged = operator.post(&format!("/console/functions/{function}/run"), &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(runs_of(&app, function).await, 1, "neither started a run");

        // the wallet is back: Retry starts the function again and opens the new run
        let fixed = json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
            "login": "wallet@fca.example.org", "password": seeded.wallet_key, "notificationEmails": "ops@example.org" });
        let (status, body) = app.send(reqwest::Method::PUT, "/api/boxoffice/organizations/FCA/interface", &token, Some(&fixed)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let retried = operator.post(&format!("/console/functions/{function}/run"), &[("csrf", &csrf)]).await;
        assert_eq!(retried.status, StatusCode::SEE_OTHER);
        let run = retried.location.strip_prefix("/console/runs/").expect("the new run's page").to_owned();
        assert_ne!(run, failed.to_string());
        let ended = until(&app, &run, |view| view["result"] != "RUNNING").await;
        assert_eq!(ended["result"], "OK", "{ended}");
        for id in &seeded.ticket_ids {
            assert_eq!(app.ticket("FCA", *id).await["status"], "PRINTED");
        }
        let page = operator.get(&format!("/console/runs/{run}")).await;
        assert!(!page.html.contains("id=\"retry\""), "a run that went through offers no Retry");
    }

    async fn a_simulation_is_refused_for_a_kind_that_cannot_simulate_and_starts_no_run(app: TestApp) {
        let seeded = app.seed_match("FCA", 1).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let feedback = app.function("FCA", "FEEDBACK", json!({ "batchSize": 100 })).await;
        let token = app.admin_token_for("FCA").await;
        let (status, refused) = app
            .post_json(&format!("/api/boxoffice/functions/{feedback}/runs"), &token, &json!({ "simulate": true }))
            .await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("simulate")), "{refused}");
        let (_, runs) = app.get_json(&format!("/api/boxoffice/functions/{feedback}/runs"), &token).await;
        assert_eq!(runs["runs"].as_array().or(runs["results"].as_array()).unwrap().len(), 0);
    }
}

/// How many of `ids` the box office shows printed.
async fn printed_count(app: &TestApp, ids: &[i64]) -> usize {
    let mut printed = 0;
    for id in ids {
        if app.ticket("FCA", *id).await["status"] == "PRINTED" {
            printed += 1;
        }
    }
    printed
}

/// How many runs FCA's function `function` has.
async fn runs_of(app: &TestApp, function: i64) -> usize {
    let token = app.admin_token_for("FCA").await;
    let (_, runs) = app.get_json(&format!("/api/boxoffice/functions/{function}/runs"), &token).await;
    runs["results"].as_array().unwrap().len()
}
