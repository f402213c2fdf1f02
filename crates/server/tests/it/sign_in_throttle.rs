//! Sign-in throttling counts per e-mail address within one client network, and per network,
//! in the database: attempts from one network never lock the fan out from another network,
//! the mailed link always works, and a restarted server (another process) keeps the counts.

use crate::common;
use crate::common::TestApp;

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

/// A client whose connections come from 127.0.1.1: loopback too, but another /24 network.
fn client_from_another_network() -> reqwest::Client {
    reqwest::Client::builder().local_address("127.0.1.1".parse::<std::net::IpAddr>().unwrap()).build().unwrap()
}

async fn ask_for_a_code(app: &TestApp, client: &reqwest::Client, email: &str) -> StatusCode {
    client
        .post(app.url("/api/spectator/sign-in"))
        .header(CSRF_HEADER.0, CSRF_HEADER.1)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
        .status()
}

on_both_databases! {
    async fn throttling_one_network_never_locks_the_fan_out_from_another_network_or_the_mailed_link(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "fan@x.example.org").await;
        let mailed = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &common::test_key(), "fan@x.example.org").await.unwrap().unwrap();

        let mut statuses = Vec::new();
        for _ in 0..12 {
            statuses.push(ask_for_a_code(&app, &app.client, "fan@x.example.org").await);
        }
        assert!(statuses[..10].iter().all(|s| *s == StatusCode::ACCEPTED), "{statuses:?}");
        assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");

        // the buckets are in the database: a new process sees them
        let app = app.restart().await;
        assert_eq!(ask_for_a_code(&app, &app.client, "fan@x.example.org").await, StatusCode::TOO_MANY_REQUESTS);

        let elsewhere = client_from_another_network();
        assert_eq!(ask_for_a_code(&app, &elsewhere, "fan@x.example.org").await, StatusCode::ACCEPTED, "the fan, from another network");

        let exchanged = app.client.post(app.url("/api/spectator/session")).header(CSRF_HEADER.0, CSRF_HEADER.1)
            .json(&json!({ "token": mailed.link_token })).send().await.unwrap();
        assert_eq!(exchanged.status(), StatusCode::OK, "the mailed link works from the throttled network too");
        let again = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &common::test_key(), "fan@x.example.org").await.unwrap().unwrap();
        let pressed = app.client.post(app.url("/wallet/sign-in/link")).form(&[("token", again.link_token.as_str())]).send().await.unwrap();
        assert_eq!(pressed.status(), StatusCode::OK, "and so does the web wallet's link page");
    }
}
