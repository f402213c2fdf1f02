use chrono::Utc;
use serde_json::{Value, json};

use super::*;

fn valid() -> Value {
    example_ticket("T-1", "EV-1", "Fan@Example.org")
}

fn rejection_of(mut ticket: Value, edit: impl FnOnce(&mut Value)) -> Rejection {
    edit(&mut ticket);
    validate_ticket(ticket, Utc::now()).expect_err("the ticket should be refused")
}

#[test]
fn the_example_ticket_is_valid_and_its_email_lower_cased() {
    let ticket = validate_ticket(valid(), Utc::now()).map_err(|r| r.to_string()).unwrap();
    assert_eq!(ticket.ticket_id, "T-1");
    assert_eq!(ticket.event.start_time, "2099-06-14T21:00:00+02:00");
    assert_eq!(ticket.spectator.email, "fan@example.org");
}

#[test]
fn each_limit_of_the_spec_names_its_field() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("ticketId", Box::new(|t| t["ticketId"] = json!("x".repeat(257)))),
        ("ticketId", Box::new(|t| t["ticketId"] = json!("bad#id"))),
        ("event.name", Box::new(|t| t["event"]["name"] = json!("n".repeat(129)))),
        ("event.address.site", Box::new(|t| t["event"]["address"]["site"] = json!("s".repeat(201)))),
        ("event.imageUrl", Box::new(|t| t["event"]["imageUrl"] = json!("u".repeat(257)))),
        ("event.timeZone", Box::new(|t| t["event"]["timeZone"] = json!("Mars/Olympus"))),
        ("event.startTime", Box::new(|t| t["event"]["startTime"] = json!("14/06/2026"))),
        ("event.expirationDate", Box::new(|t| t["event"]["expirationDate"] = json!("2001-01-01T00:00:00Z"))),
        ("security.barcode", Box::new(|t| t["security"]["barcode"] = json!("b".repeat(513)))),
        ("purchaseDetails.currency", Box::new(|t| t["purchaseDetails"]["currency"] = json!("c".repeat(21)))),
        ("purchaseDetails.category", Box::new(|t| t["purchaseDetails"]["category"] = json!("c".repeat(513)))),
        ("purchaseDetails.taxNumber", Box::new(|t| t["purchaseDetails"]["taxNumber"] = json!("t".repeat(257)))),
        ("spectatorDetails.firstName", Box::new(|t| t["spectatorDetails"]["firstName"] = json!("f".repeat(51)))),
        ("spectatorDetails.lastName", Box::new(|t| t["spectatorDetails"]["lastName"] = json!("l".repeat(101)))),
        (
            "spectatorDetails.email",
            Box::new(|t| t["spectatorDetails"]["email"] = json!(format!("{}@x.org", "e".repeat(251)))),
        ),
        ("spectatorDetails.email", Box::new(|t| t["spectatorDetails"]["email"] = json!("not-an-email"))),
        ("spectatorDetails.gender", Box::new(|t| t["spectatorDetails"]["gender"] = json!("Q"))),
        ("activationParameters.groupId", Box::new(|t| t["activationParameters"] = json!({"groupId": "g".repeat(51)}))),
        (
            "activationParameters.instanceId",
            Box::new(|t| t["activationParameters"] = json!({"instanceId": "i".repeat(129)})),
        ),
        ("activationParameters.method", Box::new(|t| t["activationParameters"] = json!({"method": "pigeon"}))),
        (
            "security",
            Box::new(|t| {
                t.as_object_mut().unwrap().remove("security");
            }),
        ),
        (
            "purchaseDetails",
            Box::new(|t| {
                t.as_object_mut().unwrap().remove("purchaseDetails");
            }),
        ),
        (
            "spectatorDetails",
            Box::new(|t| {
                t.as_object_mut().unwrap().remove("spectatorDetails");
            }),
        ),
        (
            "event",
            Box::new(|t| {
                t.as_object_mut().unwrap().remove("event");
            }),
        ),
        ("ticketDetails.main[0].key", Box::new(|t| t["ticketDetails"] = json!({"main": [{"value": "v"}]}))),
    ];
    for (field, edit) in cases {
        let rejection = rejection_of(valid(), edit);
        assert_eq!(rejection.field, field, "rule was: {}", rejection.rule);
    }
}

#[test]
fn the_limits_themselves_are_accepted() {
    let mut ticket = valid();
    ticket["ticketId"] = json!(format!("{}", "A".repeat(256)));
    ticket["event"]["name"] = json!("n".repeat(128));
    ticket["security"]["barcode"] = json!("b".repeat(512));
    ticket["spectatorDetails"]["firstName"] = json!("é".repeat(50));
    assert!(check_ticket(&ticket, Utc::now()).is_ok());
    assert!(validate_ticket(ticket, Utc::now()).is_ok());
}

#[test]
fn every_allowed_punctuation_mark_is_accepted_in_a_ticket_id() {
    assert!(check_ticket_id("Ab 9*.-_+/()").is_ok());
}

#[test]
fn shown_texts_may_be_multilingual_objects_checked_language_by_language() {
    let mut ticket = valid();
    ticket["event"]["name"] = json!({ "fr": "Finale", "en": "Final" });
    ticket["event"]["address"]["site"] = json!({ "en": "National Stadium", "pt-BR": "Estádio Nacional" });
    ticket["purchaseDetails"]["category"] = json!({ "de": "Kategorie 1" });
    ticket["ticketDetails"] = json!({ "main": [{ "key": "Tariff", "value": { "en": "Full price" } }] });
    let valid_ticket = validate_ticket(ticket.clone(), Utc::now()).map_err(|r| r.to_string()).unwrap();
    assert_eq!(valid_ticket.event.name, "Final", "English is the text shown");
    ticket["event"]["name"] = json!({ "fr": "Finale", "de": "Endspiel" });
    assert_eq!(validate_ticket(ticket, Utc::now()).unwrap().event.name, "Endspiel", "else the first language");

    for (field, edit) in [
        ("event.name.en", json!({ "en": "n".repeat(129) })),
        ("event.name.English", json!({ "English": "Final" })),
        ("event.name", json!({})),
        ("event.name", json!({ "en": " " })),
        ("event.name", json!(["Final"])),
    ] {
        let rejection = rejection_of(valid(), |t| t["event"]["name"] = edit);
        assert_eq!(rejection.field, field, "rule was: {}", rejection.rule);
    }
    let rejection =
        rejection_of(valid(), |t| t["ticketDetails"] = json!({ "main": [{ "key": "K", "value": { "en": 7 } }] }));
    assert_eq!(rejection.field, "ticketDetails.main[0].value.en", "rule was: {}", rejection.rule);
}
