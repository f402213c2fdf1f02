//! Files to upload on a run are the operator's word, not the wallet's: a push file may only
//! mark tickets the function would select, a feedback file only change tickets this
//! organization injected — anything else refuses the whole file, nothing written. And the two
//! admin-only switches (files, dumps) the roles will set. On both databases.

use crate::common;

use serde_json::{Value, json};
use tixbridge_interface::{RunError, RunOptions};

use crate::common::seed::{Seeded, injection_settings};

/// Seeds `n` tickets in `org` and injects them; returns them and the injection run's id.
async fn injected(app: &common::TestApp, org: &str, n: usize, params: &str) -> (Seeded, i64) {
    let seeded = app.seed_match(org, n).await;
    let mut extra = json!({});
    if !params.is_empty() {
        extra = json!({ "customParameters": params });
    }
    app.configure_interface(&seeded, None, extra).await;
    let injection = app.function(org, "INJECTION", injection_settings()).await;
    let run = app.run(injection).await;
    assert_eq!(run["counts"]["accepted"], n as u64, "{run}");
    (seeded, run["runId"].as_i64().unwrap())
}

async fn act(app: &common::TestApp, org: &str, id: i64, action: &str, body: Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

fn push_settings() -> Value {
    json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })
}

/// A wallet batch answer accepting `ids`.
fn answer_file(ids: &[i64]) -> String {
    let results: Vec<Value> =
        ids.iter().map(|id| json!({ "ticketId": id.to_string(), "status": "ACCEPTED" })).collect();
    json!({ "results": results }).to_string()
}

/// A diff page saying `ids` were controlled and now belong to mallory.
fn feed_file(ids: &[i64]) -> String {
    let tickets: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({ "ticketId": id.to_string(), "status": "CONTROLLED", "owner": { "email": "mallory@example.org" },
                    "forwardTransfers": 0, "backwardTransfers": 0, "history": [] })
        })
        .collect();
    json!({ "tickets": tickets }).to_string()
}

/// Runs `function` of `org` on `file`, as that organization's admin.
async fn upload(app: &common::TestApp, org: &str, function: i64, file: String) -> (u16, Value) {
    let admin = app.admin_token_for(org).await;
    let path = format!("/api/boxoffice/functions/{function}/runs");
    let (status, answer) = app.post_json(&path, &admin, &json!({ "fileToUpload": file })).await;
    (status.as_u16(), answer)
}

async fn run_count(app: &common::TestApp, org: &str, function: i64) -> usize {
    let admin = app.admin_token_for(org).await;
    let (_, runs) = app.get_json(&format!("/api/boxoffice/functions/{function}/runs"), &admin).await;
    runs["results"].as_array().unwrap().len()
}

