//! Function fields the interface once accepted and then ignored, each shown by its effect on a
//! run over real HTTP, on both databases: the injection's point of sale, the pushes' `dateFrom`
//! and `notifySpectator`, `killRatio` on injection and feedback, and the privileges
//! function's simulation mode.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::foreign::ForeignServer;
use crate::common::seed::{Seeded, injection_settings, merge};
use crate::support::{inject, sign_in};

fn push_settings(extra: Value) -> Value {
    let mut settings = json!({ "batchSize": 1000, "shipmentModes": ["MOB"] });
    merge(&mut settings, extra);
    settings
}

/// Seeds `n` tickets and injects them.
async fn injected(app: &TestApp, org: &str, n: usize) -> Seeded {
    let seeded = app.seed_match(org, n).await;
    app.configure_interface(&seeded, None, json!({})).await;
    let injection = app.function(org, "INJECTION", injection_settings()).await;
    assert_eq!(app.run(injection).await["counts"]["accepted"], n as u64);
    seeded
}

async fn act(app: &TestApp, org: &str, id: i64, action: &str) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &json!({})).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

/// PUTs a function's whole definition; returns the status and the answer.
async fn put_function(app: &TestApp, id: i64, kind: &str, settings: Value) -> (u16, Value) {
    let body = json!({ "kind": kind, "name": format!("{kind} function"), "settings": settings });
    let (status, answer) = app.send(Method::PUT, &format!("/api/boxoffice/functions/{id}"), "", Some(&body)).await;
    (status.as_u16(), answer)
}

/// Changes the interface's custom parameters (same URL and login: the stored key stays).
async fn set_parameters(app: &TestApp, seeded: &Seeded, parameters: &str) {
    set_interface(app, seeded, &app.url("/api/organizer/tickets"), parameters).await;
}

/// Points the interface at `url` with `parameters` (login and stored key unchanged).
async fn set_interface(app: &TestApp, seeded: &Seeded, url: &str, parameters: &str) {
    let body = json!({
        "name": "Wallet", "type": "TIXNGO", "url": url,
        "login": format!("wallet@{}.example.org", seeded.org.to_lowercase()),
        "notificationEmails": "ops@example.org", "customParameters": parameters
    });
    let path = format!("/api/boxoffice/organizations/{}/interface", seeded.org);
    let (status, answer) = app.send(Method::PUT, &path, "", Some(&body)).await;
    assert!(status.is_success(), "{answer}");
}

async fn function_view(app: &TestApp, id: i64) -> Value {
    app.bo_get(&format!("/api/boxoffice/functions/{id}")).await
}

