//! The offline entry code, server side, over real HTTP on both databases: what a device gets
//! once its ticket is activated (`GET /api/spectator/tickets/{id}/offline-code`, and the same
//! in the ticket page) is its own secret — never the event's code key the gate bundle carries —
//! and the codes it makes from it, periods later and without asking the server, are the ones
//! the gate accepts once; the bundle is refused before activation, to another spectator, to a
//! device that never fetched the ticket, and after the event expired. The pages that make the
//! wallet an installable app are served, and the ticket page tells a browser without script
//! to reload itself when its code is replaced.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tixbridge_store::sql;
use tixbridge_wallet::gate::bundle::SignedBundle;

use crate::common::TestApp;
use crate::support::*;

const PERIOD: i64 = 15;

/// Ada's T1 (EV1), injected with a 15 s code period and activation due.
async fn event(app: &TestApp, key: &str) {
    inject(app, key, &["T1"], "EV1", "ada@example.org").await;
    let mut rules = activation_due();
    rules["codePeriodSeconds"] = json!(PERIOD);
    set_event(app, key, "EV1", rules).await;
}

/// The code a device makes at `at` from its offline bundle, with the wallet's own algorithm.
fn code_from_bundle(bundle: &Value, at: DateTime<Utc>) -> String {
    let secret = STANDARD.decode(bundle["deviceSecret"].as_str().unwrap()).unwrap();
    tixbridge_wallet::entry::rotating_code(
        &secret,
        bundle["codeReference"].as_str().unwrap(),
        bundle["periodSeconds"].as_i64().unwrap(),
        at.timestamp_millis(),
    )
}

