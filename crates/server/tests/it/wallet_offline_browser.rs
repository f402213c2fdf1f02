//! The offline entry code in a real browser, on both databases: headless Chromium signs in
//! from the mailed link through a relay ([`Cable`]), the ticket activates on it and the
//! service worker keeps the pages; then the network goes (DevTools offline, and the relay
//! unplugged), the ticket list and the ticket page open from the cache, and three periods
//! later the page shows a code it made itself: `zbarimg` reads it off the screenshot (kept
//! under `target/browser-shots/`), the gate accepts it, then answers `REPLAYED`. Skipped,
//! saying what to install, without those tools.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_store::sql;

use crate::common::TestApp;
use crate::support::cable::Cable;
use crate::support::chrome::{Chrome, browser_tools_missing, shots_dir};
use crate::support::*;

/// A short period, so that three of them pass quickly.
const PERIOD: u64 = 10;

fn step_of(code: &str) -> i64 {
    code.split(':').nth(2).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an entry code: {code:?}"))
}

/// The code on a screenshot of the page, taken again while the page is between two loads.
async fn code_on_screen(browser: &Chrome, path: &std::path::Path) -> String {
    for _ in 0..20 {
        let code = browser.screenshot_qr(path).await;
        if code.starts_with("TB2:") {
            return code;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no entry code on the screenshot {}", path.display())
}

/// Names a screenshot by database, since both halves of a test run at once.
fn backend(app: &TestApp) -> &'static str {
    if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" }
}

fn now_step() -> i64 {
    chrono::Utc::now().timestamp() / PERIOD as i64
}

/// Ada's activated T1 with a [`PERIOD`] code period: the organizer key, a gate token, the
/// ticket's wallet id and a sign-in link token for a new device.
async fn ready(app: &TestApp) -> (String, String, i64, String) {
    let key = app.organizer("org@example.org").await;
    inject(app, &key, &["T1"], "EV1", "ada@example.org").await;
    let mut rules = activation_due();
    rules["codePeriodSeconds"] = json!(PERIOD);
    set_event(app, &key, "EV1", rules).await;
    let gate = gate_token(app, "org@example.org", &key, &["EV1"]).await;
    let id: i64 = sql("SELECT id FROM wallet_tickets WHERE ticket_id = $1")
        .bind("T1")
        .scalar(&mut app.app.db.reader().await.unwrap())
        .await
        .unwrap();
    let issued =
        tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &crate::common::test_key(), "ada@example.org")
            .await
            .unwrap()
            .unwrap();

    (key, gate, id, issued.link_token)
}

