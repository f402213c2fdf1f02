//! The console in a real browser (headless Chromium over chromedriver): an admin signs in,
//! creates the interface, creates and simulates an injection function, runs it and reads the
//! run's per-ticket lines, breaks the wallet URL and sees the run fail with its reason, fixes
//! it and retries; edits a template and previews it; finds a ticket by its barcode. A viewer
//! pages through a run's lines past the first hundred, filters and searches them; an operator
//! cancels a running run and sees it read "Cancelled". A screenshot of each page is saved under
//! `target/console-screenshots/<database>/`. Skipped, saying what to install, without Chromium
//! and chromedriver.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::injection_settings;
use crate::support::chrome::{Chrome, chromium_installed};

const PASSWORD: &str = "correct horse battery staple";

fn screenshots(app: &TestApp) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let database = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
    target.join("console-screenshots").join(database)
}

/// Waits for the run page to show an ended run; returns its result word.
async fn ended_run(chrome: &Chrome) -> String {
    chrome.wait_text("#run-result", 30, |text| !text.contains("RUNNING")).await
}

on_both_databases! {
    async fn an_operator_sets_up_runs_diagnoses_and_retries_in_the_console_and_previews_a_template_and_finds_a_ticket(app: TestApp) {
        if !chromium_installed() {
            eprintln!("SKIPPED the console browser test: it needs Chromium and chromedriver (apt-get install chromium chromium-driver)");
            return;
        }
        let seeded = app.seed_match("FCA", 3).await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/operators", "",
            &json!({ "email": "ada@fca.example.org", "role": "admin", "password": PASSWORD })).await;
        assert_eq!(status, StatusCode::CREATED);
        let shots = screenshots(&app);
        let shot = |name: &str| shots.join(format!("{name}.png"));
        let chrome = Chrome::start(&app.dir.path().join("chrome-profile"), "1280,1000").await;

        // signing in: the dashboard asks for it first
        chrome.open(&app.url("/console/")).await;
        assert!(chrome.current_url().await.contains("/console/sign-in"));
        chrome.fill("#organization", "FCA").await;
        chrome.fill("#email", "ada@fca.example.org").await;
        chrome.fill("#password", PASSWORD).await;
        chrome.screenshot(&shot("01-sign-in")).await;
        chrome.click("#sign-in").await;
        chrome.wait_text("h1", 10, |t| t == "Dashboard").await;
        assert!(chrome.source().await.contains("no wallet interface yet"));

        // the interface
        chrome.open(&app.url("/console/interface")).await;
        chrome.fill("#name", "Our wallet").await;
        chrome.choose("#type", "TIXNGO_WITH_TEMPLATE").await;
        chrome.fill("#url", &app.url("/api/organizer/tickets")).await;
        chrome.fill("#login", "wallet@fca.example.org").await;
        chrome.fill("#password", &seeded.wallet_key).await;
        chrome.fill("#param-ticketIterationSize", "2").await;
        chrome.screenshot(&shot("02-interface")).await;
        chrome.click("#save-interface").await;
        chrome.wait_text("#password + span, label[for=password] .hint", 10, |t| t.contains("set")).await;
        let (_, interface) = app.get_json("/api/boxoffice/organizations/FCA/interface", "").await;
        assert_eq!((interface["name"].as_str(), interface["passwordSet"].as_bool()), (Some("Our wallet"), Some(true)));
        assert!(interface["customParameters"].as_str().unwrap().contains("ticketIterationSize=2"));

        // an injection function, simulated first
        chrome.open(&app.url("/console/functions/new?kind=INJECTION")).await;
        chrome.fill("#name", "Match day injection").await;
        chrome.fill("#s-batchSize", "1000").await;
        chrome.fill("#s-pointOfSale", "WEB;POS1").await;
        chrome.screenshot(&shot("03-new-function")).await;
        chrome.click("#save-function").await;
        chrome.wait_text("h1", 10, |t| t.contains("Match day injection")).await;
        let function_page = chrome.current_url().await;
        // the dashboard counts what its next run would select
        chrome.open(&app.url("/console/")).await;
        assert_eq!(chrome.text("td.waiting").await, "3");
        chrome.screenshot(&shot("03b-dashboard-waiting")).await;
        chrome.open(&function_page).await;
        chrome.click("#simulate").await;
        assert_eq!(ended_run(&chrome).await, "OK");
        let page = chrome.source().await;
        assert!(page.contains("(simulation)"), "the run says it simulated");
        chrome.screenshot(&shot("04-simulation")).await;
        for id in &seeded.ticket_ids {
            assert_eq!(app.ticket("FCA", *id).await["status"], "NOT_PRINTED", "a simulation prints nothing");
        }

        // run it for real: the run page lists each accepted ticket
        let function_page = chrome.current_url().await;
        chrome.click("a[href^='/console/functions/']").await;
        chrome.wait_text("h1", 10, |t| t.contains("Match day injection")).await;
        assert!(chrome.text("#runs").await.contains("(simulation)"), "the history shows the simulation");
        chrome.click("#run-now").await;
        assert_eq!(ended_run(&chrome).await, "OK", "{function_page}");
        let lines = chrome.text("#lines").await;
        assert_eq!(lines.matches("accepted by the wallet").count(), 3, "{lines}");
        chrome.screenshot(&shot("05-run")).await;
        for id in &seeded.ticket_ids {
            assert_eq!(app.ticket("FCA", *id).await["status"], "PRINTED");
        }

        // the dashboard shows the result, nothing left waiting and the wallet reachable
        chrome.open(&app.url("/console/")).await;
        assert_eq!(chrome.text("td.waiting").await, "0");
        assert!(chrome.text("#wallet").await.contains("reachable"));
        assert!(!chrome.text("#wallet").await.contains("not reachable"));
        chrome.screenshot(&shot("06-dashboard")).await;

        // a broken wallet URL: the next run fails and says why
        let newer = app.issue_tickets("FCA", seeded.contact_id, 2, "MOB").await;
        chrome.open(&app.url("/console/interface")).await;
        chrome.fill("#url", "http://127.0.0.1:9/api/organizer/tickets").await;
        chrome.fill("#password", &seeded.wallet_key).await;
        chrome.click("#save-interface").await;
        chrome.wait_text("h1", 10, |t| t == "Interface").await;
        chrome.open(&app.url("/console/")).await;
        assert!(chrome.text("#wallet").await.contains("not reachable"));
        chrome.screenshot(&shot("06b-dashboard-wallet-not-reachable")).await;
        let function_id = chrome.find("a[href^='/console/functions/']").await;
        let _ = function_id;
        chrome.click("table a[href^='/console/functions/']").await;
        chrome.click("#run-now").await;
        assert_eq!(ended_run(&chrome).await, "ERROR");
        let cause = chrome.text("#cause").await;
        assert!(cause.contains("unreachable"), "{cause}");
        chrome.screenshot(&shot("07-failed-run")).await;
        let failed_run = chrome.current_url().await;

        // fixed, and retried from the failed run's page
        chrome.open(&app.url("/console/interface")).await;
        chrome.fill("#url", &app.url("/api/organizer/tickets")).await;
        chrome.fill("#password", &seeded.wallet_key).await;
        chrome.click("#save-interface").await;
        chrome.wait_text("h1", 10, |t| t == "Interface").await;
        chrome.open(&failed_run).await;
        chrome.click("#retry").await;
        assert_eq!(ended_run(&chrome).await, "OK");
        assert_ne!(chrome.current_url().await, failed_run, "the retry is a run of its own");
        assert_eq!(chrome.text("#lines").await.matches("accepted by the wallet").count(), 2);
        chrome.screenshot(&shot("08-retried-run")).await;
        for id in &newer {
            assert_eq!(app.ticket("FCA", *id).await["status"], "PRINTED");
        }

        // a template, edited and previewed against a ticket
        chrome.open(&app.url("/console/templates/new")).await;
        chrome.fill("#name", "Gold").await;
        chrome.fill("#source", "{\"eventName\": \"Gold ${Product_name}\"}").await;
        chrome.click("#save-template").await;
        chrome.wait_text("h1", 10, |t| t.contains("Template Gold")).await;
        chrome.fill("#source", "{\"eventName\": \"Platinum ${Product_name}\"}").await;
        chrome.fill("#ticketId", &seeded.ticket_ids[0].to_string()).await;
        chrome.click("#preview").await;
        let templated = chrome.text("#templated").await;
        assert!(templated.contains("Platinum Final"), "the preview renders the draft: {templated}");
        assert!(!chrome.text("#untemplated").await.contains("Platinum"));
        chrome.screenshot(&shot("09-template-preview")).await;
        chrome.fill("#source", "{\"eventName\": \"${Nope}\"}").await;
        chrome.click("#preview").await;
        let problem = chrome.text("#problem").await;
        assert!(problem.contains("line 1") && problem.contains("Nope"), "{problem}");

        // a ticket found by its barcode
        let barcode = app.ticket("FCA", seeded.ticket_ids[1]).await["barcode"].as_str().unwrap().to_owned();
        chrome.open(&app.url("/console/tickets")).await;
        chrome.fill("#barcode", &barcode).await;
        chrome.click("#search").await;
        let found = chrome.text("#found").await;
        assert!(found.contains("1 ticket(s) found") && found.contains(&barcode), "{found}");
        chrome.click(&format!("#found a[href='/console/tickets/{}']", seeded.ticket_ids[1])).await;
        assert_eq!(chrome.text("#status").await, "PRINTED");
        chrome.screenshot(&shot("10-ticket")).await;
        chrome.quit().await;
    }

    async fn a_viewer_pages_filters_and_searches_a_runs_lines_and_an_operator_cancels_a_run_that_then_reads_cancelled(app: TestApp) {
        if !chromium_installed() {
            eprintln!("SKIPPED the console browser test: it needs Chromium and chromedriver (apt-get install chromium chromium-driver)");
            return;
        }
        let seeded = app.seed_match("FCA", 104).await;
        let proxy = FaultProxy::start(&app.url("")).await;
        app.configure_interface(&seeded, Some(&proxy.tickets_url()), json!({ "customParameters": "ticketIterationSize=1" })).await;
        let (skipped, sent) = seeded.ticket_ids.split_at(102);
        let mut settings = injection_settings();
        settings["skipTickets"] = json!(skipped.iter().map(|id| format!("id:{id}")).collect::<Vec<_>>().join(","));
        let function = app.function("FCA", "INJECTION", settings).await;
        let run = app.run(function).await["runId"].as_i64().unwrap();
        for (email, role) in [("vera@fca.example.org", "viewer"), ("otto@fca.example.org", "operator")] {
            let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/operators", "",
                &json!({ "email": email, "role": role, "password": PASSWORD })).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        let shots = screenshots(&app);
        let shot = |name: &str| shots.join(format!("{name}.png"));
        let chrome = Chrome::start(&app.dir.path().join("chrome-profile"), "1280,1000").await;
        sign_in(&chrome, &app, "vera@fca.example.org").await;

        // every line, a hundred at a time, then the accepted tickets
        chrome.open(&app.url(&format!("/console/runs/{run}"))).await;
        assert_eq!(chrome.all("#lines tr.line-skipped").await.len(), 100);
        assert!(chrome.all("#retry").await.is_empty(), "a viewer is offered no Retry");
        chrome.screenshot(&shot("11-run-lines-first-hundred")).await;
        chrome.click("#next-lines").await;
        chrome.wait_text("#lines caption", 10, |t| t.contains("101 to 102")).await;
        assert_eq!(chrome.all("#lines tr.line-skipped").await.len(), 2);
        chrome.click("#next-lines").await;
        chrome.wait_text("#lines caption", 10, |t| t.contains("103 to 104")).await;
        assert_eq!(chrome.all("#lines tr.line-accepted").await.len(), 2);

        // filtered by kind, searched by barcode
        chrome.choose("#show", "accepted").await;
        chrome.click("#filter").await;
        chrome.wait_text("#lines caption", 10, |t| t.contains("(accepted)")).await;
        assert_eq!(chrome.all("#lines tr.line-accepted").await.len(), 2);
        let barcode = app.ticket("FCA", sent[1]).await["barcode"].as_str().unwrap().to_owned();
        chrome.choose("#show", "").await;
        chrome.fill("#ticket", &barcode).await;
        chrome.click("#filter").await;
        let searched = chrome.wait_text("#searched-as", 10, |_| true).await;
        assert!(searched.contains(&sent[1].to_string()), "{searched}");
        assert_eq!(chrome.all("#lines tbody tr").await.len(), 1);
        chrome.screenshot(&shot("12-run-lines-searched-by-barcode")).await;

        // an operator cancels a running run: its counts move, then it reads Cancelled
        // the first new ticket goes through, every later call is held 2 s at the wallet's door
        let newer = app.issue_tickets("FCA", seeded.contact_id, 40, "MOB").await;
        proxy.set(Fault::StallTicketsFrom { ticket_id: newer[1], stall: std::time::Duration::from_secs(2) });
        chrome.click("#sign-out").await;
        sign_in(&chrome, &app, "otto@fca.example.org").await;
        chrome.open(&app.url(&format!("/console/functions/{function}"))).await;
        chrome.click("#run-now").await;
        chrome.wait_text("dd[data-count=accepted]", 20, |t| t != "0").await;
        chrome.screenshot(&shot("13-run-running")).await;
        chrome.click("#cancel-run").await;
        chrome.wait_text("#run-result", 30, |t| t == "Cancelled").await;
        let said = chrome.text("#cancelled").await;
        assert!(said.contains("Cancelled by operator otto@fca.example.org"), "{said}");
        chrome.screenshot(&shot("14-run-cancelled")).await;
        chrome.quit().await;
    }
}

/// Signs in to FCA's console as `email` and waits for the dashboard.
async fn sign_in(chrome: &Chrome, app: &TestApp, email: &str) {
    chrome.open(&app.url("/console/sign-in")).await;
    chrome.fill("#organization", "FCA").await;
    chrome.fill("#email", email).await;
    chrome.fill("#password", PASSWORD).await;
    chrome.click("#sign-in").await;
    chrome.wait_text("h1", 10, |t| t == "Dashboard").await;
}
