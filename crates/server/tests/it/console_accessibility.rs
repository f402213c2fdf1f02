//! Every console page passes axe-core (pinned in `crates/server/tests/axe/`, run inside headless
//! Chromium) with no violation of impact serious or critical, at a tablet's width (768 px), where
//! no page is wider than the screen: sign-in, dashboard, interface, a new function's form, a
//! function, a run, templates, a template, ticket search, a ticket, away fans, and the away
//! screen refusing a code next to its field. A screenshot of each page is kept under
//! `target/console-screenshots/<database>/tablet-*.png`. Skipped, saying what to install,
//! without Chromium, chromedriver or axe-core.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::console_access::organization_with_everything;
use crate::support::axe::{axe_source, serious_violations};
use crate::support::chrome::{Chrome, browser_missing, target_dir};

const PASSWORD: &str = "correct horse battery staple";

/// A tablet held upright.
const TABLET: &str = "768,1024";

fn screenshots(app: &TestApp) -> PathBuf {
    let database = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
    target_dir().join("console-screenshots").join(database)
}

/// Audits the page `chrome` shows as `name`: its screenshot, axe-core's serious and critical
/// violations, and whether it needs a sideways scroll at this width.
async fn audit(chrome: &Chrome, axe: &str, shots: &Path, name: &str, found: &mut Vec<String>) {
    chrome.screenshot(&shots.join(format!("tablet-{name}.png"))).await;
    for violation in serious_violations(chrome, axe).await {
        found.push(format!("{name}: {violation}"));
    }
    let widths = chrome.run("return [document.documentElement.scrollWidth, window.innerWidth];", json!([])).await;
    let (page, screen) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
    if page > screen {
        found.push(format!("{name}: {page} px wide on a {screen} px screen"));
    }
}

/// Signs the admin in through the form (the form audited first).
async fn sign_in(chrome: &Chrome, app: &TestApp, axe: &str, shots: &Path, found: &mut Vec<String>) {
    chrome.open(&app.url("/console/sign-in")).await;
    audit(chrome, axe, shots, "sign-in", found).await;
    chrome.fill("#organization", "FCA").await;
    chrome.fill("#email", "ada@fca.example.org").await;
    chrome.fill("#password", PASSWORD).await;
    chrome.click("#sign-in").await;
    chrome.wait_text("h1", 10, |t| t == "Dashboard").await;
}

on_both_databases! {
    async fn every_console_page_has_no_serious_or_critical_axe_violation_and_fits_a_tablet(app: TestApp) {
        if let Some(message) = browser_missing() {
            eprintln!("{message}");
            return;
        }
        let Some(axe) = axe_source() else {
            eprintln!("SKIPPED: axe-core is not installed (cd crates/server/tests/axe && npm ci)");
            return;
        };
        let (function, run, template, ticket) = organization_with_everything(&app, "FCA").await;
        let contact = app.ticket("FCA", ticket).await["contactId"].as_i64().unwrap();
        app.issue_tickets("FCA", contact, 2, "AWAYMOB").await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/performances/FINAL/P1/away-export", "", &Value::Null).await;
        assert!(status.is_success());
        let (status, body) = app.post_json("/api/boxoffice/organizations/FCA/operators", "",
            &json!({ "email": "ada@fca.example.org", "role": "admin", "password": PASSWORD })).await;
        assert!(status.is_success(), "{body}");
        let barcode = app.ticket("FCA", ticket).await["barcode"].as_str().unwrap().to_owned();

        let shots = screenshots(&app);
        let chrome = Chrome::start(&app.dir.path().join("chrome-profile"), TABLET).await;
        let mut found = Vec::new();
        sign_in(&chrome, &app, &axe, &shots, &mut found).await;
        let pages = [
            ("dashboard", "/console/".to_owned()),
            ("interface", "/console/interface".to_owned()),
            ("function-new", "/console/functions/new?kind=INJECTION".to_owned()),
            ("function", format!("/console/functions/{function}")),
            ("run", format!("/console/runs/{run}")),
            ("templates", "/console/templates".to_owned()),
            ("template", format!("/console/templates/{template}")),
            ("tickets", format!("/console/tickets?barcode={barcode}")),
            ("ticket", format!("/console/tickets/{ticket}")),
            ("away", "/console/away?product=FINAL&performance=P1".to_owned()),
        ];
        for (name, path) in pages {
            chrome.open(&app.url(&path)).await;
            chrome.find("h1").await;
            audit(&chrome, &axe, &shots, name, &mut found).await;
        }
        assert!(chrome.text("#away-counts").await.contains('2'), "the two exported tickets");

        // the away screen refusing a code, its error next to the field
        chrome.fill("#seatCategory", "NOPE").await;
        chrome.click("#choose").await;
        chrome.wait_text("h1", 10, |t| t == "Away fans").await;
        chrome.click("#export-csv").await;
        chrome.wait_text("#seatCategory-error", 10, |t| !t.is_empty()).await;
        audit(&chrome, &axe, &shots, "away-refused", &mut found).await;
        chrome.quit().await;
        assert!(found.is_empty(), "violations:\n{}", found.join("\n"));
    }
}
