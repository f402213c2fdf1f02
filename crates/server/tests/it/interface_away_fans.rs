//! Away fans end to end over real HTTP, on both databases (docs/interface.md#away-fans): the
//! box office exports the away club's spreadsheet (which prints the tickets it lists, once),
//! the club's filled file reaches the wallet through its CSV injection, the pushes send those
//! tickets' cancellations and controls like injected ones (under the ticket id the club's file
//! gave them), and feedback finds them by the barcodes the export gave — passing by, with a
//! warning, what it cannot find.

use crate::common::TestApp;
use crate::common::seed::{Seeded, injection_settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

const EXPORT: &str = "performances/FINAL/P1/away-export";

/// Exports the away spreadsheet of the seeded performance; returns the CSV text.
async fn export(app: &TestApp, org: &str, query: &str) -> String {
    let path = format!("/api/boxoffice/organizations/{org}/{EXPORT}{query}");
    let (status, text) = app.post_json(&path, "", &Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let Value::String(text) = text else { panic!("a CSV text: {text}") };
    text
}

/// The away club fills the spreadsheet in: names and e-mails, and — for the rows `renumber`
/// answers for — a ticket id of its own instead of the export's. `extra` rows are appended.
pub fn fill_in(exported: &str, renumber: impl Fn(usize) -> Option<String>, extra: &[&str]) -> String {
    let mut lines = exported.lines();
    let mut filled = vec![lines.next().unwrap().to_owned()];
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let id = renumber(i).unwrap_or_else(|| cells[4].to_owned());
        filled.push(format!(
            "{},{},{},{},{id},Fan,Number{i},fan{i}@eagles.example.org",
            cells[0], cells[1], cells[2], cells[3]
        ));
    }
    filled.extend(extra.iter().map(|line| (*line).to_owned()));
    filled.join("\n")
}

/// Sends the filled spreadsheet to the wallet's CSV injection, in the wallet event the
/// injection uses for the performance, and waits for its job; returns the job.
pub async fn inject_spreadsheet(app: &TestApp, seeded: &Seeded, performance_id: i64, sheet: String) -> Value {
    let path = format!(
        "/api/organizer/tickets/csv?eventId=P{performance_id}&eventName=Lions%20-%20Eagles\
         &eventStartTime=2099-06-14T21:00:00%2B02:00&eventExpirationDate=2099-06-14T23:00:00%2B02:00"
    );
    let response = app
        .client
        .post(app.url(&path))
        .header("X-Api-Key", &seeded.wallet_key)
        .header("content-type", "text/csv; charset=utf-8")
        .body(sheet)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let created: Value = response.json().await.unwrap();
    let job_path = format!("/api/organizer/tickets/csv/{}?waitSeconds=30", created["jobId"].as_str().unwrap());
    let (_, job) = app.get_json(&job_path, &seeded.wallet_key).await;
    assert_eq!(job["status"], "COMPLETED", "{job}");
    job
}

async fn act(app: &TestApp, org: &str, id: i64, action: &str, body: Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

fn push_settings(modes: &[&str]) -> Value {
    json!({ "batchSize": 1000, "shipmentModes": modes })
}

on_both_databases! {
    async fn exporting_away_tickets_prints_them_and_exporting_again_prints_and_marks_nothing_twice(app: TestApp) {
        let seeded = app.seed_match("FCE", 2).await;
        let away = app.issue_tickets("FCE", seeded.contact_id, 3, "AWAYMOB").await;
        assert_eq!(app.ticket("FCE", away[0]).await["status"], "NOT_PRINTED");

        let first = export(&app, "FCE", "").await;
        assert_eq!(first.lines().count(), 4, "a header and the three away tickets: {first}");
        let mut printed = Vec::new();
        for id in &away {
            let ticket = app.ticket("FCE", *id).await;
            assert_eq!(ticket["status"], "PRINTED", "exported, so printed: {ticket}");
            assert!(ticket["awayExportId"].is_i64(), "{ticket}");
            printed.push(ticket);
        }
        for id in &seeded.ticket_ids {
            assert_eq!(app.ticket("FCE", *id).await["status"], "NOT_PRINTED", "MOBILE tickets are the injection's");
        }

        let again = export(&app, "FCE", "").await;
        assert_eq!(again, first, "exporting again lists the same tickets");
        for (id, before) in away.iter().zip(&printed) {
            let ticket = app.ticket("FCE", *id).await;
            assert_eq!(ticket["status"], "PRINTED");
            assert_eq!(ticket["statusChangedAt"], before["statusChangedAt"], "not printed a second time");
            assert_eq!(ticket["awayExportId"], before["awayExportId"], "still marked by the first export");
        }

        let late = app.issue_tickets("FCE", seeded.contact_id, 1, "AWAYMOB").await[0];
        let path = format!("/api/boxoffice/organizations/FCE/{EXPORT}?seatCategory=NOPE");
        let (status, refused) = app.post_json(&path, "", &Value::Null).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("seatCategory")), "{refused}");
        let ticket = app.ticket("FCE", late).await;
        assert_eq!((ticket["status"].as_str(), ticket["awayExportId"].as_i64()), (Some("NOT_PRINTED"), None), "nothing changed");
    }

    async fn an_exported_away_ticket_cancelled_or_controlled_in_the_box_office_reaches_the_wallet_by_the_next_push(app: TestApp) {
        let seeded = app.seed_match("FCX", 1).await;
        let away = app.issue_tickets("FCX", seeded.contact_id, 3, "AWAYMOB").await;
        // no injection function: the away club's CSV is the only way these tickets reached the wallet
        app.configure_interface(&seeded, None, json!({})).await;
        let performance_id = app.ticket("FCX", away[0]).await["performanceId"].as_i64().unwrap();
        let sheet = fill_in(&export(&app, "FCX", "").await, |_| None, &[]);
        assert_eq!(inject_spreadsheet(&app, &seeded, performance_id, sheet).await["accepted"], 3);

        act(&app, "FCX", away[0], "cancel", json!({ "reason": "CANCELLATION" })).await;
        act(&app, "FCX", away[1], "control", json!({})).await;
        act(&app, "FCX", seeded.ticket_ids[0], "cancel", json!({ "reason": "CANCELLATION" })).await;

        let home_only = app.function("FCX", "PUSH_CANCELLED", push_settings(&["MOB"])).await;
        let summary = app.run(home_only).await;
        assert_eq!(summary["counts"]["selected"], 0, "away tickets are on a mode it does not name; the home ticket was never injected: {summary}");

        let cancelled = app.function("FCX", "PUSH_CANCELLED", push_settings(&["MOB", "AWAYMOB"])).await;
        let summary = app.run(cancelled).await;
        assert_eq!((summary["result"].as_str(), summary["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{summary}");
        let (_, wallet) = app.wallet_ticket(&seeded, away[0]).await;
        assert_eq!((wallet["status"].as_str(), wallet["deletionReason"].as_str()), (Some("DELETED"), Some("CANCELLATION")), "{wallet}");
        assert_eq!(app.run(cancelled).await["counts"]["selected"], 0, "sent once");

        let controlled = app.function("FCX", "PUSH_CONTROLLED", push_settings(&["AWAYMOB"])).await;
        let summary = app.run(controlled).await;
        assert_eq!((summary["result"].as_str(), summary["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{summary}");
        assert_eq!(app.wallet_ticket(&seeded, away[1]).await.1["status"], "CONTROLLED");
        assert_eq!(app.wallet_ticket(&seeded, away[2]).await.1["status"], "INJECTED", "left alone");
    }

    async fn feedback_finds_away_tickets_by_their_exported_barcode_and_passes_by_foreign_ones_with_a_warning(app: TestApp) {
        let seeded = app.seed_match("FCW", 1).await;
        let away = app.issue_tickets("FCW", seeded.contact_id, 3, "AWAYMOB").await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "doContinueInCaseOfSyncError=false" })).await;
        let injection = app.function("FCW", "INJECTION", injection_settings()).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        let performance_id = app.ticket("FCW", away[0]).await["performanceId"].as_i64().unwrap();
        // the club keeps the export's id on the first row, numbers the others its own way, and
        // adds a ticket of its own that the box office never sold
        let renumber = |i: usize| (i > 0).then(|| format!("EAGLES-{i}"));
        let sheet = fill_in(&export(&app, "FCW", "").await, renumber, &["V,9,9,EAGLES-BARCODE-9,EAGLES-9,Own,Guest,guest@eagles.example.org"]);
        assert_eq!(inject_spreadsheet(&app, &seeded, performance_id, sheet).await["accepted"], 4);

        let feedback = app.function("FCW", "FEEDBACK", json!({ "batchSize": 1000 })).await;
        let summary = app.run(feedback).await;
        assert_eq!(summary["result"], "WARNING", "{summary}");
        let counts = &summary["counts"];
        assert_eq!((counts["selected"].as_u64(), counts["accepted"].as_u64(), counts["skipped"].as_u64(), counts["rejected"].as_u64()),
            (Some(5), Some(4), Some(1), Some(0)), "the home ticket and three away tickets applied, the club's own passed by: {summary}");
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
        let log = run["log"].as_array().unwrap();
        assert_eq!(log.len(), 1, "{run}");
        assert_eq!(log[0]["ticket"], "EAGLES-9");
        assert!(log[0]["message"].as_str().unwrap().contains("skipped"), "{run}");
        for (i, id) in away.iter().enumerate() {
            let ticket = app.ticket("FCW", *id).await;
            assert_eq!(ticket["mobileStatus"], "INJECTED", "{ticket}");
            assert_eq!(ticket["walletOwnerEmail"], format!("fan{i}@eagles.example.org"), "{ticket}");
        }

        let next = app.run(feedback).await;
        assert_eq!((next["result"].as_str(), next["counts"]["selected"].as_u64()), (Some("OK"), Some(0)), "the cursor moved past it: {next}");

        // the push addresses a renumbered away ticket by the id the wallet holds it under
        assert_eq!(app.ticket("FCW", away[1]).await["walletTicketId"], "EAGLES-1");
        act(&app, "FCW", away[1], "cancel", json!({ "reason": "CANCELLATION" })).await;
        let push = app.function("FCW", "PUSH_CANCELLED", push_settings(&["AWAYMOB"])).await;
        let summary = app.run(push).await;
        assert_eq!((summary["result"].as_str(), summary["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{summary}");
        let (_, wallet) = app.get_json("/api/organizer/tickets/EAGLES-1", &seeded.wallet_key).await;
        assert_eq!(wallet["status"], "DELETED", "{wallet}");
    }
}
