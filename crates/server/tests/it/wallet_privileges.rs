//! Digital privileges over real HTTP
//! (docs/products-and-statuses.md#products-that-go-to-the-wallet,
//! docs/wallet-api.md#the-organizer-api): definitions and instances, links to tickets,
//! marking used, and one organizer never seeing another's, on SQLite and PostgreSQL.

use crate::common;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

const PRIVILEGES: &str = "/api/organizer/privileges";
const TICKETS: &str = "/api/organizer/tickets";

fn definition(id: &str, name: &str) -> Value {
    json!({ "definitionId": id, "name": name, "kind": "SEASON_TICKET_CARD", "description": "Every home match",
            "validFrom": "2099-07-01T00:00:00+02:00", "validUntil": "2100-06-30T23:59:59+02:00",
            "metadata": { "season": "2099/2100" } })
}

fn instance(id: &str, definition: &str, linked: &[&str]) -> Value {
    json!({ "privilegeId": id, "definitionId": definition, "barcode": format!("CARD-{id}"),
            "spectatorDetails": { "email": "Member@Example.org", "firstName": "Grace", "lastName": "Hopper" },
            "linkedTicketIds": linked })
}

fn column<'a>(answer: &'a Value, list: &str, key: &str) -> Vec<&'a str> {
    answer[list].as_array().unwrap().iter().map(|r| r[key].as_str().unwrap_or("")).collect()
}

