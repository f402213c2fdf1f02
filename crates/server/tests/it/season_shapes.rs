//! Season tickets reach the wallet in the shape their product names
//! (docs/products-and-statuses.md#season-tickets-and-digital-privileges): tickets only as a
//! wallet ticket sent by the injection, card only as a privilege sent by the privileges
//! injection, card and tickets as both — whichever function runs first. Over real HTTP, on
//! both databases.

use crate::common;

use crate::common::seed::injection_settings;
use serde_json::{Value, json};

const PRIVILEGES: &str = "/api/organizer/privileges";

/// Issues one file for the seeded contact holding `tickets`; returns their ids.
async fn file(app: &common::TestApp, org: &str, contact_id: i64, tickets: Vec<Value>) -> Vec<i64> {
    let body = json!({ "contactId": contact_id, "salesChannelCode": "WEB", "tickets": tickets });
    let file = app.create(&format!("/api/boxoffice/organizations/{org}/files"), body).await;
    file["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

fn card(product: &str) -> Value {
    json!({ "productCode": product, "shipmentModeCode": "MOB", "priceCents": 30000, "currency": "CHF" })
}

fn match_ticket() -> Value {
    json!({ "productCode": "FINAL", "performanceCode": "P1", "seatCategoryCode": "CAT1", "tariffCode": "FULL",
            "shipmentModeCode": "MOB", "block": "S", "row": "1", "seat": "9", "priceCents": 4500, "currency": "CHF" })
}

/// The wallet's privilege `id` of `key`'s organizer: (HTTP status, body).
async fn privilege(app: &common::TestApp, key: &str, id: i64) -> (u16, Value) {
    let (status, body) = app.get_json(&format!("{PRIVILEGES}/{id}"), key).await;
    (status.as_u16(), body)
}

on_both_databases! {
    async fn each_season_ticket_shape_reaches_the_wallet_as_its_tickets_its_card_or_both(app: TestApp) {
        let seeded = app.seed_match("FSS", 0).await;
        for (code, shape) in [("CARDONLY", "CARD_ONLY"), ("BOTH", "CARD_AND_TICKETS"), ("TICKETS", "TICKETS_ONLY")] {
            app.create("/api/boxoffice/organizations/FSS/products", json!({
                "code": code, "name": format!("{code} season ticket"), "externalName": format!("Season {shape}"),
                "kind": "SEASON_TICKET_CARD", "family": "SEASON", "seasonCode": "S26", "seasonShape": shape })).await;
        }
        let both = file(&app, "FSS", seeded.contact_id, vec![card("BOTH"), match_ticket()]).await;
        let (both_card, its_match) = (both[0], both[1]);
        let card_only = file(&app, "FSS", seeded.contact_id, vec![card("CARDONLY")]).await[0];
        let tickets_only = file(&app, "FSS", seeded.contact_id, vec![card("TICKETS")]).await[0];
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("FSS", "INJECTION", injection_settings()).await;
        let privileges = app.function("FSS", "PRIVILEGES",
            json!({ "batchSize": 100, "products": ["CARDONLY", "BOTH", "TICKETS"] })).await;

        let injected = app.run(injection).await;
        assert_eq!((injected["result"].as_str(), injected["counts"]["accepted"].as_u64()), (Some("OK"), Some(3)),
            "the tickets-only and the combined season tickets go as tickets, with the match: {injected}");
        let (status, ticket) = app.wallet_ticket(&seeded, tickets_only).await;
        assert_eq!(status, 200, "{ticket}");
        assert_eq!(ticket["event"]["name"], "Season TICKETS_ONLY");
        assert_eq!(ticket["event"]["startTime"], "2099-07-01T00:00:00+02:00", "a season ticket lasts its season");
        assert_eq!(ticket["event"]["expirationDate"], "2100-06-30T23:59:00+02:00");
        assert_eq!(app.wallet_ticket(&seeded, both_card).await.0, 200);
        assert_eq!(app.wallet_ticket(&seeded, card_only).await.0, 404, "a card-only season ticket is never a ticket");

        let carded = app.run(privileges).await;
        assert_eq!((carded["result"].as_str(), carded["counts"]["accepted"].as_u64()), (Some("OK"), Some(2)),
            "the card-only and the combined season tickets go as cards: {carded}");
        let (status, combined) = privilege(&app, &seeded.wallet_key, both_card).await;
        assert_eq!(status, 200, "{combined}");
        assert_eq!(combined["linkedTicketIds"], json!([both_card.to_string(), its_match.to_string()]),
            "the combined card is linked to its own ticket and its file's match");
        let (status, alone) = privilege(&app, &seeded.wallet_key, card_only).await;
        assert_eq!((status, &alone["linkedTicketIds"]), (200, &json!([])));
        assert_eq!(privilege(&app, &seeded.wallet_key, tickets_only).await.0, 404, "a tickets-only season ticket has no card");
        for id in [both_card, its_match, card_only, tickets_only] {
            assert_eq!(app.ticket("FSS", id).await["status"], "PRINTED");
        }
        assert_eq!(app.run(injection).await["counts"]["selected"], 0, "nothing is sent twice as a ticket");
        assert_eq!(app.run(privileges).await["counts"]["selected"], 0, "nothing is sent twice as a card");

        // the other order: the card first, then the ticket
        let late = file(&app, "FSS", seeded.contact_id, vec![card("BOTH")]).await[0];
        assert_eq!(app.run(privileges).await["counts"]["accepted"], 1);
        assert_eq!(app.ticket("FSS", late).await["status"], "PRINTED");
        let second = app.run(injection).await;
        assert_eq!(second["counts"]["accepted"], 1, "a combined card printed as a card still goes as a ticket: {second}");
        assert_eq!(app.wallet_ticket(&seeded, late).await.0, 200);
        assert_eq!(privilege(&app, &seeded.wallet_key, late).await.0, 200);
    }
}
