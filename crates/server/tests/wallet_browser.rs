//! The web wallet in a real browser: headless Chromium opens the demo spectator's sign-in link
//! straight onto a ticket, the QR code is read back from the screenshot by `zbarimg`, and the
//! decoded text is scanned at the gate: accepted once, replayed the second time, and a code
//! held for three periods is expired. Skipped, saying what to install, without those tools.

mod common;

use std::path::Path;
use std::process::Command;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

const CHROMIUM: &str = "/usr/bin/chromium";

fn tools_missing() -> Option<String> {
    let zbar = Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success());
    let chromium = Path::new(CHROMIUM).exists();
    (!(zbar && chromium)).then(|| {
        "SKIPPED the browser test: it needs Chromium and zbarimg (apt-get install chromium zbar-tools)".to_owned()
    })
}

/// Opens `url` in headless Chromium and returns the text of the QR code on the screenshot.
fn screenshot_qr(url: &str, dir: &Path, name: &str) -> String {
    let shot = dir.join(format!("{name}.png"));
    let profile = dir.join(format!("{name}-profile"));
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            "--window-size=480,900",
            url,
        ])
        .output()
        .expect("running chromium");
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&output.stderr));
    let decoded = Command::new("zbarimg").args(["--raw", "-q"]).arg(&shot).output().expect("running zbarimg");
    let text = String::from_utf8_lossy(&decoded.stdout).trim().to_owned();
    assert!(!text.is_empty(), "no QR code found on the screenshot {}", shot.display());
    text
}

async fn gate_scan(app: &common::TestApp, key: &str, body: Value) -> String {
    let (status, answer) = app.post_json("/api/gate/scan", key, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["result"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_code_read_off_the_web_wallet_enters_once_and_expires_when_held() {
    if let Some(message) = tools_missing() {
        eprintln!("{message}");
        return;
    }
    let app = common::TestApp::sqlite().await;
    let organizer =
        tixbridge_wallet::organizers::create_organizer(&app.app.db, "Demo FC", "org@example.org").await.unwrap();
    let tickets =
        json!([example_ticket("1001", "MATCH", "fan@example.org"), example_ticket("1002", "MATCH", "fan@example.org")]);
    let (status, _) = app.post_json("/api/organizer/tickets", &organizer.api_key, &tickets).await;
    assert_eq!(status, StatusCode::OK);

    let key = common::test_key();
    let fan =
        tixbridge_server::demo::spectator::prepare(&app.app, &key, &organizer.api_key, organizer.id).await.unwrap();
    assert_eq!((fan.email.as_str(), fan.ticket_id.as_str()), ("fan@example.org", "1001"));
    // A second device captures ticket 1002's code, to hold it past its life.
    let second =
        tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &key, &fan.email).await.unwrap().unwrap();
    let other_id = fan.wallet_ticket + 1;
    let dir = tempfile::tempdir().unwrap();
    let held = screenshot_qr(
        &app.url(&format!("/wallet/sign-in?token={}&ticket={other_id}", second.link_token)),
        dir.path(),
        "held",
    );
    let captured_at = Utc::now();

    let code = screenshot_qr(&format!("{}&ticket={}", fan.link, fan.wallet_ticket), dir.path(), "ticket");
    assert!(code.starts_with("TB1:") && code.ends_with(":BC-1001"), "{code}");
    assert_eq!(gate_scan(&app, &organizer.api_key, json!({ "code": code, "event": "MATCH" })).await, "ACCEPTED");
    assert_eq!(gate_scan(&app, &organizer.api_key, json!({ "code": code })).await, "REPLAYED");
    let three_periods_later = (captured_at + Duration::seconds(3 * 15)).to_rfc3339();
    let expired = gate_scan(&app, &organizer.api_key, json!({ "code": held, "scannedAt": three_periods_later })).await;
    assert_eq!(expired, "EXPIRED_CODE");
    let (_, ticket) = app.get_json("/api/organizer/tickets/1001", &organizer.api_key).await;
    assert_eq!(ticket["status"], "CONTROLLED");
}