on_both_databases! {
    async fn an_activated_ticket_shows_a_code_the_gate_accepts_after_three_periods_without_network(app: TestApp) {
        if let Some(message) = browser_tools_missing() {
            eprintln!("{message}");
            return;
        }
        let (key, gate, id, link_token) = ready(&app).await;

        let cable = Cable::start(app.app.addr).await;
        let profile = tempfile::tempdir().unwrap();
        let browser = Chrome::phone(profile.path()).await;
        browser.open(&cable.url(&format!("/wallet/sign-in?token={}&ticket={id}", link_token))).await;
        browser.click("#sign-in").await;
        assert!(browser.wait_until("return !!document.querySelector('#qr svg')", 10).await, "the activated ticket shows a code");
        // the service worker controls the page and keeps the ticket page and the list
        assert!(browser.wait_until("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)", 20).await, "a service worker");
        let kept = format!(
            "Promise.all(['/wallet/', '/wallet/tickets/{id}'].map(function (p) {{ return caches.match(p); }}))\
             .then(function (hits) {{ done(hits.every(function (h) {{ return !!h; }})); }}, function () {{ done(false); }});"
        );
        let mut cached = false;
        for _ in 0..50 {
            cached = browser.run_async(&kept, json!([])).await == Value::Bool(true);
            if cached {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(cached, "the list and the ticket page are in the cache");
        let installable = browser.devtools("Page.getInstallabilityErrors", json!({})).await;
        assert_eq!(installable["installabilityErrors"], json!([]), "Chromium can install the wallet: {installable}");

        // the network goes
        browser.set_offline(true).await;
        cable.unplug();
        let reached = browser
            .run_async("fetch('/api/openapi.json', { cache: 'no-store' }).then(function () { done('reached'); }, function () { done('offline'); });", json!([]))
            .await;
        assert_eq!(reached, "offline", "the server is out of reach");

        // the list and the ticket page open from the cache
        browser.open(&cable.url("/wallet/")).await;
        let list = browser.run("return document.body.innerText", json!([])).await;
        assert!(list.as_str().unwrap().contains("T1"), "the ticket list offline: {list}");
        browser.open(&cable.url(&format!("/wallet/tickets/{id}"))).await;
        assert!(browser.wait_until("return !!document.querySelector('#qr svg')", 10).await, "the ticket page offline");
        let opened_at = now_step();

        tokio::time::sleep(Duration::from_secs(3 * PERIOD)).await;
        let step = now_step();
        let current = format!("return document.getElementById('qr').getAttribute('data-step') === '{step}'");
        assert!(browser.wait_until(&current, PERIOD).await, "the page redraws the code of step {step}");
        let shot = shots_dir().join(format!("offline-code-{}.png", backend(&app)));
        let code = browser.screenshot_qr(&shot).await;
        assert!(code.starts_with("TB2:"), "no entry code on the screenshot {}: {code:?}", shot.display());
        assert!(step_of(&code) >= opened_at + 3, "a code of now, made three periods after the network went: {code}");
        let note = browser.run("return document.getElementById('code-note').textContent", json!([])).await;
        assert!(note.as_str().unwrap().contains(&format!("every {PERIOD} s")) && note.as_str().unwrap().contains("without the network"), "{note}");

        let (status, first) = app.post_json("/api/gate/scan", &gate, &json!({ "code": code })).await;
        assert_eq!((status, first["result"].as_str()), (StatusCode::OK, Some("ACCEPTED")), "{first}");
        let (_, again) = app.post_json("/api/gate/scan", &gate, &json!({ "code": code })).await;
        assert_eq!(again["result"], "REPLAYED", "{again}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "CONTROLLED");
    }

    async fn without_javascript_the_page_says_its_code_cannot_refresh_and_reloads_itself_each_period(app: TestApp) {
        if let Some(message) = browser_tools_missing() {
            eprintln!("{message}");
            return;
        }
        let (_key, gate, id, link_token) = ready(&app).await;
        let profile = tempfile::tempdir().unwrap();
        let browser = Chrome::phone_without_javascript(profile.path()).await;
        browser.open(&app.url(&format!("/wallet/sign-in?token={link_token}&ticket={id}"))).await;
        browser.click("#sign-in").await;
        // (the page may be reloading itself as it is read: wait for it)
        let says = "return !!document.body && document.body.innerText.indexOf('cannot refresh by itself') >= 0";
        assert!(browser.wait_until(says, 10).await, "the page says its code cannot refresh");
        let text = browser.run("return document.body.innerText", json!([])).await;
        assert!(!text.as_str().unwrap().contains("without the network"), "and promises nothing offline: {text}");
        let dir = shots_dir();
        let first = code_on_screen(&browser, &dir.join(format!("noscript-first-{}.png", backend(&app)))).await;
        let shown_at = now_step();
        assert!((shown_at - 1..=shown_at).contains(&step_of(&first)), "the code of now: {first}");

        // past the end of that code's period the page has reloaded itself with the next code
        let next_edge = (step_of(&first) + 1) * PERIOD as i64;
        let wait = (next_edge - chrono::Utc::now().timestamp()).max(0) as u64 + 3;
        tokio::time::sleep(Duration::from_secs(wait)).await;
        let second = code_on_screen(&browser, &dir.join(format!("noscript-second-{}.png", backend(&app)))).await;
        assert!(step_of(&second) > step_of(&first), "reloaded with a new code: {first} then {second}");
        assert!(step_of(&second) >= now_step() - 1, "never older than its period: {second}");
        let (status, scanned) = app.post_json("/api/gate/scan", &gate, &json!({ "code": second })).await;
        assert_eq!((status, scanned["result"].as_str()), (StatusCode::OK, Some("ACCEPTED")), "{scanned}");
    }
}
