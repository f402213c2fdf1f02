//! Reconcile: the box office and the wallet compared by digest. Agreement broken on purpose in
//! each way it can break is found exactly, repaired, and found no more; the wallet's digest
//! shows an organizer its own tickets only; bad input and callers without the right are
//! refused naming why. Over real HTTP, on both databases.

use std::collections::BTreeMap;

use crate::common;

use crate::common::seed::{Seeded, injection_settings};
use serde_json::{Value, json};
use tixbridge_store::sql;

const TICKETS: &str = "/api/organizer/tickets";
/// A ticket id no box office issued.
const NEVER_SOLD: &str = "990000001";

/// Seeds `n` tickets of `org`, configures its interface, and injects them with a barcode
/// prefix (the wallet holds `X-` + the box-office barcode).
async fn injected(app: &common::TestApp, org: &str, n: usize) -> (Seeded, i64) {
    let seeded = app.seed_match(org, n).await;
    app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=500" })).await;
    let mut settings = injection_settings();
    common::seed::merge(&mut settings, json!({ "barcodePrefix": "X-" }));
    let injection = app.function(org, "INJECTION", settings).await;
    assert_eq!(app.run(injection).await["counts"]["accepted"], n as u64);
    (seeded, injection)
}

async fn reconcile(app: &common::TestApp, org: &str, body: Value) -> (u16, Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/interface/reconcile"), "", &body).await;
    (status.as_u16(), answer)
}

/// The cause class of each differing ticket, by ticket id.
fn classes(report: &Value) -> BTreeMap<String, String> {
    report["differences"]
        .as_array()
        .unwrap_or_else(|| panic!("no differences in {report}"))
        .iter()
        .map(|d| (d["ticketId"].as_str().unwrap().to_owned(), d["class"].as_str().unwrap().to_owned()))
        .collect()
}

fn difference<'a>(report: &'a Value, ticket: &str) -> &'a Value {
    report["differences"].as_array().unwrap().iter().find(|d| d["ticketId"] == ticket).unwrap()
}

async fn act(app: &common::TestApp, org: &str, id: i64, action: &str, body: Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

/// Runs one statement on the app's database, behind both parts' backs.
async fn behind_the_back(app: &common::TestApp, statement: &str, ticket: &str) {
    sql(statement).bind(ticket).execute(&mut app.app.db.writer().await.unwrap()).await.unwrap();
}

/// Removes a ticket from the wallet's tables as if the wallet had lost it.
async fn lose_in_wallet(app: &common::TestApp, ticket: i64) {
    let id = ticket.to_string();
    behind_the_back(
        app,
        "DELETE FROM wallet_ticket_log WHERE ticket_pk IN (SELECT id FROM wallet_tickets WHERE ticket_id = $1)",
        &id,
    )
    .await;
    behind_the_back(app, "DELETE FROM wallet_tickets WHERE ticket_id = $1", &id).await;
}

async fn wallet(app: &common::TestApp, seeded: &Seeded, ticket: &str) -> Value {
    let (status, body) = app.get_json(&format!("{TICKETS}/{ticket}"), &seeded.wallet_key).await;
    assert_eq!(status.as_u16(), 200, "wallet ticket {ticket}: {body}");
    body
}

fn push_settings() -> Value {
    json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })
}