on_both_databases! {
    async fn an_injection_prints_as_its_point_of_sale_and_one_the_catalog_lacks_is_refused(app: TestApp) {
        let seeded = app.seed_match("FPS", 2).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let functions = "/api/boxoffice/organizations/FPS/interface/functions";
        for unknown in ["WEB;NOPE", "SHOP;POS1"] {
            let body = json!({ "kind": "INJECTION", "name": "inject",
                               "settings": { "batchSize": 10, "pointOfSale": unknown } });
            let (status, answer) = app.post_json(functions, "", &body).await;
            assert_eq!((status.as_u16(), answer["field"].as_str()), (422, Some("pointOfSale")), "{unknown}: {answer}");
        }
        assert_eq!(app.bo_get(functions).await["results"].as_array().map(Vec::len), Some(0), "nothing was created");

        let injection = app.function("FPS", "INJECTION", injection_settings()).await;
        let (status, answer) =
            put_function(&app, injection, "INJECTION", json!({ "batchSize": 10, "pointOfSale": "WEB;POS9" })).await;
        assert_eq!((status, answer["field"].as_str()), (422, Some("pointOfSale")), "{answer}");
        assert_eq!(function_view(&app, injection).await["settings"]["pointOfSale"], "WEB;POS1", "nothing changed");

        app.create("/api/boxoffice/organizations/FPS/sales-channels/WEB/points-of-sale",
            json!({ "code": "KIOSK", "name": "Stadium kiosk" })).await;
        let (status, answer) =
            put_function(&app, injection, "INJECTION", json!({ "batchSize": 10, "pointOfSale": "WEB;KIOSK" })).await;
        assert_eq!(status, 200, "{answer}");
        let summary = app.run(injection).await;
        assert_eq!(summary["counts"]["accepted"], 2, "{summary}");
        for id in &seeded.ticket_ids {
            let ticket = app.ticket("FPS", *id).await;
            assert_eq!(ticket["status"], "PRINTED");
            assert_eq!(ticket["printedPointOfSale"], "WEB;KIOSK", "the print record names the point of sale: {ticket}");
            assert!(ticket["printedAt"].is_string(), "{ticket}");
        }
    }

    async fn date_from_re_selects_once_as_if_the_last_successful_run_had_been_then(app: TestApp) {
        let seeded = injected(&app, "FDF", 3).await;
        let ids = &seeded.ticket_ids;
        act(&app, "FDF", ids[0], "control").await;
        let push = app.function("FDF", "PUSH_CONTROLLED", push_settings(json!({}))).await;
        let first = app.run(push).await;
        assert_eq!((first["result"].as_str(), first["counts"]["selected"].as_u64()), (Some("OK"), Some(1)), "{first}");
        let view = function_view(&app, push).await;
        assert_eq!(view["lastSuccessfulRunAt"], first["startedAt"], "{view}");
        assert_eq!(view["dateFromPending"], false);

        let recovery = push_settings(json!({ "dateFrom": "01/01/20 00:00" }));
        assert_eq!(put_function(&app, push, "PUSH_CONTROLLED", recovery.clone()).await.0, 200);
        assert_eq!(function_view(&app, push).await["dateFromPending"], true);
        let recovered = app.run(push).await;
        assert_eq!(recovered["counts"]["selected"], 1, "dateFrom re-selects the processed ticket: {recovered}");
        assert_eq!(recovered["result"], "OK");
        let view = function_view(&app, push).await;
        assert_eq!(view["dateFromPending"], false, "a successful run uses the recovery up: {view}");
        assert_eq!(view["lastSuccessfulRunAt"], recovered["startedAt"]);
        assert_eq!(view["settings"]["dateFrom"], "01/01/20 00:00", "the operator's setting stays as written");
        let after = app.run(push).await;
        assert_eq!(after["counts"]["selected"], 0, "a one-off: the next run sends nothing again: {after}");
        assert_eq!(put_function(&app, push, "PUSH_CONTROLLED", recovery).await.0, 200);
        assert_eq!(function_view(&app, push).await["dateFromPending"], false, "saving the same dateFrom does not re-arm it");

        // a run that fails neither counts as successful nor uses a recovery up
        let (_, deleted) = app.post_json("/api/organizer/tickets/delete", &seeded.wallet_key,
            &json!([{ "ticketId": ids[1].to_string(), "reason": "FRAUD" }])).await;
        assert_eq!(deleted["results"][0]["status"], "ACCEPTED");
        act(&app, "FDF", ids[1], "control").await;
        assert_eq!(put_function(&app, push, "PUSH_CONTROLLED", push_settings(json!({ "dateFrom": "02/01/20 00:00" }))).await.0, 200);
        let failed = app.run(push).await;
        assert_eq!(failed["result"], "ERROR", "the wallet refuses to control a deleted ticket: {failed}");
        assert_eq!(failed["counts"]["selected"], 2, "the recovery and the new scan: {failed}");
        let view = function_view(&app, push).await;
        assert_eq!(view["lastSuccessfulRunAt"], after["startedAt"], "{view}");
        assert_eq!(view["dateFromPending"], true, "the recovery is tried again by the next run");
        assert_eq!(app.run(push).await["counts"]["selected"], 2);
    }

    async fn notify_spectator_on_push_controlled_reaches_the_wallet_and_tells_the_spectator(app: TestApp) {
        let seeded = injected(&app, "FNS", 2).await;
        let ids = &seeded.ticket_ids;
        act(&app, "FNS", ids[0], "control").await;
        let push = app.function("FNS", "PUSH_CONTROLLED", push_settings(json!({}))).await;
        assert_eq!(app.run(push).await["counts"]["accepted"], 1);
        let (_, silent) = app.wallet_ticket(&seeded, ids[0]).await;
        assert_eq!((silent["status"].as_str(), silent["notifySpectator"].as_bool()), (Some("CONTROLLED"), Some(false)), "{silent}");

        act(&app, "FNS", ids[1], "control").await;
        assert_eq!(put_function(&app, push, "PUSH_CONTROLLED", push_settings(json!({ "notifySpectator": true }))).await.0, 200);
        let summary = app.run(push).await;
        assert_eq!((summary["result"].as_str(), summary["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{summary}");
        let (_, told) = app.wallet_ticket(&seeded, ids[1]).await;
        assert_eq!(told["notifySpectator"], true, "the wallet records the request: {told}");
        let control = told["history"].as_array().unwrap().iter().rev().find(|h| h["action"] == "CONTROL").unwrap().clone();
        assert_eq!(control["detail"]["notifySpectator"], true, "and logs it: {control}");

        let ada = sign_in(&app, "ada@fns.example.org").await;
        let (_, list) = ada.get(&app, "/api/spectator/tickets").await;
        let notice = |ticket_id: i64| {
            let ticket_id = ticket_id.to_string();
            list["results"].as_array().unwrap().iter().find(|t| t["ticketId"].as_str() == Some(ticket_id.as_str())).unwrap()["notice"].clone()
        };
        assert_eq!(notice(ids[1])["action"], "CONTROL", "the spectator is told: {list}");
        assert!(notice(ids[0]).is_null(), "a control without notifySpectator tells nothing: {list}");

        // the wallet's control call takes the field on its own: asked again with it, an
        // already controlled ticket keeps its status and records the request
        let (_, answer) = app.post_json("/api/organizer/tickets/control", &seeded.wallet_key,
            &json!([{ "ticketId": ids[0].to_string(), "notifySpectator": true }])).await;
        assert_eq!(answer["results"][0]["status"], "ACCEPTED", "{answer}");
        let (_, amended) = app.wallet_ticket(&seeded, ids[0]).await;
        assert_eq!((amended["status"].as_str(), amended["notifySpectator"].as_bool()), (Some("CONTROLLED"), Some(true)), "{amended}");
        assert_eq!(amended["controlledAt"], silent["controlledAt"], "the control keeps its time");
        let (id, ticket) = ada.fetch(&app, &ids[0].to_string()).await;
        assert_eq!(ticket["notice"]["at"], amended["controlledAt"], "{ticket}");
        let page = app.client.get(app.url(&format!("/wallet/tickets/{id}"))).header("cookie", format!("tb_session={}", ada.token)).send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"notice\""), "the web wallet shows it too: {html}");
    }

    async fn kill_ratio_stops_an_injection_before_it_sends_the_good_tickets_after_too_many_refusals(app: TestApp) {
        let seeded = app.seed_match("FKI", 0).await;
        let nobody = app.create("/api/boxoffice/organizations/FKI/contacts", json!({ "lastName": "Unreachable" })).await;
        // ten tickets refused before sending (their owner has no e-mail), then three good ones
        let bad = app.issue_tickets("FKI", nobody["id"].as_i64().unwrap(), 10, "MOB").await;
        let good = app.issue_tickets("FKI", seeded.contact_id, 3, "MOB").await;
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("FKI", "INJECTION", injection_settings()).await;
        let summary = app.run(injection).await;
        assert_eq!(summary["result"], "ERROR", "{summary}");
        assert!(summary["cause"].as_str().unwrap().contains("killRatio"), "{summary}");
        assert_eq!(summary["counts"]["rejected"], 10, "{summary}");
        assert_eq!(summary["counts"]["sent"], 0, "nothing went after the tenth refusal: {summary}");
        for id in &good {
            assert_eq!(app.ticket("FKI", *id).await["status"], "NOT_PRINTED");
            assert_eq!(app.wallet_ticket(&seeded, *id).await.0, 404);
        }

        set_parameters(&app, &seeded, "ticketIterationSize=7\nkillRatio=1").await;
        let tolerant = app.run(injection).await;
        assert_eq!(tolerant["counts"]["accepted"], 3, "with killRatio=1 the run goes on: {tolerant}");
        assert_eq!(tolerant["counts"]["rejected"], 10);
        assert_eq!(app.ticket("FKI", bad[0]).await["status"], "NOT_PRINTED");
    }

    async fn kill_ratio_stops_feedback_before_it_applies_the_entries_after_too_many_failures(app: TestApp) {
        let seeded = app.seed_match("FKF", 3).await;
        // ten wallet tickets come first in the feed, in a status the box office cannot apply
        let strangers: Vec<String> = (9_000_001..=9_000_010).map(|i: i64| i.to_string()).collect();
        let strangers: Vec<&str> = strangers.iter().map(String::as_str).collect();
        inject(&app, &seeded.wallet_key, &strangers, "ELSEWHERE", "someone@example.org").await;
        let proxy = FaultProxy::start(&app.url("")).await;
        proxy.set(Fault::MisreportStatus { from: 9_000_001, to: 9_000_010, status: "MINTED" });
        app.configure_interface(&seeded, Some(&proxy.tickets_url()), json!({})).await;
        let injection = app.function("FKF", "INJECTION", injection_settings()).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 3);
        let feedback = app.function("FKF", "FEEDBACK", json!({ "batchSize": 100 })).await;
        let summary = app.run(feedback).await;
        assert_eq!(summary["result"], "ERROR", "{summary}");
        assert!(summary["cause"].as_str().unwrap().contains("killRatio"), "{summary}");
        assert_eq!((summary["counts"]["rejected"].as_u64(), summary["counts"]["accepted"].as_u64()), (Some(10), Some(0)), "{summary}");
        for id in &seeded.ticket_ids {
            assert!(app.ticket("FKF", *id).await["mobileStatus"].is_null(), "not applied after the run stopped");
        }
        assert_eq!(function_view(&app, feedback).await["paginationKey"], "", "the cursor stays before what was not applied");

        set_interface(&app, &seeded, &proxy.tickets_url(), "ticketIterationSize=7\nkillRatio=1").await;
        let tolerant = app.run(feedback).await;
        assert_eq!(tolerant["counts"]["accepted"], 3, "{tolerant}");
        for id in &seeded.ticket_ids {
            assert_eq!(app.ticket("FKF", *id).await["mobileStatus"], "INJECTED");
        }
    }

    async fn privileges_simulation_sends_nothing_marks_nothing_and_reports_what_it_would_send(app: TestApp) {
        let seeded = app.seed_match("FPV", 0).await;
        let base = "/api/boxoffice/organizations/FPV";
        let card = app.create(&format!("{base}/products"), json!({
            "code": "CARD", "name": "Season card", "kind": "SEASON_TICKET_CARD", "family": "FOOTBALL", "seasonCode": "S26"
        })).await;
        let cards = json!([
            { "productCode": "CARD", "shipmentModeCode": "MOB", "priceCents": 30000, "taxNumber": "CARD-1" },
            { "productCode": "CARD", "shipmentModeCode": "MOB", "priceCents": 30000, "taxNumber": "CARD-2" }
        ]);
        let file = app.create(&format!("{base}/files"),
            json!({ "contactId": seeded.contact_id, "salesChannelCode": "WEB", "tickets": cards })).await;
        let card_ids: Vec<i64> = file["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
        // anything the simulation sent would reach this server, not the wallet
        let elsewhere = ForeignServer::start(200, &[("content-type", "application/json")], r#"{"results": []}"#).await;
        app.configure_interface(&seeded, Some(&elsewhere.tickets_url("127.0.0.1")), json!({})).await;
        let privileges =
            app.function("FPV", "PRIVILEGES", json!({ "batchSize": 100, "products": ["CARD"], "simulation": true })).await;

        for _ in 0..2 {
            let summary = app.run(privileges).await;
            assert_eq!(summary["simulation"], true);
            assert_eq!(summary["result"], "OK", "{summary}");
            assert_eq!(summary["counts"]["selected"], 2, "nothing was marked, so both are selected again: {summary}");
            assert_eq!((summary["counts"]["sent"].as_u64(), summary["counts"]["written"].as_u64()), (Some(0), Some(0)));
            assert_eq!(elsewhere.hits(), 0, "a simulation calls nothing");
            let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
            let would: Value = serde_json::from_str(run["dump"].as_str().unwrap()).unwrap();
            assert_eq!(would[0]["definitions"][0]["definitionId"], format!("D{}", card["id"]), "{would}");
            let instances: Vec<&str> =
                would[0]["instances"].as_array().unwrap().iter().map(|i| i["privilegeId"].as_str().unwrap()).collect();
            assert_eq!(instances, card_ids.iter().map(i64::to_string).collect::<Vec<_>>());
            assert_eq!(would[0]["instances"][0]["spectatorDetails"]["email"], "ada@fpv.example.org");
        }
        for id in &card_ids {
            assert_eq!(app.ticket("FPV", *id).await["status"], "NOT_PRINTED");
        }

        // the same function, simulation off and pointed at the wallet, sends them
        let body = json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
            "login": "wallet@fpv.example.org", "password": seeded.wallet_key, "customParameters": "ticketIterationSize=7" });
        let (status, answer) = app.send(Method::PUT, &format!("{base}/interface"), "", Some(&body)).await;
        assert!(status.is_success(), "{answer}");
        let real = json!({ "batchSize": 100, "products": ["CARD"], "simulation": false });
        assert_eq!(put_function(&app, privileges, "PRIVILEGES", real).await.0, 200);
        let summary = app.run(privileges).await;
        assert_eq!(summary["counts"]["accepted"], 2, "{summary}");
        let (status, _) = app.get_json(&format!("/api/organizer/privileges/{}", card_ids[0]), &seeded.wallet_key).await;
        assert_eq!(status.as_u16(), 200);
        assert_eq!(app.ticket("FPV", card_ids[0]).await["status"], "PRINTED");
    }
}
