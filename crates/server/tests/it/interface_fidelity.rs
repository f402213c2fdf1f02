//! What the box office gets back from the wallet, and what it sends, is whole and true: every
//! log entry of every ticket reaches the box office whatever the page size, an entry that
//! fails to sync holds the feedback cursor, an amended cancellation reason reaches the wallet,
//! and a refusal is never counted as done. Over real HTTP, on both databases.

use crate::common;

use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::{Seeded, injection_settings};
use serde_json::{Value, json};

const TICKETS: &str = "/api/organizer/tickets";

/// Seeds `n` tickets of `org`, points its interface at `url` (the wallet by default) with
/// `params`, and injects them.
async fn injected(app: &common::TestApp, org: &str, n: usize, url: Option<&str>, params: &str) -> Seeded {
    let seeded = app.seed_match(org, n).await;
    app.configure_interface(&seeded, url, json!({ "customParameters": params })).await;
    let injection = app.function(org, "INJECTION", injection_settings()).await;
    assert_eq!(app.run(injection).await["counts"]["accepted"], n as u64);
    seeded
}

/// `(at, status, action)` of each entry of a history, in order.
fn entries(history: &Value) -> Vec<(String, String, String)> {
    let text = |h: &Value, field: &str| h[field].as_str().unwrap_or_default().to_owned();
    history.as_array().unwrap().iter().map(|h| (text(h, "at"), text(h, "status"), text(h, "action"))).collect()
}

async fn wallet_call(app: &common::TestApp, seeded: &Seeded, call: &str, items: Value) {
    let (status, answer) = app.post_json(&format!("{TICKETS}/{call}"), &seeded.wallet_key, &items).await;
    assert!(status.is_success(), "{call}: {answer}");
    let refused: Vec<&Value> =
        answer["results"].as_array().unwrap().iter().filter(|r| r["status"] != "ACCEPTED").collect();
    assert!(refused.is_empty(), "{call}: {answer}");
}

fn ids(tickets: &[i64]) -> Vec<Value> {
    tickets.iter().map(|id| json!({ "ticketId": id.to_string() })).collect()
}