/// As if `event` had expired (injection refuses an expired event, so the test moves the date).
async fn expire(app: &TestApp, event: &str) {
    let mut tx = app.app.db.begin_write().await.unwrap();
    sql("UPDATE wallet_events SET expiration_date = $1 WHERE event_id = $2")
        .bind("2001-01-01T00:00:00+01:00")
        .bind(event)
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn step_of(code: &str) -> i64 {
    code.split(':').nth(2).unwrap().parse().unwrap()
}

on_both_databases! {
    async fn an_activated_device_gets_its_own_secret_whose_codes_three_periods_on_the_gate_accepts_once(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        event(&app, &key).await;
        let phone = sign_in(&app, "ada@example.org").await;
        let tablet = sign_in(&app, "ada@example.org").await;
        let (id, ticket) = phone.fetch(&app, "T1").await;
        assert_eq!(ticket["status"], "ONLINE_ACTIVATED");
        tablet.fetch(&app, "T1").await;

        let (status, bundle) = phone.get(&app, &format!("/api/spectator/tickets/{id}/offline-code")).await;
        assert_eq!(status, StatusCode::OK, "{bundle}");
        assert_eq!(bundle["format"], "tixbridge-offline-code/1");
        assert_eq!((bundle["id"].as_i64(), bundle["ticketId"].as_str(), bundle["eventId"].as_str()), (Some(id), Some("T1"), Some("EV1")));
        assert_eq!(bundle["deviceId"], phone.device_id.as_str());
        assert_eq!(bundle["periodSeconds"], PERIOD);
        assert_eq!(bundle["codeReference"], ticket["entry"]["codeReference"], "the reference of this device's holding");
        assert_eq!(bundle["deviceSecret"], ticket["entry"]["deviceSecret"]);
        let expiration = DateTime::parse_from_rfc3339(ticket["event"]["expirationDate"].as_str().unwrap()).unwrap();
        let end = DateTime::parse_from_rfc3339(bundle["codesEnd"].as_str().unwrap()).unwrap();
        assert_eq!(end, expiration, "codes end when the event expires");
        assert_eq!(ticket["entry"]["codesUntil"], bundle["codesEnd"]);
        let from = DateTime::parse_from_rfc3339(bundle["codesFrom"].as_str().unwrap()).unwrap();
        let activated = DateTime::parse_from_rfc3339(ticket["activatedAt"].as_str().unwrap()).unwrap();
        assert_eq!(from, activated);

        // per ticket and device: the tablet's secret differs, and neither is the event's code key
        let (_, on_tablet) = tablet.get(&app, &format!("/api/spectator/tickets/{id}/offline-code")).await;
        assert_ne!(on_tablet["deviceSecret"], bundle["deviceSecret"]);
        assert_ne!(on_tablet["codeReference"], bundle["codeReference"]);
        let (status, signed) = app.get_json("/api/gate/bundle?event=EV1", &key).await;
        assert_eq!(status, StatusCode::OK, "{signed}");
        let signed: SignedBundle = serde_json::from_value(signed).unwrap();
        let payload: Value = serde_json::from_slice(&STANDARD.decode(&signed.payload).unwrap()).unwrap();
        let code_key = payload["codeKey"].as_str().unwrap();
        assert!(!code_key.is_empty());
        for secret in [&bundle["deviceSecret"], &on_tablet["deviceSecret"]] {
            assert_ne!(secret.as_str().unwrap(), code_key, "the organizer's key never reaches a device");
        }

        // the code made from the bundle is the one the server shows now (retried across a period's edge)
        let mut agreed = false;
        for _ in 0..3 {
            let before = Utc::now();
            let served = phone.code(&app, id).await;
            let made = code_from_bundle(&bundle, before);
            if step_of(&served) == step_of(&made) {
                assert_eq!(served, made);
                agreed = true;
                break;
            }
        }
        assert!(agreed, "the server's code and the bundle's never fell in one period");

        // three periods on, made without asking the server, scanned then: accepted once
        let later = Utc::now() + Duration::seconds(3 * PERIOD);
        let code = code_from_bundle(&bundle, later);
        let scan = json!({ "code": code, "scannedAt": later.to_rfc3339() });
        assert_eq!(verify(&app, &key, scan.clone()).await["result"], "ACCEPTED");
        assert_eq!(verify(&app, &key, scan).await["result"], "REPLAYED");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "CONTROLLED");
    }

    async fn the_offline_bundle_is_refused_before_activation_to_others_to_a_device_without_the_ticket_and_after_expiry(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["B1"], "EV1", "bob@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, ticket) = ada.fetch(&app, "T1").await;
        assert_eq!(ticket["status"], "DOWNLOADED", "the example event activates codes hours before 2099");
        let path = format!("/api/spectator/tickets/{id}/offline-code");
        let (status, body) = ada.get(&app, &path).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"].as_str().unwrap().contains("DOWNLOADED"), "{body}");

        set_event(&app, &key, "EV1", activation_due()).await;
        ada.fetch(&app, "T1").await;
        assert_eq!(ada.get(&app, &path).await.0, StatusCode::OK);
        let bob = sign_in(&app, "bob@example.org").await;
        let (status, body) = bob.get(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another spectator's ticket: {body}");
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let second = sign_in(&app, "ada@example.org").await;
        let (status, body) = second.get(&app, &path).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"].as_str().unwrap().contains("fetch the ticket on this device"), "{body}");

        // as if the event had expired: no bundle, and the page shows no code
        expire(&app, "EV1").await;
        let (status, body) = ada.get(&app, &path).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"].as_str().unwrap().contains("expired"), "{body}");
    }

    async fn the_wallet_is_an_installable_app_and_its_ticket_page_carries_the_code_material(app: TestApp) {
        for (path, kind, needle) in [
            ("/wallet/manifest.webmanifest", "application/manifest+json", "\"start_url\": \"/wallet/\""),
            ("/wallet/sw.js", "text/javascript; charset=utf-8", "addEventListener('fetch'"),
            ("/wallet/icon.svg", "image/svg+xml", "<svg"),
            ("/wallet/app.js", "text/javascript; charset=utf-8", "crypto.subtle.sign('HMAC'"),
        ] {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()["content-type"], kind, "{path}");
            let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
            assert!(csp.contains("manifest-src 'self'") && csp.contains("worker-src 'self'"), "{csp}");
            let text = response.text().await.unwrap();
            assert!(text.contains(needle), "{path}: {text}");
        }
        let manifest: Value =
            app.client.get(app.url("/wallet/manifest.webmanifest")).send().await.unwrap().json().await.unwrap();
        assert_eq!((manifest["scope"].as_str(), manifest["display"].as_str()), (Some("/wallet/"), Some("standalone")));

        let key = app.organizer("org@example.org").await;
        event(&app, &key).await;
        let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &crate::common::test_key(), "ada@example.org")
            .await
            .unwrap()
            .unwrap();
        let signed_in = app.client.post(app.url("/wallet/sign-in/link")).form(&[("token", issued.link_token.as_str())]).send().await.unwrap();
        let cookie = signed_in
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        let home = signed_in.text().await.unwrap();
        assert!(home.contains("<link rel=\"manifest\" href=\"/wallet/manifest.webmanifest\">"), "{home}");
        let id: i64 = home.split("/wallet/tickets/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let before = Utc::now().timestamp_millis();
        let page = app.client.get(app.url(&format!("/wallet/tickets/{id}"))).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
        let after = Utc::now().timestamp_millis();
        let attribute = |name: &str| -> String {
            page.split(&format!("{name}=\"")).nth(1).unwrap_or_else(|| panic!("{name} in {page}")).split('"').next().unwrap().to_owned()
        };
        let step: i64 = attribute("data-step").parse().unwrap();
        assert!((before / 1000 / PERIOD..=after / 1000 / PERIOD).contains(&step), "the code of now");
        assert_eq!(attribute("data-period-seconds"), PERIOD.to_string());
        assert_eq!(attribute("data-reference").len(), 32);
        assert_eq!(STANDARD.decode(attribute("data-secret")).unwrap().len(), 32);
        let reload: i64 = page
            .split("<noscript><meta http-equiv=\"refresh\" content=\"")
            .nth(1)
            .expect("a meta refresh for browsers without script")
            .split('"')
            .next()
            .unwrap()
            .split_once(';')
            .map(|(seconds, url)| {
                assert_eq!(url.trim(), format!("url=/wallet/tickets/{id}"), "reloads the ticket's own page");
                seconds.parse().unwrap()
            })
            .unwrap();
        let period_end_ms = (step + 1) * PERIOD * 1000;
        // reloads once the code is replaced, within the second after
        assert!((1..=PERIOD).contains(&reload), "reload in {reload} s");
        assert!(after + reload * 1000 >= period_end_ms && before + reload * 1000 <= period_end_ms + 1000, "reload in {reload} s");
        assert!(page.contains("cannot refresh by itself"), "{page}");

        expire(&app, "EV1").await;
        let page = app.client.get(app.url(&format!("/wallet/tickets/{id}"))).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("This event has ended") && !page.contains("data-secret") && !page.contains("<svg"), "{page}");
    }
}
