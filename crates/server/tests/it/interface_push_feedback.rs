//! Push cancelled, push controlled and feedback, end to end over HTTP, on both databases.

use crate::common;

use crate::common::seed::{Seeded, injection_settings};
use serde_json::{Value, json};

fn push_settings(extra: Value) -> Value {
    let mut settings = json!({ "batchSize": 1000, "shipmentModes": ["MOB"] });
    common::seed::merge(&mut settings, extra);
    settings
}

/// Seeds `n` tickets and injects them.
async fn injected(app: &common::TestApp, org: &str, n: usize, params: &str) -> Seeded {
    let seeded = app.seed_match(org, n).await;
    app.configure_interface(&seeded, None, json!({ "customParameters": params })).await;
    let injection = app.function(org, "INJECTION", injection_settings()).await;
    assert_eq!(app.run(injection).await["counts"]["accepted"], n as u64);
    seeded
}

/// Waits (at most 30 s, less than a continuous function's full-run interval) until the wallet
/// shows ticket `id` as scanned.
async fn wait_until_controlled_in_the_wallet(app: &common::TestApp, seeded: &Seeded, id: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, wallet) = app.wallet_ticket(seeded, id).await;
        if wallet["status"] == "CONTROLLED" {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the scan of {id} never reached the wallet: {wallet}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn act(app: &common::TestApp, org: &str, id: i64, action: &str, body: Value) {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
}

on_both_databases! {
    async fn cancelled_tickets_are_deleted_in_the_wallet_once_and_again_when_their_reason_changes(app: TestApp) {
        let seeded = injected(&app, "FCC", 6, "overrideVisibilityFlagForInvalidationReasons=RESALE").await;
        let ids = &seeded.ticket_ids;
        act(&app, "FCC", ids[0], "cancel", json!({ "reason": "CANCELLATION" })).await;
        act(&app, "FCC", ids[1], "invalidate", json!({ "reason": "RESALE" })).await;
        let push = app.function("FCC", "PUSH_CANCELLED", push_settings(json!({}))).await;
        let summary = app.run(push).await;
        assert_eq!(summary["result"], "OK", "{summary}");
        assert_eq!(summary["counts"]["accepted"], 2);
        let (_, cancelled) = app.wallet_ticket(&seeded, ids[0]).await;
        assert_eq!(cancelled["status"], "DELETED", "never downloaded: deleted at once");
        assert_eq!(cancelled["deletionReason"], "CANCELLATION");
        assert_eq!(cancelled["showDeletedTicket"], false, "visibilityFlagDefaultValue");
        let (_, resold) = app.wallet_ticket(&seeded, ids[1]).await;
        assert_eq!(resold["showDeletedTicket"], true, "reason listed in overrideVisibilityFlagForInvalidationReasons");
        assert_eq!(app.run(push).await["counts"]["selected"], 0, "processed tickets are not sent again");

        act(&app, "FCC", ids[0], "reason", json!({ "reason": "FRAUD" })).await;
        let again = app.run(push).await;
        assert_eq!(again["counts"]["selected"], 1, "a changed invalidation reason re-selects the ticket: {again}");
        assert_eq!(again["result"], "OK", "the wallet accepts the amended reason: {again}");
        assert_eq!(app.ticket("FCC", ids[2]).await["status"], "PRINTED");
    }

    async fn controlled_tickets_become_controlled_in_the_wallet(app: TestApp) {
        let seeded = injected(&app, "FCK", 3, "").await;
        act(&app, "FCK", seeded.ticket_ids[2], "control", json!({})).await;
        let push = app.function("FCK", "PUSH_CONTROLLED", push_settings(json!({}))).await;
        let summary = app.run(push).await;
        assert_eq!(summary["counts"]["accepted"], 1, "{summary}");
        let (_, wallet) = app.wallet_ticket(&seeded, seeded.ticket_ids[2]).await;
        assert_eq!(wallet["status"], "CONTROLLED");
        assert_eq!(app.run(push).await["counts"]["selected"], 0);
        let recovery = app.function("FCK", "PUSH_CONTROLLED", push_settings(json!({ "dateFrom": "01/01/20 00:00" }))).await;
        let summary = app.run(recovery).await;
        assert_eq!(summary["counts"]["selected"], 1, "dateFrom re-selects: {summary}");
        assert_eq!(summary["result"], "OK", "the wallet accepts a control of a ticket already CONTROLLED, without a change");
    }

    async fn a_continuous_push_sends_each_scan_as_soon_as_it_is_committed_and_only_once(app: TestApp) {
        let seeded = injected(&app, "FCQ", 4, "").await;
        let body = json!({ "kind": "PUSH_CONTROLLED", "name": "live", "launch": "CONTINUOUS",
                           "settings": push_settings(json!({})) });
        app.create("/api/boxoffice/organizations/FCQ/interface/functions", body).await;
        let workers = tixbridge_interface::continuous::spawn(app.app.engine.clone());
        let listener = app.app.db.listen_for_changes().await.unwrap();
        // the first scan goes out in the worker's first (full) run; the next ones within the
        // minute before its next full run, so in the runs that look at recent changes only
        for &id in &seeded.ticket_ids[..3] {
            act(&app, "FCQ", id, "control", json!({})).await;
            wait_until_controlled_in_the_wallet(&app, &seeded, id).await;
        }
        workers.abort();
        if let Some(listener) = listener {
            listener.abort();
        }
        let (_, other) = app.wallet_ticket(&seeded, seeded.ticket_ids[3]).await;
        assert_eq!(other["status"], "INJECTED");
        let controls: i64 = tixbridge_store::sql("SELECT COUNT(*) FROM wallet_ticket_log WHERE action = 'CONTROL'")
            .scalar(&mut app.app.db.reader().await.unwrap())
            .await
            .unwrap();
        assert_eq!(controls, 3, "each scan reached the wallet once");
    }

    async fn feedback_brings_back_wallet_status_and_keeps_its_cursor(app: TestApp) {
        let seeded = injected(&app, "FCB", 4, "").await;
        let feedback = app.function("FCB", "FEEDBACK", json!({ "batchSize": 3 })).await;
        let first = app.run(feedback).await;
        assert_eq!(first["counts"]["accepted"], 4, "{first}");
        let ticket = app.ticket("FCB", seeded.ticket_ids[0]).await;
        assert_eq!(ticket["mobileStatus"], "INJECTED");
        assert_eq!(ticket["walletOwnerEmail"], "ada@fcb.example.org");
        assert_eq!(ticket["status"], "PRINTED", "feedback never changes the box-office status");
        let key = app.bo_get(&format!("/api/boxoffice/functions/{feedback}")).await["paginationKey"].clone();
        assert_ne!(key, "", "the function keeps its own pagination key");
        assert_eq!(app.run(feedback).await["counts"]["selected"], 0);

        let id = seeded.ticket_ids[1].to_string();
        let (_, answer) = app.post_json("/api/organizer/tickets/control", &seeded.wallet_key, &json!([{ "ticketId": id }])).await;
        assert_eq!(answer["results"][0]["status"], "ACCEPTED");
        let second = app.run(feedback).await;
        assert_eq!(second["counts"]["accepted"], 1);
        assert_eq!(app.ticket("FCB", seeded.ticket_ids[1]).await["mobileStatus"], "CONTROLLED");
    }

    async fn transfers_reported_by_the_wallet_create_and_complete_contacts_without_duplicates(app: TestApp) {
        let seeded = injected(&app, "FCT", 2, "").await;
        let feedback = app.function("FCT", "FEEDBACK", json!({ "batchSize": 100 })).await;
        let id = seeded.ticket_ids[0].to_string();
        let offered = json!({ "tickets": [{ "ticketId": id, "status": "PENDING_TRANSFER", "owner": { "email": "ada@fct.example.org" },
            "forwardTransfers": 0, "backwardTransfers": 0,
            "history": [{ "at": "2099-01-01T10:00:00Z", "status": "PENDING_TRANSFER", "action": "OFFER_TRANSFER", "detail": { "recipient": "Bob@Example.org" } }] }] });
        let accepted = json!({ "tickets": [{ "ticketId": id, "status": "TRANSFERRED",
            "owner": { "email": "bob@example.org", "firstName": "Bob", "lastName": "Builder" },
            "forwardTransfers": 1, "backwardTransfers": 0,
            "history": [{ "at": "2099-01-01T11:00:00Z", "status": "TRANSFERRED", "action": "ACCEPT_TRANSFER", "detail": {} }] }] });
        for page in [&offered, &offered, &accepted, &accepted] {
            let (status, summary) = app.post_json(&format!("/api/boxoffice/functions/{feedback}/runs"), "",
                &json!({ "fileToUpload": page.to_string() })).await;
            assert_eq!(status.as_u16(), 200, "{summary}");
        }
        let contacts = app.bo_get("/api/boxoffice/organizations/FCT/contacts?email=bob@example.org").await;
        let list = contacts.as_array().or_else(|| contacts["results"].as_array()).unwrap().clone();
        assert_eq!(list.len(), 1, "one contact, completed, never duplicated: {contacts}");
        assert_eq!(list[0]["firstName"], "Bob");
        let ticket = app.ticket("FCT", seeded.ticket_ids[0]).await;
        assert_eq!(ticket["contactId"], list[0]["id"], "the ticket's contact becomes the recipient: {ticket}");
        assert_eq!(ticket["walletOwnerEmail"], "bob@example.org");
        let statuses: Vec<&str> = ticket["distributionHistory"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["PENDING", "CONFIRMED"]);
    }
}
