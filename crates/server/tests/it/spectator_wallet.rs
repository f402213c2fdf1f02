//! The spectator API over real HTTP on both databases: sign-in, own tickets, download, the
//! entry code's secret and its activation (online, manual, offline), holders, device limits, rate
//! limits and device sync.

use std::time::Duration;

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases! {
    async fn a_mailed_code_signs_in_and_a_spectator_sees_only_their_own_tickets(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["T2"], "EV1", "bob@example.org").await;
        let response = app.client.post(app.url("/api/spectator/sign-in")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&json!({ "email": "Ada@example.org" })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(mails[0].recipients, ["ada@example.org"]);
        let code = mails[0].body.split("code is ").nth(1).unwrap()[..6].to_owned();
        assert!(mails[0].body.contains("/wallet/sign-in?token=tbl_"), "{}", mails[0].body);

        let wrong = json!({ "email": "ada@example.org", "code": "000000x" });
        let response = app.client.post(app.url("/api/spectator/session")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&wrong).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let right = json!({ "email": "ada@example.org", "code": code, "deviceName": "Ada's phone" });
        let session: serde_json::Value = app.client.post(app.url("/api/spectator/session")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&right).send().await.unwrap().json().await.unwrap();
        let ada = Spectator { token: session["sessionToken"].as_str().unwrap().into(), device_id: session["deviceId"].as_str().unwrap().into(), csrf: session["csrfToken"].as_str().unwrap().into() };
        let again = app.client.post(app.url("/api/spectator/session")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&right).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "a code works once");

        let (_, list) = ada.get(&app, "/api/spectator/tickets").await;
        let ids: Vec<&str> = list["results"].as_array().unwrap().iter().map(|t| t["ticketId"].as_str().unwrap()).collect();
        assert_eq!(ids, ["T1"]);
        let bob = sign_in(&app, "bob@example.org").await;
        let bobs = bob.id_of(&app, "T2").await;
        for path in [format!("/api/spectator/tickets/{bobs}"), format!("/api/spectator/tickets/{bobs}/code")] {
            let (status, body) = ada.get(&app, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        }
        let (status, _) = ada.post(&app, &format!("/api/spectator/tickets/{bobs}/transfer"), json!({ "email": "eve@example.org" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.client.get(app.url("/api/spectator/tickets")).send().await.map(|r| (r.status(), ())).unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn the_first_fetch_downloads_and_the_code_secret_stays_hidden_until_online_activation(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "INJECTED");
        let (id, ticket) = ada.fetch(&app, "T1").await;
        assert_eq!(ticket["status"], "DOWNLOADED");
        assert!(!ticket.to_string().contains("BC-T1"), "the barcode never leaves in clear: {ticket}");
        assert!(ticket["entry"]["codeReference"].is_null() && ticket["entry"]["deviceSecret"].is_null());
        let (status, _) = ada.get(&app, &format!("/api/spectator/tickets/{id}/code")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, body) = ada.post(&app, &format!("/api/spectator/tickets/{id}/activate"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "not yet: {body}");

        set_event(&app, &key, "EV1", activation_due()).await;
        let (_, ticket) = ada.fetch(&app, "T1").await;
        assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
        let entry = &ticket["entry"];
        assert!(entry["codeReference"].is_string() && entry["deviceSecret"].is_string(), "{entry}");
        assert!(!ticket.to_string().contains("BC-T1"), "still no barcode: {ticket}");
        let code = ada.code(&app, id).await;
        assert!(code.starts_with(&format!("TB2:{}:", entry["codeReference"].as_str().unwrap())), "{code}");
        let history: Vec<String> = organizer_ticket(&app, &key, "T1").await["history"].as_array().unwrap()
            .iter().map(|h| h["status"].as_str().unwrap().to_owned()).collect();
        assert_eq!(history, ["INJECTED", "DOWNLOADED", "ONLINE_ACTIVATED"]);
    }

    async fn a_holder_needs_first_and_last_name_and_what_the_event_requires(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        set_event(&app, &key, "EV1", json!({ "holderBirthDate": "REQUIRED" })).await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let path = format!("/api/spectator/tickets/{id}/holder");
        let (status, body) = ada.post(&app, &path, json!({ "firstName": "Grace" })).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lastName")));
        let (status, body) = ada.post(&app, &path, json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("birthDate")));
        let holder = json!({ "firstName": "Grace", "lastName": "Hopper", "birthDate": "1906-12-09", "phone": "+41 22 000 00 00" });
        let (status, ticket) = ada.post(&app, &path, holder).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "ASSIGNED");
        let seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!((seen["status"].as_str(), seen["holder"]["lastName"].as_str()), (Some("ASSIGNED"), Some("Hopper")));
    }

    async fn a_manual_code_activates_and_a_wrong_one_is_refused(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let manual = set_event(&app, &key, "EV1", json!({ "manualActivation": true })).await["manualCode"].as_str().unwrap().to_owned();
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let path = format!("/api/spectator/tickets/{id}/activate");
        let (status, _) = ada.post(&app, &path, json!({ "manualCode": "guess" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, ticket) = ada.post(&app, &path, json!({ "manualCode": manual })).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "MANUAL_ACTIVATED");
        assert!(ticket["entry"]["deviceSecret"].is_string());
    }

    async fn an_offline_ticket_gets_its_key_ahead_and_the_device_reports_activation(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let mut ticket = tixbridge_domain::inject::example_ticket("T1", "EV1", "ada@example.org");
        ticket["activationParameters"] = json!({ "method": "offline", "time": "2099-06-14T19:00:00+02:00", "groupId": "NORTH" });
        let (status, _) = app.post_json(TICKETS, &key, &json!([ticket])).await;
        assert_eq!(status, StatusCode::OK);
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, fetched) = ada.fetch(&app, "T1").await;
        assert_eq!(fetched["status"], "DOWNLOADED");
        assert_eq!((fetched["entry"]["method"].as_str(), fetched["entry"]["groupId"].as_str()), (Some("offline"), Some("NORTH")));
        assert!(fetched["entry"]["codeReference"].is_string() && fetched["entry"]["deviceSecret"].is_string());
        let path = format!("/api/spectator/tickets/{id}/activate");
        let (status, body) = ada.post(&app, &path, json!({ "method": "offline" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "too early by the server clock: {body}");
        let mut early = tixbridge_domain::inject::example_ticket("T2", "EV1", "ada@example.org");
        early["activationParameters"] = json!({ "method": "offline", "time": "2020-01-01T00:00:00Z" });
        app.post_json(TICKETS, &key, &json!([early])).await;
        let (id2, _) = ada.fetch(&app, "T2").await;
        let (status, ticket) = ada.post(&app, &format!("/api/spectator/tickets/{id2}/activate"), json!({ "method": "offline" })).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "OFFLINE_ACTIVATED");
    }

    async fn a_bluetooth_beacon_activates_a_ticket_once_its_time_has_come(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let mut later = tixbridge_domain::inject::example_ticket("T1", "EV1", "ada@example.org");
        later["activationParameters"] = json!({ "method": "offline", "time": "2099-06-14T19:00:00+02:00" });
        let mut due = tixbridge_domain::inject::example_ticket("T2", "EV1", "ada@example.org");
        // an offline plan: the device holds the key and waits for the beacon (online tickets
        // activate by themselves when fetched after their time)
        due["activationParameters"] = json!({ "method": "offline", "time": "2020-01-01T00:00:00Z" });
        app.post_json(TICKETS, &key, &json!([later, due])).await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (early, _) = ada.fetch(&app, "T1").await;
        let (status, _) = ada.post(&app, &format!("/api/spectator/tickets/{early}/activate"), json!({ "method": "bluetooth" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "not before its activation time");
        let (id, _) = ada.fetch(&app, "T2").await;
        let (status, ticket) = ada.post(&app, &format!("/api/spectator/tickets/{id}/activate"), json!({ "method": "bluetooth" })).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "BT_ACTIVATED");
        let (_, wallet) = app.get_json(&format!("{TICKETS}/T2"), &key).await;
        assert_eq!(wallet["history"].as_array().unwrap().last().unwrap()["action"], "ACTIVATE_BT");
    }

    async fn past_the_device_limits_sign_in_is_refused_with_a_message_saying_so(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let limits = |body: serde_json::Value| {
            app.client.put(app.url("/api/organizer/device-limits")).header("X-Api-Key", &key).json(&body).send()
        };
        assert_eq!(limits(json!({ "maxActiveDevices": 11, "maxDevicesEver": 20 })).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(limits(json!({ "maxActiveDevices": 2, "maxDevicesEver": 51 })).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(limits(json!({ "maxActiveDevices": 1, "maxDevicesEver": 2 })).await.unwrap().status(), StatusCode::OK);

        let first = sign_in(&app, "ada@example.org").await;
        let (status, body) = try_sign_in(&app, "ada@example.org", None).await.err().unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["error"].as_str().unwrap().contains("maximum is 1"), "{body}");
        let same = try_sign_in(&app, "ada@example.org", Some(&first.device_id)).await;
        assert!(same.is_ok(), "the same device may sign in again");
        let (status, _) = first.post(&app, "/api/spectator/sign-out", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let second = sign_in(&app, "ada@example.org").await;
        second.post(&app, "/api/spectator/sign-out", json!({})).await;
        let (status, body) = try_sign_in(&app, "ada@example.org", None).await.err().unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["error"].as_str().unwrap().contains("already used 2 device(s)"), "{body}");
    }

    async fn sign_in_attempts_are_rate_limited_per_account_with_a_429(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let mut statuses = Vec::new();
        for _ in 0..11 {
            let wrong = json!({ "email": "ada@example.org", "code": "123456" });
            let response = app.client.post(app.url("/api/spectator/session")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&wrong).send().await.unwrap();
            statuses.push(response.status());
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                let body: serde_json::Value = response.json().await.unwrap();
                assert!(body["error"].as_str().unwrap().contains("too many sign-in attempts"), "{body}");
            }
        }
        assert_eq!(statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
        assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
        let response = app.client.post(app.url("/api/spectator/sign-in")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&json!({ "email": "ada@example.org" })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        // per address: many accounts from one address (this test's 127.0.0.1 made 12 attempts already)
        let mut last = StatusCode::OK;
        for i in 0..60 {
            let body = json!({ "email": format!("guess{i}@example.org") });
            last = app.client.post(app.url("/api/spectator/sign-in")).header(CSRF_HEADER.0, CSRF_HEADER.1).json(&body).send().await.unwrap().status();
            if last == StatusCode::TOO_MANY_REQUESTS {
                assert!(i >= 40, "the address limit is 60 attempts, reached at {i}");
                break;
            }
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn a_deleted_ticket_stays_pending_until_no_device_holds_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1", "T2"], "EV1", "ada@example.org").await;
        let phone = sign_in(&app, "ada@example.org").await;
        let tablet = sign_in(&app, "ada@example.org").await;
        let (t1, _) = phone.fetch(&app, "T1").await;
        tablet.fetch(&app, "T1").await;
        let (t2, _) = phone.fetch(&app, "T2").await;
        let (_, answer) = app.post_json(&format!("{TICKETS}/delete"), &key, &json!([{ "ticketId": "T1" }, { "ticketId": "T2" }])).await;
        assert_eq!(answer["results"][0]["currentStatus"], "DELETION_PENDING");
        let (_, sync) = phone.post(&app, "/api/spectator/devices/sync", json!({ "tickets": [t1, t2] })).await;
        assert_eq!(sync["delete"], json!([t1, t2]));
        phone.post(&app, "/api/spectator/devices/sync", json!({ "tickets": [] })).await;
        assert_eq!(organizer_ticket(&app, &key, "T2").await["status"], "DELETED");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "DELETION_PENDING", "the tablet still holds it");
        tablet.post(&app, "/api/spectator/sign-out", json!({})).await;
        let t1_seen = organizer_ticket(&app, &key, "T1").await;
        assert_eq!(t1_seen["status"], "DELETED");
        assert_eq!(t1_seen["history"].as_array().unwrap().last().unwrap()["action"], "RELEASE");
        let report = tixbridge_wallet::audit::verify_log(&app.app.db).await.unwrap();
        assert!(report.broken.is_empty(), "{:?}", report.broken);
    }
}