async fn tickets(app: &common::TestApp, key: &str, ids: &[&str]) {
    let batch: Vec<Value> = ids.iter().map(|id| example_ticket(id, "EV1", "member@example.org")).collect();
    let (status, answer) = app.post_json(TICKETS, key, &json!(batch)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

on_both_databases! {
    async fn a_definition_is_created_once_and_updated_only_when_it_changes(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let body = json!({ "definitions": [definition("SEASON", "Season card")], "instances": [instance("P1", "SEASON", &[])] });
        let (status, answer) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(column(&answer, "definitions", "status"), ["ACCEPTED"]);
        assert_eq!(column(&answer, "definitions", "change"), ["CREATED"]);
        let (_, again) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(column(&again, "definitions", "change"), ["UNCHANGED"]);
        let renamed = json!({ "definitions": [definition("SEASON", "Season card 2099/2100")] });
        let (_, changed) = app.post_json(PRIVILEGES, &key, &renamed).await;
        assert_eq!(column(&changed, "definitions", "change"), ["UPDATED"]);
        let (status, card) = app.get_json(&format!("{PRIVILEGES}/P1"), &key).await;
        assert_eq!(status, StatusCode::OK, "{card}");
        assert_eq!(card["definition"]["name"], "Season card 2099/2100");
        assert_eq!(card["definition"]["validFrom"], "2099-07-01T00:00:00+02:00");
    }

    async fn instances_are_idempotent_per_privilege_id_and_read_back_whole(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        tickets(&app, &key, &["T1", "T2"]).await;
        let body = json!({ "definitions": [definition("SEASON", "Season card")],
                           "instances": [instance("P1", "SEASON", &["T1", "T2"]), instance("P2", "SEASON", &[])] });
        let (_, first) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(column(&first, "results", "privilegeId"), ["P1", "P2"]);
        assert_eq!(column(&first, "results", "change"), ["CREATED", "CREATED"]);
        assert_eq!(column(&first, "results", "currentStatus"), ["ACTIVE", "ACTIVE"]);
        let (_, again) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(column(&again, "results", "change"), ["UNCHANGED", "UNCHANGED"]);

        let relinked = json!({ "instances": [instance("P1", "SEASON", &["T2"])] });
        let (_, changed) = app.post_json(PRIVILEGES, &key, &relinked).await;
        assert_eq!(column(&changed, "results", "change"), ["UPDATED"]);
        let (_, card) = app.get_json(&format!("{PRIVILEGES}/P1"), &key).await;
        assert_eq!(card["status"], "ACTIVE");
        assert_eq!(card["transferable"], false);
        assert_eq!(card["owner"]["email"], "member@example.org");
        assert_eq!(card["barcode"], "CARD-P1");
        assert_eq!(card["linkedTicketIds"], json!(["T2"]));
        assert_eq!(card["linkedTickets"], json!([{ "ticketId": "T2", "status": "INJECTED", "eventId": "EV1" }]));
        assert_eq!(card["definition"]["kind"], "SEASON_TICKET_CARD");
    }

    async fn a_link_to_an_unknown_ticket_is_rejected_naming_the_field_and_the_rest_is_kept(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        tickets(&app, &key, &["T1"]).await;
        let mut bad_email = instance("P3", "SEASON", &[]);
        bad_email["spectatorDetails"]["email"] = json!("not-an-email");
        let body = json!({ "definitions": [definition("SEASON", "Season card")], "instances": [
            instance("P1", "SEASON", &["T1", "NOPE"]), instance("P2", "SEASON", &["T1"]), bad_email,
            instance("P4", "UNKNOWN-DEFINITION", &[]) ] });
        let (status, answer) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(column(&answer, "results", "status"), ["REJECTED", "ACCEPTED", "REJECTED", "REJECTED"]);
        let reasons = column(&answer, "results", "reason");
        assert!(reasons[0].starts_with("linkedTicketIds[1]:") && reasons[0].contains("NOPE"), "{}", reasons[0]);
        assert!(reasons[2].starts_with("spectatorDetails.email:"), "{}", reasons[2]);
        assert!(reasons[3].starts_with("definitionId:"), "{}", reasons[3]);
        let (status, _) = app.get_json(&format!("{PRIVILEGES}/P1"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get_json(&format!("{PRIVILEGES}/P2"), &key).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn an_instance_of_a_definition_rejected_in_the_same_call_is_rejected_with_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let mut kindless = definition("CLUB", "Club membership");
        kindless["kind"] = json!("VOUCHER");
        let body = json!({ "definitions": [kindless], "instances": [instance("P1", "CLUB", &[])] });
        let (_, answer) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(column(&answer, "definitions", "status"), ["REJECTED"]);
        assert!(column(&answer, "definitions", "reason")[0].starts_with("kind:"));
        assert_eq!(column(&answer, "results", "status"), ["REJECTED"]);
        assert!(column(&answer, "results", "reason")[0].starts_with("definitionId:"));
    }

    async fn using_a_privilege_twice_is_rejected_naming_its_status(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let body = json!({ "definitions": [definition("SEASON", "Season card")], "instances": [instance("P1", "SEASON", &[])] });
        app.post_json(PRIVILEGES, &key, &body).await;
        let use_p1 = json!([{ "privilegeId": "P1", "usedAt": "2099-08-01T19:00:00+02:00" }, { "privilegeId": "GHOST" }]);
        let (status, answer) = app.post_json(&format!("{PRIVILEGES}/use"), &key, &use_p1).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(column(&answer, "results", "status"), ["ACCEPTED", "REJECTED"]);
        assert_eq!(answer["results"][0]["currentStatus"], "USED");
        assert!(column(&answer, "results", "reason")[1].starts_with("privilegeId:"));
        let (_, again) = app.post_json(&format!("{PRIVILEGES}/use"), &key, &json!([{ "privilegeId": "P1" }])).await;
        assert_eq!(column(&again, "results", "status"), ["REJECTED"]);
        assert!(column(&again, "results", "reason")[0].contains("USED"), "{again}");
        let (_, card) = app.get_json(&format!("{PRIVILEGES}/P1"), &key).await;
        assert_eq!(card["status"], "USED");
        assert_eq!(card["usedAt"], "2099-08-01T17:00:00.000Z");
        // Injecting the same card again changes nothing: a used card stays used.
        let (_, resent) = app.post_json(PRIVILEGES, &key, &body).await;
        assert_eq!(column(&resent, "results", "change"), ["UNCHANGED"]);
        assert_eq!(column(&resent, "results", "currentStatus"), ["USED"]);
    }

    async fn another_organizers_privileges_are_not_found_and_cannot_be_used_or_linked(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let other = app.organizer("other@example.org").await;
        tickets(&app, &key, &["T1"]).await;
        let body = json!({ "definitions": [definition("SEASON", "Season card")], "instances": [instance("P1", "SEASON", &["T1"])] });
        app.post_json(PRIVILEGES, &key, &body).await;
        let (status, _) = app.get_json(&format!("{PRIVILEGES}/P1"), &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, used) = app.post_json(&format!("{PRIVILEGES}/use"), &other, &json!([{ "privilegeId": "P1" }])).await;
        assert_eq!(column(&used, "results", "status"), ["REJECTED"]);
        let steal = json!({ "instances": [instance("P9", "SEASON", &[]), {
            "privilegeId": "P10", "definitionId": "MINE", "spectatorDetails": { "email": "x@example.org" }, "linkedTicketIds": ["T1"] }],
            "definitions": [definition("MINE", "Mine")] });
        let (_, answer) = app.post_json(PRIVILEGES, &other, &steal).await;
        let reasons = column(&answer, "results", "reason");
        assert!(reasons[0].starts_with("definitionId:"), "{answer}");
        assert!(reasons[1].starts_with("linkedTicketIds[0]:"), "{answer}");
        let (_, card) = app.get_json(&format!("{PRIVILEGES}/P1"), &key).await;
        assert_eq!(card["status"], "ACTIVE");
    }

    async fn a_malformed_privilege_request_is_refused_whole_naming_the_problem(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let cases = [
            (json!([definition("SEASON", "Season card")]), "body"),
            (json!({ "instances": { "privilegeId": "P1" } }), "instances"),
            (json!({ "instances": [7] }), "instances[0]"),
            (json!({ "definitions": [], "instance": [] }), "instance"),
        ];
        for (body, field) in cases {
            let (status, answer) = app.post_json(PRIVILEGES, &key, &body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
            assert_eq!(answer["field"], field, "{answer}");
        }
        let many: Vec<Value> = (0..10_001).map(|i| json!({ "privilegeId": format!("P{i}") })).collect();
        let (status, answer) = app.post_json(PRIVILEGES, &key, &json!({ "instances": many })).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
        let (status, _) = app.post_raw(PRIVILEGES, &key, b"{not json".to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.get_json(&format!("{PRIVILEGES}/P0"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
    }
}
