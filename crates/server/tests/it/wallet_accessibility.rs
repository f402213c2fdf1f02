//! Every wallet page a fan meets passes axe-core (the npm package, pinned in
//! `crates/server/tests/axe/`, run inside the test's headless Chromium) with no violation of
//! impact serious or critical, in English, French and German: sign-in, the mailed link's page,
//! the ticket list with offers to and by the fan, a ticket with its QR code, a ticket with the
//! holder and transfer forms, and the holder form refused with its errors. The QR code's text
//! alternative and the brighten button are checked in the browser too. Screenshots of each page
//! are left in `target/screenshots/`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::common::TestApp;
use crate::support::axe::{axe_source, serious_violations};
use crate::support::chrome::{Chrome, browser_missing, screenshot_dir};
use crate::support::pages::link_token;
use crate::support::*;

/// Audits the page the browser shows as `name`, keeping its screenshot.
async fn audit(browser: &Chrome, axe: &str, shots: &Path, name: &str, found: &mut Vec<String>) {
    browser.screenshot(&shots.join(format!("{name}.png"))).await;
    for violation in serious_violations(browser, axe).await {
        found.push(format!("{name}: {violation}"));
    }
}

fn profile(app: &TestApp, name: &str) -> PathBuf {
    app.dir.path().join(format!("{name}-profile"))
}

on_both_databases! {
    async fn every_wallet_page_has_no_serious_or_critical_axe_violation_in_each_language(app: TestApp) {
        if let Some(message) = browser_missing() {
            eprintln!("{message}");
            return;
        }
        let Some(axe) = axe_source() else {
            panic!("axe-core is not installed: run `npm ci` in crates/server/tests/axe (as .ci/run does)");
        };
        let key = app.organizer("org@example.org").await;
        let shots = screenshot_dir();
        let mut found = Vec::new();
        for lang in ["en", "fr", "de"] {
            let (fan, friend) = (format!("ada-{lang}@example.org"), format!("bob-{lang}@example.org"));
            let (active, held, given, offered) = (format!("A{lang}"), format!("H{lang}"), format!("G{lang}"), format!("O{lang}"));
            inject(&app, &key, &[active.as_str()], &format!("NOW-{lang}"), &fan).await;
            inject(&app, &key, &[held.as_str(), given.as_str()], &format!("LATER-{lang}"), &fan).await;
            inject(&app, &key, &[offered.as_str()], &format!("LATER-{lang}"), &friend).await;
            set_event(&app, &key, &format!("NOW-{lang}"), activation_due()).await;
            // an offer to the fan, and one by the fan, for the list's transfer forms
            let bob = sign_in(&app, &friend).await;
            let (id, _) = bob.fetch(&app, &offered).await;
            assert_eq!(bob.offer(&app, id, &fan).await.0, reqwest::StatusCode::OK);
            let ada = sign_in(&app, &fan).await;
            let (id, _) = ada.fetch(&app, &given).await;
            assert_eq!(ada.offer(&app, id, "carol@example.org").await.0, reqwest::StatusCode::OK);

            let browser = Chrome::phone(&profile(&app, lang)).await;
            browser.open(&app.url(&format!("/wallet/?lang={lang}"))).await;
            let html_lang = browser.run("return document.documentElement.lang;", json!([])).await;
            assert_eq!(html_lang, lang);
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-sign-in"), &mut found).await;
            browser.open(&app.url(&format!("/wallet/sign-in?token={}", link_token(&app, &fan).await))).await;
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-link"), &mut found).await;
            browser.click("#sign-in").await;
            assert!(browser.wait_for("form[action$='/accept']").await, "the list shows the offer to the fan");
            assert!(!browser.all("form[action$='/cancel']").await.is_empty(), "the list shows the fan's own offer");
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-list"), &mut found).await;

            let id = ada.id_of(&app, &active).await;
            browser.open(&app.url(&format!("/wallet/tickets/{id}"))).await;
            let label = browser.run("return document.getElementById('qr').getAttribute('aria-label');", json!([])).await;
            let label = label.as_str().unwrap_or("").to_owned();
            assert!(label.contains("Final: Lions - Eagles") && label.contains("row 12") && label.contains("15 s"), "{label}");
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-ticket"), &mut found).await;
            browser.click("#brighten").await;
            let bright = browser.run("return document.body.classList.contains('bright');", json!([])).await;
            assert_eq!(bright, true, "the brighten button shows the gate view");
            browser.screenshot(&shots.join(format!("wallet-{lang}-ticket-bright.png"))).await;

            let id = ada.id_of(&app, &held).await;
            browser.open(&app.url(&format!("/wallet/tickets/{id}"))).await;
            assert!(!browser.all("#transfer-email").await.is_empty(), "the transfer form");
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-holder-and-transfer"), &mut found).await;
            browser.fill("#holder-firstName", "Ada").await;
            browser.fill("#holder-lastName", "Lovelace").await;
            browser.fill("#holder-birthDate", "10/12/1815").await;
            browser.click("form[action$='/holder'] button[type=submit]").await;
            assert!(browser.wait_for("#holder-birthDate[aria-invalid=true]").await, "the refused field is marked");
            audit(&browser, &axe, &shots, &format!("wallet-{lang}-holder-refused"), &mut found).await;
            // the audit does see: an input without a label added to the page is reported
            browser.run("document.querySelector('main').insertAdjacentHTML('beforeend', '<input name=\"x\">');", json!([])).await;
            let caught = serious_violations(&browser, &axe).await;
            assert!(caught.iter().any(|v| v["id"] == "label"), "axe-core reports an unlabelled input: {caught:?}");
            browser.quit().await;
        }
        assert!(found.is_empty(), "serious or critical axe-core violations:\n{}", found.join("\n"));
    }
}
