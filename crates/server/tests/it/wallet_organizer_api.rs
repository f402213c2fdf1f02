//! The wallet's organizer API over real HTTP, on SQLite and PostgreSQL.

use crate::common;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

const TICKETS: &str = "/api/organizer/tickets";

fn batch(range: std::ops::Range<usize>, event: &str) -> Value {
    Value::Array(range.map(|i| example_ticket(&format!("T{i:06}"), event, &format!("fan{i}@example.org"))).collect())
}

fn statuses(answer: &Value) -> Vec<&str> {
    answer["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect()
}

async fn whole_feed(app: &common::TestApp, key: &str) -> Vec<Value> {
    let (status, page) = app.get_json(&format!("{TICKETS}/diff?limit=10000"), key).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["tickets"].as_array().unwrap().clone()
}

on_both_databases! {
    async fn injected_tickets_are_injected_and_readable_whole(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (status, answer) = app.post_json(TICKETS, &key, &batch(0..3, "EV1")).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(statuses(&answer), ["ACCEPTED"; 3]);
        let (status, ticket) = app.get_json(&format!("{TICKETS}/T000001"), &key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ticket["status"], "INJECTED");
        assert_eq!(ticket["owner"]["email"], "fan1@example.org");
        assert_eq!(ticket["event"]["startTime"], "2099-06-14T21:00:00+02:00");
        assert_eq!(ticket["history"][0]["action"], "INJECT");
    }

    async fn the_same_batch_again_creates_no_duplicate_and_no_new_diff_entry(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..5, "EV1")).await;
        let (_, first) = app.get_json(&format!("{TICKETS}/diff"), &key).await;
        let (status, again) = app.post_json(TICKETS, &key, &batch(0..5, "EV1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(statuses(&again), ["ACCEPTED"; 5]);
        let cursor = first["nextPaginationKey"].as_str().unwrap();
        let (_, after) = app.get_json(&format!("{TICKETS}/diff?paginationKey={cursor}"), &key).await;
        assert_eq!(after["tickets"].as_array().unwrap().len(), 0, "{after}");
        assert_eq!(whole_feed(&app, &key).await.len(), 5);
    }

    async fn a_changed_event_name_updates_the_ticket_and_shows_in_the_feed(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..1, "EV1")).await;
        let (_, first) = app.get_json(&format!("{TICKETS}/diff"), &key).await;
        let mut changed = example_ticket("T000000", "EV1", "fan0@example.org");
        changed["event"]["name"] = json!("Final (rescheduled)");
        changed["security"]["barcode"] = json!("NEW-BARCODE");
        let (_, answer) = app.post_json(TICKETS, &key, &json!([changed])).await;
        assert_eq!(statuses(&answer), ["ACCEPTED"]);
        let (_, ticket) = app.get_json(&format!("{TICKETS}/T000000"), &key).await;
        assert_eq!(ticket["event"]["name"], "Final (rescheduled)");
        assert_eq!(ticket["ticket"]["security"]["barcode"], "NEW-BARCODE");
        let cursor = first["nextPaginationKey"].as_str().unwrap();
        let (_, after) = app.get_json(&format!("{TICKETS}/diff?paginationKey={cursor}"), &key).await;
        let history = &after["tickets"][0]["history"];
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["INJECT", "UPDATE"], "the whole log, the new entry last: {after}");
    }

    async fn a_ticket_breaking_a_limit_is_rejected_naming_the_field_and_the_rest_is_kept(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let mut long_name = example_ticket("BAD1", "EV1", "a@example.org");
        long_name["event"]["name"] = json!("n".repeat(129));
        let mut long_barcode = example_ticket("BAD2", "EV1", "a@example.org");
        long_barcode["security"]["barcode"] = json!("b".repeat(513));
        let mut bad_id = example_ticket("BAD#3", "EV1", "a@example.org");
        bad_id["spectatorDetails"]["firstName"] = json!("x");
        let good = example_ticket("GOOD", "EV1", "a@example.org");
        let (status, answer) = app.post_json(TICKETS, &key, &json!([long_name, long_barcode, bad_id, good])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(statuses(&answer), ["REJECTED", "REJECTED", "REJECTED", "ACCEPTED"]);
        let reasons: Vec<&str> = answer["results"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap_or("")).collect();
        assert!(reasons[0].starts_with("event.name:"), "{}", reasons[0]);
        assert!(reasons[1].starts_with("security.barcode:"), "{}", reasons[1]);
        assert!(reasons[2].starts_with("ticketId:"), "{}", reasons[2]);
        assert_eq!(whole_feed(&app, &key).await.len(), 1);
    }

    async fn deleting_a_ticket_no_device_holds_makes_it_deleted_and_deleting_again_changes_nothing(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..2, "EV1")).await;
        let request = json!([{ "ticketId": "T000000", "reason": "CANCELLED", "showDeletedTicket": true }]);
        let (status, answer) = app.post_json(&format!("{TICKETS}/delete"), &key, &request).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["results"][0]["currentStatus"], "DELETED");
        let (_, again) = app.post_json(&format!("{TICKETS}/delete"), &key, &request).await;
        assert_eq!(again["results"][0]["status"], "ACCEPTED", "the same request again: no change, no refusal");
        assert_eq!(again["results"][0]["currentStatus"], "DELETED", "{again}");
        let (_, ticket) = app.get_json(&format!("{TICKETS}/T000000"), &key).await;
        assert_eq!(ticket["status"], "DELETED");
        assert_eq!(ticket["deletionReason"], "CANCELLED");
        assert_eq!(ticket["showDeletedTicket"], true);
        assert_eq!(ticket["history"].as_array().unwrap().len(), 2);
    }

    async fn controlling_makes_a_ticket_controlled_but_a_deleted_ticket_cannot_be_controlled(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..2, "EV1")).await;
        app.post_json(&format!("{TICKETS}/delete"), &key, &json!([{ "ticketId": "T000001" }])).await;
        let request = json!([
            { "ticketId": "T000000", "controlledAt": "2099-06-14T20:15:00+02:00" },
            { "ticketId": "T000001" },
            { "ticketId": "NOPE" }
        ]);
        let (_, answer) = app.post_json(&format!("{TICKETS}/control"), &key, &request).await;
        assert_eq!(statuses(&answer), ["ACCEPTED", "REJECTED", "REJECTED"]);
        assert_eq!(answer["results"][1]["currentStatus"], "DELETED");
        assert!(answer["results"][2]["reason"].as_str().unwrap().starts_with("ticketId:"));
        let (_, ticket) = app.get_json(&format!("{TICKETS}/T000000"), &key).await;
        assert_eq!(ticket["status"], "CONTROLLED");
        assert_eq!(ticket["controlledAt"], "2099-06-14T18:15:00.000Z");
    }

    async fn a_missing_or_wrong_key_is_refused_with_401(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (status, _) = app.get_json(&format!("{TICKETS}/diff"), "tbk_wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = app.client.get(app.url(&format!("{TICKETS}/diff"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let basic = |login: &str, password: &str| {
            app.client.get(app.url(&format!("{TICKETS}/diff"))).basic_auth(login, Some(password)).send()
        };
        assert_eq!(basic("org@example.org", &key).await.unwrap().status(), StatusCode::OK);
        assert_eq!(basic("other@example.org", &key).await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(basic("org@example.org", "tbk_wrong").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }

    async fn another_organizers_ticket_is_not_found_and_never_in_the_feed(app: TestApp) {
        let mine = app.organizer("mine@example.org").await;
        let theirs = app.organizer("theirs@example.org").await;
        app.post_json(TICKETS, &theirs, &batch(0..2, "EV1")).await;
        let (status, body) = app.get_json(&format!("{TICKETS}/T000000"), &mine).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.get("status").is_none(), "no data leaks: {body}");
        assert!(whole_feed(&app, &mine).await.is_empty());
        let (_, answer) = app.post_json(&format!("{TICKETS}/delete"), &mine, &json!([{ "ticketId": "T000000" }])).await;
        assert_eq!(statuses(&answer), ["REJECTED"]);
        let (_, ticket) = app.get_json(&format!("{TICKETS}/T000000"), &theirs).await;
        assert_eq!(ticket["status"], "INJECTED");
    }

    async fn paging_the_diff_during_concurrent_injection_loses_and_repeats_nothing(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let client = app.client.clone();
                let url = app.url(TICKETS);
                let key = key.clone();
                tokio::spawn(async move {
                    for b in 0..10 {
                        let start = (w * 10 + b) * 50;
                        let body = batch(start..start + 50, &format!("EV{w}"));
                        let response = client.post(&url).header("X-Api-Key", &key).json(&body).send().await.unwrap();
                        assert_eq!(response.status(), StatusCode::OK);
                    }
                })
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut cursor = String::new();
        let mut writers_done = false;
        loop {
            let (status, page) = app.get_json(&format!("{TICKETS}/diff?paginationKey={cursor}&limit=37"), &key).await;
            assert_eq!(status, StatusCode::OK);
            let tickets = page["tickets"].as_array().unwrap();
            for ticket in tickets {
                let id = ticket["ticketId"].as_str().unwrap().to_owned();
                assert!(seen.insert(id.clone()), "{id} returned twice");
            }
            cursor = page["nextPaginationKey"].as_str().unwrap().to_owned();
            if tickets.is_empty() {
                if writers_done {
                    break;
                }
                writers_done = writers.iter().all(|w| w.is_finished());
            }
        }
        for writer in writers {
            writer.await.unwrap();
        }
        assert_eq!(seen.len(), 2_000);
    }

    async fn malformed_requests_get_a_4xx_naming_the_problem_and_write_nothing(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (status, body) = app.post_raw(TICKETS, &key, b"{not json".to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"].as_str().unwrap().contains("not valid JSON"), "{body}");
        let (status, body) = app.post_json(TICKETS, &key, &json!({"ticketId": "T1"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["field"], "body");
        let (status, body) = app.post_json(TICKETS, &key, &json!([example_ticket("OK1", "E", "a@b.org"), 42])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["field"], "[1]");
        let too_many = Value::Array(vec![json!({}); 10_001]);
        let (status, body) = app.post_json(TICKETS, &key, &too_many).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["field"], "tickets");
        // one byte over the limit, announced and refused before it is sent (no broken pipe)
        let limit = tixbridge_web::MAX_BODY_BYTES;
        let (status, _, body) = crate::common::oversized::post_oversized(
            app.app.addr,
            TICKETS,
            &[("X-Api-Key", &key)],
            "application/json",
            limit + 1,
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["field"], "body");
        let (status, body) = app.get_json(&format!("{TICKETS}/diff?paginationKey=abc"), &key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["field"], "paginationKey");
        assert!(whole_feed(&app, &key).await.is_empty());
    }

    async fn tickets_accepted_before_a_restart_are_still_there_after_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..20, "EV1")).await;
        let app = app.restart().await;
        assert_eq!(whole_feed(&app, &key).await.len(), 20);
    }

    async fn verify_log_catches_an_altered_log_row(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        app.post_json(TICKETS, &key, &batch(0..3, "EV1")).await;
        app.post_json(&format!("{TICKETS}/control"), &key, &json!([{ "ticketId": "T000002" }])).await;
        let report = tixbridge_wallet::audit::verify_log(&app.app.db).await.unwrap();
        assert_eq!((report.tickets, report.entries, report.broken.len()), (3, 4, 0));
        tamper(&app.app.db).await;
        let report = tixbridge_wallet::audit::verify_log(&app.app.db).await.unwrap();
        assert_eq!(report.broken.len(), 1, "{:?}", report.broken);
        assert_eq!(report.broken[0].ticket_id, "T000002");

        let output = std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
            .args(["wallet", "verify-log", "--database", &app.database_url])
            .output()
            .unwrap();
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("T000002"));
    }
}

/// Rewrites the status of the control entry of T000002, as a forger would.
async fn tamper(db: &tixbridge_store::Db) {
    let query = "UPDATE wallet_ticket_log SET status = 'INJECTED'
               WHERE position = 1 AND ticket_pk = (SELECT id FROM wallet_tickets WHERE ticket_id = 'T000002')";
    tixbridge_store::sql(query).execute(&mut db.writer().await.unwrap()).await.unwrap();
}
