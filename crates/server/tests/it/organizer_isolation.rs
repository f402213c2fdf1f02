//! Device limits and spectator names belong to the organizer that set or sent them: one
//! organizer's device limits never refuse another organizer's fans, and one organizer's feed
//! never shows the names another organizer injected for the same e-mail.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

on_both_databases! {
    async fn one_organizers_device_limits_never_refuse_another_organizers_fan(app: TestApp) {
        let strict = app.organizer("strict@example.org").await;
        let relaxed = app.organizer("relaxed@example.org").await;
        let response = app.client.put(app.url("/api/organizer/device-limits")).header("X-Api-Key", &strict)
            .json(&json!({ "maxActiveDevices": 1, "maxDevicesEver": 1 })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        inject(&app, &strict, &["S1"], "EVS", "fan@example.org").await;
        inject(&app, &relaxed, &["R1"], "EVR", "fan@example.org").await;

        let phone = sign_in(&app, "fan@example.org").await;
        phone.fetch(&app, "S1").await;
        phone.fetch(&app, "R1").await;
        let tablet = try_sign_in(&app, "fan@example.org", None).await
            .unwrap_or_else(|(status, body)| panic!("the relaxed organizer's fan is refused: {status} {body}"));
        let (_, ticket) = tablet.fetch(&app, "R1").await;
        assert_eq!(ticket["ticketId"], "R1");

        let strict_id = tablet.id_of(&app, "S1").await;
        let (status, body) = tablet.get(&app, &format!("/api/spectator/tickets/{strict_id}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the strict organizer's limit still holds for its tickets: {body}");
        assert!(body["error"].as_str().unwrap().contains("1 active device"), "{body}");
    }

    async fn an_organizers_diff_feed_never_shows_names_another_organizer_injected(app: TestApp) {
        let first = app.organizer("first@example.org").await;
        let second = app.organizer("second@example.org").await;
        let mut named = example_ticket("A1", "EVA", "fan@example.org");
        named["spectatorDetails"]["firstName"] = json!("Privatus");
        named["spectatorDetails"]["lastName"] = json!("Secretus");
        let (status, answer) = app.post_json(TICKETS, &first, &json!([named])).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let mut unnamed = example_ticket("B1", "EVB", "fan@example.org");
        unnamed["spectatorDetails"] = json!({ "email": "fan@example.org" });
        let (status, answer) = app.post_json(TICKETS, &second, &json!([unnamed])).await;
        assert_eq!(status, StatusCode::OK, "{answer}");

        let diff = |key: String| {
            let app = &app;
            async move {
                let (status, feed) = app.get_json(&format!("{TICKETS}/diff?paginationKey=&limit=100"), &key).await;
                assert_eq!(status, StatusCode::OK, "{feed}");
                feed
            }
        };
        let theirs = diff(second.clone()).await;
        assert_eq!(theirs["tickets"].as_array().unwrap().len(), 1, "{theirs}");
        assert_eq!(theirs["tickets"][0]["owner"]["email"], "fan@example.org");
        assert_eq!(theirs["tickets"][0]["owner"]["firstName"], Value::Null, "{theirs}");
        assert!(!theirs.to_string().contains("Privatus") && !theirs.to_string().contains("Secretus"), "{theirs}");
        assert!(!organizer_ticket(&app, &second, "B1").await.to_string().contains("Privatus"));

        let own = diff(first).await;
        assert_eq!(own["tickets"][0]["owner"]["firstName"], "Privatus", "{own}");
    }
}