on_both_databases! {
    async fn a_forged_push_file_is_refused_whole_naming_the_ticket_and_marks_nothing(app: TestApp) {
        let (ours, _) = injected(&app, "FCP", 3, "").await;
        let (theirs, _) = injected(&app, "FCO", 1, "").await;
        let (mine, other) = (&ours.ticket_ids, theirs.ticket_ids[0]);
        act(&app, "FCP", mine[0], "cancel", json!({ "reason": "CANCELLATION" })).await;
        act(&app, "FCO", other, "cancel", json!({ "reason": "CANCELLATION" })).await;
        let push = app.function("FCP", "PUSH_CANCELLED", push_settings()).await;
        let controlled = app.function("FCP", "PUSH_CONTROLLED", push_settings()).await;

        for (function, named, culprit) in [
            (push, vec![mine[0], other], other),
            (push, vec![mine[0], mine[1]], mine[1]),
            (controlled, vec![mine[0]], mine[0]),
        ] {
            let (status, answer) = upload(&app, "FCP", function, answer_file(&named)).await;
            assert_eq!(status, 422, "{answer}");
            assert_eq!(answer["field"], "fileToUpload", "{answer}");
            assert!(answer["error"].as_str().unwrap().contains(&format!("ticket {culprit}:")), "{answer}");
        }
        assert_eq!(run_count(&app, "FCP", push).await, 0, "a refused file is no run");
        assert_eq!(run_count(&app, "FCP", controlled).await, 0);

        let (status, answer) = upload(&app, "FCP", push, answer_file(&[mine[0]])).await;
        assert_eq!((status, answer["counts"]["accepted"].as_u64()), (200, Some(1)), "a true file still works: {answer}");
        assert_eq!(app.ticket("FCP", mine[0]).await["status"], "CANCELLED", "a push file marks, it changes no status");
        assert_eq!(app.run(push).await["counts"]["selected"], 0);
        let theirs_push = app.function("FCO", "PUSH_CANCELLED", push_settings()).await;
        assert_eq!(app.run(theirs_push).await["counts"]["accepted"], 1, "the other organization's ticket was not marked");
    }

    async fn a_forged_feedback_file_is_refused_whole_naming_the_ticket_and_changes_nothing(app: TestApp) {
        let (ours, _) = injected(&app, "FCP", 2, "").await;
        let never_injected = app.issue_tickets("FCP", ours.contact_id, 1, "MOB").await[0];
        let (theirs, _) = injected(&app, "FCO", 1, "").await;
        let (mine, other) = (&ours.ticket_ids, theirs.ticket_ids[0]);
        let feedback = app.function("FCP", "FEEDBACK", json!({ "batchSize": 100 })).await;

        for (named, culprit) in [(vec![mine[0], other], other), (vec![mine[0], never_injected], never_injected)] {
            let (status, answer) = upload(&app, "FCP", feedback, feed_file(&named)).await;
            assert_eq!(status, 422, "{answer}");
            assert_eq!(answer["field"], "fileToUpload", "{answer}");
            assert!(answer["error"].as_str().unwrap().contains(&format!("ticket {culprit}:")), "{answer}");
        }
        assert_eq!(run_count(&app, "FCP", feedback).await, 0);
        for (org, id) in [("FCP", mine[0]), ("FCO", other), ("FCP", never_injected)] {
            let ticket = app.ticket(org, id).await;
            assert_ne!(ticket["mobileStatus"], "CONTROLLED", "nothing written: {ticket}");
            assert_ne!(ticket["walletOwnerEmail"], "mallory@example.org", "nothing written: {ticket}");
        }

        let (status, answer) = upload(&app, "FCP", feedback, feed_file(&[mine[0]])).await;
        assert_eq!((status, answer["counts"]["accepted"].as_u64()), (200, Some(1)), "a true file still works: {answer}");
        assert_eq!(app.ticket("FCP", mine[0]).await["mobileStatus"], "CONTROLLED");
    }

    async fn only_an_admin_may_upload_a_file_or_read_a_dump(app: TestApp) {
        let (ours, injection_run) = injected(&app, "FCA", 1, "maxLengthDumpedCallsInKbs=16").await;
        act(&app, "FCA", ours.ticket_ids[0], "cancel", json!({ "reason": "CANCELLATION" })).await;
        let push = app.function("FCA", "PUSH_CANCELLED", push_settings()).await;
        let operator = app.token("FCA", "operator", None).await;
        let file = json!({ "fileToUpload": answer_file(&ours.ticket_ids) });
        let (status, answer) = app.post_json(&format!("/api/boxoffice/functions/{push}/runs"), &operator, &file).await;
        assert_eq!(status.as_u16(), 403, "{answer}");
        assert_eq!(answer["field"], "fileToUpload", "{answer}");
        let options = RunOptions { file: Some(answer_file(&ours.ticket_ids)), ..Default::default() };
        let refused = app.app.engine.run_manual(tixbridge_domain::FunctionId::new(push), options, false).await;
        assert!(matches!(refused, Err(RunError::FileUploadForbidden)), "{refused:?}");
        assert_eq!(run_count(&app, "FCA", push).await, 0);
        assert_eq!(app.run(push).await["counts"]["selected"], 1, "nothing was marked");

        let (status, hidden) = app.get_json(&format!("/api/boxoffice/runs/{injection_run}"), &operator).await;
        assert_eq!(status.as_u16(), 200, "{hidden}");
        assert!(hidden.get("dump").is_none(), "an operator sees no dump: {hidden}");
        let shown = app.bo_get(&format!("/api/boxoffice/runs/{injection_run}")).await;
        assert!(shown["dump"].as_str().unwrap().contains(">>> "), "the admin does: {shown}");
    }
}