async fn act(app: &common::TestApp, org: &str, id: i64, action: &str, body: Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

on_both_databases! {
    async fn the_box_office_mobile_history_equals_the_wallet_log_whatever_the_page_size(app: TestApp) {
        let seeded = injected(&app, "FFH", 5, None, "").await;
        let t = &seeded.ticket_ids;
        // the diff itself, one ticket a page from the start, carries every entry of a ticket
        // that changed again before the reader reached it
        wallet_call(&app, &seeded, "control", json!(ids(&[t[0]]))).await;
        let mut key = String::new();
        let mut seen: std::collections::HashMap<String, Vec<(String, String, String)>> = Default::default();
        loop {
            let (_, page) = app.get_json(&format!("{TICKETS}/diff?limit=1&paginationKey={key}"), &seeded.wallet_key).await;
            let Some(ticket) = page["tickets"].as_array().unwrap().first().cloned() else { break };
            let id = ticket["ticketId"].as_str().unwrap().to_owned();
            let known = seen.entry(id).or_default();
            for entry in entries(&ticket["history"]) {
                if !known.contains(&entry) {
                    known.push(entry);
                }
            }
            key = page["nextPaginationKey"].as_str().unwrap().to_owned();
        }
        let (_, first) = app.wallet_ticket(&seeded, t[0]).await;
        assert_eq!(seen[&t[0].to_string()], entries(&first["history"]), "the diff lost an entry of {}", t[0]);

        // feedback one ticket a page, with changes before, between and after its runs
        let feedback = app.function("FFH", "FEEDBACK", json!({ "batchSize": 1 })).await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        wallet_call(&app, &seeded, "control", json!(ids(&[t[2], t[3]]))).await;
        wallet_call(&app, &seeded, "delete", json!([{ "ticketId": t[2].to_string(), "reason": "CANCELLATION" }])).await;
        wallet_call(&app, &seeded, "delete", json!([{ "ticketId": t[1].to_string(), "reason": "RESALE" }])).await;
        wallet_call(&app, &seeded, "delete", json!([{ "ticketId": t[0].to_string(), "reason": "FRAUD" }])).await;
        let second = app.run(feedback).await;
        assert_eq!(second["result"], "OK", "{second}");
        wallet_call(&app, &seeded, "delete", json!([{ "ticketId": t[3].to_string(), "reason": "CANCELLATION" }])).await;
        wallet_call(&app, &seeded, "control", json!(ids(&[t[4]]))).await;
        wallet_call(&app, &seeded, "delete", json!([{ "ticketId": t[4].to_string(), "reason": "FRAUD" }])).await;
        assert_eq!(app.run(feedback).await["result"], "OK");

        for id in t {
            let (_, wallet) = app.wallet_ticket(&seeded, *id).await;
            let mirror = app.ticket("FFH", *id).await;
            assert_eq!(entries(&mirror["mobileHistory"]), entries(&wallet["history"]), "ticket {id}: {mirror}");
            assert_eq!(mirror["mobileStatus"], wallet["status"], "ticket {id}");
        }
        assert_eq!(entries(&app.ticket("FFH", t[2]).await["mobileHistory"]).len(), 3, "inject, control, delete");
    }

    async fn an_entry_that_fails_to_sync_holds_the_cursor_and_is_retried_when_continuing_is_off(app: TestApp) {
        let proxy = FaultProxy::start(&app.url("")).await;
        let seeded = injected(&app, "FFC", 3, Some(&proxy.tickets_url()), "doContinueInCaseOfSyncError=false").await;
        let t = &seeded.ticket_ids;
        wallet_call(&app, &seeded, "control", json!(ids(&[t[0]]))).await;
        // feed order: t[1], t[2], then t[0] (moved by its control)
        let (_, page) = app.get_json(&format!("{TICKETS}/diff?limit=1"), &seeded.wallet_key).await;
        assert_eq!(page["tickets"][0]["ticketId"], t[1].to_string());
        let before_failing = page["nextPaginationKey"].clone();
        // an entry the box office cannot apply: its status is not a wallet status
        proxy.set(Fault::MisreportStatus { from: t[2], to: t[2], status: "MINTED" });

        let feedback = app.function("FFC", "FEEDBACK", json!({ "batchSize": 1 })).await;
        let function_path = format!("/api/boxoffice/functions/{feedback}");
        for attempt in 0..2 {
            let run = app.run(feedback).await;
            assert_eq!(run["result"], "ERROR", "attempt {attempt}: {run}");
            assert_eq!(app.bo_get(&function_path).await["paginationKey"], before_failing,
                "attempt {attempt}: the key stays before the failing entry");
            assert_eq!(app.ticket("FFC", t[1]).await["mobileStatus"], "INJECTED", "the ticket before it synced");
            assert!(app.ticket("FFC", t[2]).await["mobileStatus"].is_null(), "the failing entry is not written");
            assert!(app.ticket("FFC", t[0]).await["mobileStatus"].is_null(), "nothing past the failing entry");
        }

        proxy.set(Fault::None);
        let run = app.run(feedback).await;
        assert_eq!(run["result"], "OK", "the retried entry goes through: {run}");
        assert_eq!(app.ticket("FFC", t[2]).await["mobileStatus"], "INJECTED");
        assert_eq!(app.ticket("FFC", t[0]).await["mobileStatus"], "CONTROLLED");
    }

    async fn an_amended_cancellation_reason_reaches_the_wallet_and_its_log(app: TestApp) {
        let seeded = injected(&app, "FFR", 2, None, "").await;
        let id = seeded.ticket_ids[0];
        act(&app, "FFR", id, "cancel", json!({ "reason": "CANCELLATION" })).await;
        let push = app.function("FFR", "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })).await;
        assert_eq!(app.run(push).await["counts"]["accepted"], 1);
        let (_, wallet) = app.wallet_ticket(&seeded, id).await;
        assert_eq!((wallet["status"].as_str(), wallet["deletionReason"].as_str()), (Some("DELETED"), Some("CANCELLATION")));

        act(&app, "FFR", id, "reason", json!({ "reason": "FRAUD" })).await;
        let again = app.run(push).await;
        assert_eq!((again["result"].as_str(), again["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{again}");
        let (_, wallet) = app.wallet_ticket(&seeded, id).await;
        assert_eq!(wallet["status"], "DELETED");
        assert_eq!(wallet["deletionReason"], "FRAUD", "{wallet}");
        let history = wallet["history"].as_array().unwrap();
        assert_eq!(history.len(), 3, "inject, delete, amended delete: {wallet}");
        assert_eq!(history[2]["detail"]["reason"], "FRAUD");
        assert_eq!(history[2]["status"], "DELETED");

        // the same deletion again changes nothing and is not refused
        let (_, same) = app.post_json(&format!("{TICKETS}/delete"), &seeded.wallet_key,
            &json!([{ "ticketId": id.to_string(), "reason": "FRAUD", "showDeletedTicket": false }])).await;
        assert_eq!(same["results"][0]["status"], "ACCEPTED", "{same}");
        assert_eq!(app.wallet_ticket(&seeded, id).await.1["history"].as_array().unwrap().len(), 3);
        // and the amendment reaches the box office through feedback
        let feedback = app.function("FFR", "FEEDBACK", json!({ "batchSize": 1 })).await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        assert_eq!(entries(&app.ticket("FFR", id).await["mobileHistory"]), entries(&wallet["history"]));
    }

    async fn a_push_the_wallet_refuses_is_counted_rejected_and_sent_again(app: TestApp) {
        let proxy = FaultProxy::start(&app.url("")).await;
        let seeded = injected(&app, "FFP", 2, Some(&proxy.tickets_url()), "").await;
        let id = seeded.ticket_ids[0];
        act(&app, "FFP", id, "cancel", json!({ "reason": "CANCELLATION" })).await;
        let push = app.function("FFP", "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })).await;

        proxy.set(Fault::RefuseAs("DELETED"));
        for attempt in 0..2 {
            let refused = app.run(push).await;
            assert_eq!(refused["counts"]["selected"], 1, "attempt {attempt}: sent again: {refused}");
            assert_eq!(refused["counts"]["accepted"], 0, "attempt {attempt}: a refusal is not done: {refused}");
            assert_eq!(refused["counts"]["rejected"], 1, "attempt {attempt}: {refused}");
            assert_eq!(refused["result"], "ERROR", "attempt {attempt}: {refused}");
        }

        proxy.set(Fault::None);
        let delivered = app.run(push).await;
        assert_eq!((delivered["result"].as_str(), delivered["counts"]["accepted"].as_u64()), (Some("OK"), Some(1)), "{delivered}");
        let (_, wallet) = app.wallet_ticket(&seeded, id).await;
        assert_eq!(wallet["deletionReason"], "CANCELLATION");
        assert_eq!(app.run(push).await["counts"]["selected"], 0);
    }
}