on_both_databases! {
    async fn each_kind_of_disagreement_is_found_exactly_then_repaired_and_a_second_reconcile_finds_nothing(app: TestApp) {
        let (seeded, _) = injected(&app, "FCR", 8).await;
        let t: Vec<String> = seeded.ticket_ids.iter().map(i64::to_string).collect();
        let push_cancelled = app.function("FCR", "PUSH_CANCELLED", push_settings()).await;
        let push_controlled = app.function("FCR", "PUSH_CONTROLLED", push_settings()).await;
        let reconciler = app.function("FCR", "RECONCILE", json!({})).await;

        let (status, clean) = reconcile(&app, "FCR", json!({})).await;
        assert_eq!(status, 200, "{clean}");
        assert_eq!(clean["differences"], json!([]), "freshly injected, both sides agree: {clean}");
        assert_eq!(clean["counts"]["boxOfficeTickets"], 8);
        assert_eq!(clean["counts"]["walletTickets"], 8);
        assert_eq!(clean["counts"]["digestCalls"], 1, "agreement costs one digest call: {clean}");
        assert_eq!(clean["counts"]["ticketsListed"], 0);

        // a reason sent once, then changed in the box office and never pushed again
        act(&app, "FCR", seeded.ticket_ids[4], "cancel", json!({ "reason": "CANCELLATION" })).await;
        assert_eq!(app.run(push_cancelled).await["counts"]["accepted"], 1);
        act(&app, "FCR", seeded.ticket_ids[4], "reason", json!({ "reason": "FRAUD" })).await;
        // a ticket deleted in the wallet behind the box office's back
        lose_in_wallet(&app, seeded.ticket_ids[0]).await;
        // a box-office cancellation never pushed
        act(&app, "FCR", seeded.ticket_ids[1], "cancel", json!({ "reason": "CANCELLATION" })).await;
        // a barcode changed after printing
        behind_the_back(&app, "UPDATE bo_tickets SET barcode = 'CHANGED-AFTER-PRINT' WHERE id = CAST($1 AS BIGINT)", &t[2]).await;
        // a scan in the box office never pushed
        act(&app, "FCR", seeded.ticket_ids[5], "control", json!({})).await;
        // a wallet ticket the box office never sold, in the same event
        let event = wallet(&app, &seeded, &t[3]).await["eventId"].as_str().unwrap().to_owned();
        let stranger = tixbridge_domain::inject::example_ticket(NEVER_SOLD, &event, "stranger@example.org");
        let (status, answer) = app.post_json(TICKETS, &seeded.wallet_key, &json!([stranger])).await;
        assert!(status.is_success() && answer["results"][0]["status"] == "ACCEPTED", "{answer}");

        let (status, found) = reconcile(&app, "FCR", json!({})).await;
        assert_eq!(status, 200, "{found}");
        let expected: BTreeMap<String, String> = [
            (t[0].clone(), "MISSING_IN_WALLET"),
            (t[1].clone(), "STATUS_DIFFERS"),
            (t[2].clone(), "BARCODE_DIFFERS"),
            (t[4].clone(), "REASON_DIFFERS"),
            (t[5].clone(), "STATUS_DIFFERS"),
            (NEVER_SOLD.to_owned(), "UNKNOWN_TO_BOX_OFFICE"),
        ]
        .into_iter()
        .map(|(id, class)| (id, class.to_owned()))
        .collect();
        assert_eq!(classes(&found), expected, "exactly the broken tickets: {found}");
        let counts = &found["counts"]["differences"];
        assert_eq!(counts["STATUS_DIFFERS"], 2);
        assert_eq!(counts["MISSING_IN_WALLET"], 1);
        assert_eq!(found["counts"]["ticketsChecked"], 9, "8 sold and 1 the box office never sold");
        assert_eq!(found["unresolved"], 6);
        // both sides' views
        let cancelled = difference(&found, &t[1]);
        assert_eq!(cancelled["boxOffice"]["status"], "DELETED");
        assert_eq!(cancelled["boxOffice"]["reason"], "CANCELLATION");
        assert_eq!(cancelled["wallet"]["status"], "VALID");
        let missing = difference(&found, &t[0]);
        assert_eq!((missing["boxOffice"]["status"].clone(), missing["wallet"].clone()), (json!("VALID"), Value::Null));
        let barcode = difference(&found, &t[2]);
        assert_ne!(barcode["boxOffice"]["barcodeVersion"], barcode["wallet"]["barcodeVersion"]);
        let reason = difference(&found, &t[4]);
        assert_eq!((reason["boxOffice"]["reason"].clone(), reason["wallet"]["reason"].clone()), (json!("FRAUD"), json!("CANCELLATION")));
        let stranger = difference(&found, NEVER_SOLD);
        assert_eq!((stranger["boxOffice"].clone(), stranger["eventId"].clone()), (Value::Null, json!(event)));
        // a check changes nothing and records no run
        assert_eq!(wallet(&app, &seeded, &t[1]).await["status"], "INJECTED");
        assert_eq!(app.bo_get(&format!("/api/boxoffice/functions/{reconciler}/runs")).await["results"], json!([]));

        let (status, repaired) = reconcile(&app, "FCR", json!({ "repair": true })).await;
        assert_eq!(status, 200, "{repaired}");
        assert_eq!(classes(&repaired), expected, "{repaired}");
        let unresolved: Vec<&Value> =
            repaired["differences"].as_array().unwrap().iter().filter(|d| d["resolved"] != true).collect();
        assert!(unresolved.is_empty(), "every difference repaired: {unresolved:?}");
        assert_eq!(repaired["unresolved"], 0);
        assert_eq!(repaired["run"]["result"], "WARNING", "a run that found differences: {repaired}");
        assert_eq!(repaired["run"]["counts"]["rejected"], 0);
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", repaired["run"]["runId"])).await;
        assert_eq!(run["log"].as_array().unwrap().len(), 6, "one line per difference: {run}");
        assert_eq!(run["counts"]["reconcile"]["differences"]["BARCODE_DIFFERS"], 1, "metrics in the run record");

        assert_eq!(wallet(&app, &seeded, &t[0]).await["status"], "INJECTED", "injected again");
        let deleted = wallet(&app, &seeded, &t[1]).await;
        assert_eq!((deleted["status"].clone(), deleted["deletionReason"].clone()), (json!("DELETED"), json!("CANCELLATION")));
        let rebarcoded = wallet(&app, &seeded, &t[2]).await;
        assert_eq!(rebarcoded["ticket"]["security"]["barcode"], "X-CHANGED-AFTER-PRINT");
        assert_eq!(wallet(&app, &seeded, &t[4]).await["deletionReason"], "FRAUD");
        assert_eq!(wallet(&app, &seeded, &t[5]).await["status"], "CONTROLLED");
        let stranger = wallet(&app, &seeded, NEVER_SOLD).await;
        assert_eq!((stranger["status"].clone(), stranger["deletionReason"].clone()), (json!("DELETED"), json!("UNKNOWN_TO_BOX_OFFICE")));
        // what the reconcile sent, the pushes do not send again
        assert_eq!(app.run(push_cancelled).await["counts"]["selected"], 0);
        assert_eq!(app.run(push_controlled).await["counts"]["selected"], 0);

        let (status, again) = reconcile(&app, "FCR", json!({})).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["differences"], json!([]), "nothing left: {again}");
        assert_eq!(again["counts"]["digestCalls"], 1);
        let run = app.run(reconciler).await;
        assert_eq!(run["result"], "OK", "a scheduled reconcile now finds nothing: {run}");
    }

    async fn a_reconcile_function_ends_warning_with_the_list_and_its_figures_in_the_run_record(app: TestApp) {
        let (seeded, _) = injected(&app, "FCW", 3).await;
        let body = json!({ "kind": "RECONCILE", "name": "hourly", "launch": "AUTOMATIC", "frequencyMinutes": 60,
                           "settings": { "event": "" } });
        let function = app.create("/api/boxoffice/organizations/FCW/interface/functions", body).await;
        let continuous = json!({ "kind": "RECONCILE", "name": "live", "launch": "CONTINUOUS", "settings": {} });
        let (status, refused) = app.post_json("/api/boxoffice/organizations/FCW/interface/functions", "", &continuous).await;
        assert_eq!((status.as_u16(), refused["field"].clone()), (422, json!("launch")), "{refused}");

        lose_in_wallet(&app, seeded.ticket_ids[1]).await;
        let summary = app.run(function["id"].as_i64().unwrap()).await;
        assert_eq!(summary["result"], "WARNING", "{summary}");
        assert!(summary["cause"].as_str().unwrap().contains("1 tickets differ"), "{summary}");
        let figures = &summary["counts"]["reconcile"];
        assert_eq!(figures["ticketsChecked"], 3);
        assert_eq!(figures["walletTickets"], 2);
        assert_eq!(figures["differences"]["MISSING_IN_WALLET"], 1);
        assert_eq!(figures["differences"]["REASON_DIFFERS"], 0, "every class is named: {figures}");
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        let log = run["log"].as_array().unwrap();
        assert_eq!(log.len(), 1, "{run}");
        assert_eq!(log[0]["ticket"], seeded.ticket_ids[1].to_string());
        assert!(log[0]["message"].as_str().unwrap().starts_with("MISSING_IN_WALLET: box office VALID"), "{run}");
        assert_eq!(app.wallet_ticket(&seeded, seeded.ticket_ids[1]).await.0, 404, "without repair nothing is sent");
    }

    async fn a_difference_among_hundreds_of_tickets_is_found_by_listing_a_few_of_them(app: TestApp) {
        let (seeded, _) = injected(&app, "FCB", 300).await;
        act(&app, "FCB", seeded.ticket_ids[150], "cancel", json!({ "reason": "CANCELLATION" })).await;
        let event = app.wallet_ticket(&seeded, seeded.ticket_ids[0]).await.1["eventId"].as_str().unwrap().to_owned();
        for scope in [json!({}), json!({ "event": event })] {
            let (status, found) = reconcile(&app, "FCB", scope.clone()).await;
            assert_eq!(status, 200, "{found}");
            assert_eq!(classes(&found).into_iter().collect::<Vec<_>>(), [(seeded.ticket_ids[150].to_string(), "STATUS_DIFFERS".to_owned())]);
            let counts = &found["counts"];
            assert_eq!(counts["boxOfficeTickets"], 300, "{scope}: {found}");
            assert!(counts["ticketsListed"].as_u64().unwrap() <= 2, "only the differing part is listed: {counts}");
            assert_eq!(counts["digestCalls"], 2, "the whole, then the one part that differs: {counts}");
        }
    }

    async fn the_wallet_digest_shows_an_organizer_its_own_tickets_only(app: TestApp) {
        let (ours, _) = injected(&app, "FCD", 5).await;
        let (theirs, _) = injected(&app, "FCE", 2).await;
        let event = app.wallet_ticket(&ours, ours.ticket_ids[0]).await.1["eventId"].as_str().unwrap().to_owned();
        let (status, digest) = app.get_json(&format!("{TICKETS}/digest?eventId={event}&parts=2&list=10"), &ours.wallet_key).await;
        assert_eq!(status.as_u16(), 200, "{digest}");
        assert_eq!(digest["count"], 5);
        assert_eq!(digest["parts"].as_array().unwrap().len(), 2);
        assert_eq!(digest["parts"][0]["from"], Value::Null);
        assert_eq!(digest["parts"][0]["to"], digest["parts"][1]["from"], "parts meet end to end");
        assert_eq!(digest["tickets"].as_array().unwrap().len(), 5);
        assert_eq!(digest["tickets"][0]["status"], "VALID");
        assert_eq!(digest["tickets"][0]["eventId"], json!(event));
        // a range: from (included) up to to (excluded), and its digest differs from the whole
        let from = ours.ticket_ids[1].to_string();
        let to = ours.ticket_ids[3].to_string();
        let (_, range) = app.get_json(&format!("{TICKETS}/digest?eventId={event}&from={from}&to={to}&list=10"), &ours.wallet_key).await;
        assert_eq!(range["count"], 2, "{range}");
        assert_ne!(range["hash"], digest["hash"]);
        let (_, all) = app.get_json(&format!("{TICKETS}/digest"), &ours.wallet_key).await;
        assert_eq!((all["count"].clone(), all["hash"].clone()), (json!(5), digest["hash"].clone()), "all of the organizer's tickets");
        assert!(all.get("tickets").is_none(), "listed only when asked: {all}");

        let other_event = app.wallet_ticket(&theirs, theirs.ticket_ids[0]).await.1["eventId"].as_str().unwrap().to_owned();
        assert_ne!(other_event, event);
        let (status, refused) = app.get_json(&format!("{TICKETS}/digest?eventId={other_event}"), &ours.wallet_key).await;
        assert_eq!((status.as_u16(), refused["field"].clone()), (404, json!("eventId")), "another organizer's event: {refused}");
        let (status, refused) = app.get_json(&format!("{TICKETS}/digest?eventId={event}"), &theirs.wallet_key).await;
        assert_eq!((status.as_u16(), refused["field"].clone()), (404, json!("eventId")), "and the other way round");
        let (status, own) = app.get_json(&format!("{TICKETS}/digest?eventId={other_event}&list=10"), &theirs.wallet_key).await;
        assert_eq!(status.as_u16(), 200);
        assert_eq!(own["count"], 2, "the other organizer sees its own two tickets: {own}");
        for (query, field) in [("parts=0", "parts"), ("parts=5000", "parts"), ("list=x", "list"), ("from=5&to=4", "to")] {
            let (status, refused) = app.get_json(&format!("{TICKETS}/digest?{query}"), &ours.wallet_key).await;
            assert_eq!((status.as_u16(), refused["field"].clone()), (400, json!(field)), "{query}: {refused}");
        }
        let (status, _) = app.get_json(&format!("{TICKETS}/digest"), "not-a-key").await;
        assert_eq!(status.as_u16(), 401);
    }

    async fn reconcile_refuses_bad_input_naming_the_field_and_changes_nothing(app: TestApp) {
        let (seeded, _) = injected(&app, "FCX", 2).await;
        let (status, answer) = reconcile(&app, "FCX", json!({ "event": "P999999" })).await;
        assert_eq!((status, answer["field"].clone()), (404, json!("event")), "an event neither side knows: {answer}");
        let (status, answer) = reconcile(&app, "FCX", json!({ "event": "E".repeat(300) })).await;
        assert_eq!((status, answer["field"].clone()), (422, json!("event")), "{answer}");
        let (status, answer) = reconcile(&app, "FCX", json!({ "events": "P1" })).await;
        assert!(status == 400 || status == 422, "an unknown field: {answer}");
        let (status, answer) = reconcile(&app, "FCX", json!({ "repair": true })).await;
        assert_eq!((status, answer["field"].clone()), (409, json!("repair")), "a repair needs a RECONCILE function: {answer}");
        let (status, answer) = reconcile(&app, "NOSUCHORG", json!({})).await;
        assert_eq!(status, 404, "{answer}");
        app.seed_match("FCN", 0).await;
        let (status, answer) = reconcile(&app, "FCN", json!({})).await;
        assert_eq!(status, 404, "an organization without an interface: {answer}");
        let reconciler = app.function("FCX", "RECONCILE", json!({})).await;
        let (status, answer) = reconcile(&app, "FCX", json!({ "event": "P999999", "repair": true })).await;
        assert_eq!((status, answer["field"].clone()), (404, json!("event")), "{answer}");
        assert_eq!(app.bo_get(&format!("/api/boxoffice/functions/{reconciler}/runs")).await["results"], json!([]), "no run recorded");
        let (status, answer) = app
            .post_json("/api/boxoffice/organizations/FCX/interface/functions", "",
                       &json!({ "kind": "RECONCILE", "name": "r", "settings": { "event": "E".repeat(300) } }))
            .await;
        assert_eq!((status.as_u16(), answer["field"].clone()), (422, json!("settings.event")), "{answer}");
        assert_eq!(app.wallet_ticket(&seeded, seeded.ticket_ids[0]).await.1["status"], "INJECTED");
    }

    async fn reconcile_follows_the_access_rule_of_the_interface(app: TestApp) {
        injected(&app, "FCA", 1).await;
        app.seed_match("FCO", 0).await;
        let url = app.url("/api/boxoffice/organizations/FCA/interface/reconcile");
        let anonymous = app.client.post(&url).json(&json!({})).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
        let other = app.admin_token_for("FCO").await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/interface/reconcile", &other, &json!({})).await;
        assert_eq!(status.as_u16(), 404, "another organization's interface does not exist for it");
        let viewer = app.token("FCA", "viewer", None).await;
        let (status, answer) = app.post_json("/api/boxoffice/organizations/FCA/interface/reconcile", &viewer, &json!({})).await;
        assert_eq!(status.as_u16(), 403, "a viewer may not: {answer}");
        let operator = app.token("FCA", "operator", None).await;
        let (status, answer) = app.post_json("/api/boxoffice/organizations/FCA/interface/reconcile", &operator, &json!({})).await;
        assert_eq!(status.as_u16(), 200, "an operator may: {answer}");
    }

    async fn the_command_line_reconcile_prints_the_report_and_exits_1_while_tickets_differ(app: TestApp) {
        let (seeded, _) = injected(&app, "FCL", 2).await;
        app.function("FCL", "RECONCILE", json!({})).await;
        lose_in_wallet(&app, seeded.ticket_ids[0]).await;
        let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32]);
        let cli = |extra: &[&str]| {
            let mut args = vec!["interface", "reconcile", "--database", app.database_url.as_str(), "--organization", "FCL"];
            args.extend_from_slice(extra);
            std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
                .args(&args)
                .env("TIXBRIDGE_SERVER_KEY", &key)
                .env("TIXBRIDGE_MAIL_FOLDER", app.dir.path().join("cli-mail"))
                .output()
                .unwrap()
        };
        let checked = cli(&[]);
        assert_eq!(checked.status.code(), Some(1), "{}", String::from_utf8_lossy(&checked.stderr));
        let report: Value = serde_json::from_slice(&checked.stdout).unwrap();
        assert_eq!(classes(&report).into_values().collect::<Vec<_>>(), ["MISSING_IN_WALLET"]);
        let repaired = cli(&["--repair"]);
        assert!(repaired.status.success(), "{}", String::from_utf8_lossy(&repaired.stdout));
        let clean = cli(&[]);
        assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge")).args(["interface", "reconcile", "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in ["--organization", "--event", "--repair", "--database"] {
            assert!(help.contains(flag), "{help}");
        }
    }
}
