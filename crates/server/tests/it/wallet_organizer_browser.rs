//! The wallet organizer pages in headless Chromium: every page (sign-in, its refusal, the
//! events, an event with its rules, the rules refused, a ticket with its verified log, the
//! device limits) passes axe-core with no serious or critical violation, the focused field
//! shows its outline, and a screenshot of each is left in `target/wallet-organizer-screenshots/`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::axe::{axe_source, serious_violations};
use crate::support::chrome::{Chrome, browser_missing, screenshot_dir};
use crate::support::*;

fn shots() -> PathBuf {
    let dir = screenshot_dir().parent().unwrap().join("wallet-organizer-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn audit(browser: &Chrome, axe: &str, shots: &Path, name: &str, found: &mut Vec<String>) {
    browser.screenshot(&shots.join(format!("{name}.png"))).await;
    for violation in serious_violations(browser, axe).await {
        found.push(format!("{name}: {violation}"));
    }
}

on_both_databases! {
    async fn every_organizer_page_passes_axe_core_and_shows_where_the_focus_is(app: TestApp) {
        if let Some(message) = browser_missing() {
            eprintln!("{message}");
            return;
        }
        let Some(axe) = axe_source() else {
            panic!("axe-core is not installed: run `npm ci` in crates/server/tests/axe (as .ci/run does)");
        };
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1", "T2"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        ada.post(&app, &format!("/api/spectator/tickets/{id}/holder"), json!({ "firstName": "Grace", "lastName": "Hopper" })).await;

        let (shots, mut found) = (shots(), Vec::new());
        let browser = Chrome::phone(&app.dir.path().join("organizer-profile")).await;
        browser.open(&app.url("/wallet/organizer/")).await;
        assert!(browser.wait_for("#f-login").await, "sent to the sign-in");
        audit(&browser, &axe, &shots, "sign-in", &mut found).await;
        browser.run("document.getElementById('f-login').focus();", json!([])).await;
        let outline = browser.run("return getComputedStyle(document.activeElement).outlineWidth;", json!([])).await;
        assert_eq!(outline, "3px", "the focused field shows its outline");

        browser.fill("#f-login", "org@example.org").await;
        browser.fill("#f-apiKey", "tbk_wrong").await;
        browser.click("form button[type=submit]").await;
        assert!(browser.wait_for("#f-apiKey[aria-invalid=true]").await, "the wrong key is marked");
        audit(&browser, &axe, &shots, "sign-in-refused", &mut found).await;
        browser.fill("#f-apiKey", &key).await;
        browser.click("main form button[type=submit]").await;
        assert!(browser.wait_for("table td.n").await, "the events with their counters");
        audit(&browser, &axe, &shots, "events", &mut found).await;

        browser.click("tbody th a").await;
        assert!(browser.wait_for("#f-maxTransfers").await, "the event's rules");
        audit(&browser, &axe, &shots, "event", &mut found).await;
        browser.click("#f-activationRule-timeOfDay").await;
        browser.fill("#f-activationTimeOfDay", "25:99").await;
        browser.click("form[action$='/rules'] button[type=submit]").await;
        assert!(browser.wait_for("#f-activationTimeOfDay[aria-invalid=true]").await, "the refused field is marked");
        audit(&browser, &axe, &shots, "rules-refused", &mut found).await;

        browser.fill("#f-ticketId", "T1").await;
        browser.click("form[action$='/find'] button[type=submit]").await;
        assert!(browser.wait_for("#chain.verified").await, "the ticket's log, verified");
        audit(&browser, &axe, &shots, "ticket", &mut found).await;

        browser.click("a[href='/wallet/organizer/device-limits']").await;
        assert!(browser.wait_for("#f-maxActiveDevices").await, "the device limits");
        audit(&browser, &axe, &shots, "device-limits", &mut found).await;
        browser.quit().await;
        assert!(found.is_empty(), "serious or critical axe-core violations:\n{}", found.join("\n"));
    }
}
