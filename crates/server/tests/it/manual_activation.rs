//! Manual activation codes over real HTTP on both databases: the server generates them (an
//! organizer-chosen code is refused), and wrong guesses are stopped after five per ticket and
//! device within fifteen minutes — the window is passed by moving the stored tries back, never
//! by sleeping.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_store::sql;

use crate::common::TestApp;
use crate::support::*;

async fn put_settings(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .put(app.url("/api/organizer/events/EV1/settings"))
        .header("X-Api-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

on_both_databases! {
    async fn manual_codes_are_generated_by_the_server_and_guessing_stops_after_five_wrong_tries(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        for chosen in ["1234", "OPEN-SESAME"] {
            let (status, body) = put_settings(&app, &key, json!({ "manualCode": chosen })).await;
            assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("manualCode")), "{body}");
        }
        let (_, read) = app.get_json("/api/organizer/events/EV1/settings", &key).await;
        assert_eq!(read["manualCodeSet"], false, "nothing written");
        let (status, set) = put_settings(&app, &key, json!({ "manualActivation": true })).await;
        assert_eq!(status, StatusCode::OK, "{set}");
        let code = set["manualCode"].as_str().unwrap().to_owned();
        assert!(code.len() >= 6, "{code}");
        let (_, read) = app.get_json("/api/organizer/events/EV1/settings", &key).await;
        assert!(read["manualCodeSet"] == true && read.get("manualCode").is_none(), "shown once: {read}");
        let (_, kept) = put_settings(&app, &key, json!({ "manualActivation": true, "transfersEnabled": false })).await;
        assert!(kept.get("manualCode").is_none() && kept["manualActivation"] == true, "kept, not shown again: {kept}");

        let phone = sign_in(&app, "ada@example.org").await;
        let (id, _) = phone.fetch(&app, "T1").await;
        let path = format!("/api/spectator/tickets/{id}/activate");
        for i in 0..5 {
            let (status, body) = phone.post(&app, &path, json!({ "manualCode": format!("WRONG{i}XY") })).await;
            assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("manualCode")), "{body}");
        }
        let (status, body) = phone.post(&app, &path, json!({ "manualCode": code })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right code waits: {body}");
        assert!(body["error"].as_str().unwrap().contains("try again in"), "{body}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "DOWNLOADED");

        // another device has its own count
        let tablet = sign_in(&app, "ada@example.org").await;
        tablet.fetch(&app, "T1").await;
        let (status, _) = tablet.post(&app, &path, json!({ "manualCode": "WRONG9XY" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // fifteen minutes pass for the phone's tries
        sql("UPDATE wallet_manual_code_attempts SET attempted_at = attempted_at - 900000")
            .execute(&mut app.app.db.writer().await.unwrap())
            .await
            .unwrap();
        let (status, ticket) = phone.post(&app, &path, json!({ "manualCode": code.to_lowercase() })).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "MANUAL_ACTIVATED");
    }
}
