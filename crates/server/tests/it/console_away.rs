//! The console's away fans screen over real HTTP, on both databases (docs/console.md#away-fans):
//! an operator downloads the away club's spreadsheet as `.xlsx` (read back with a spreadsheet
//! reader) and as CSV, the same rows as the box office's export, each download a CSRF-checked
//! POST that prints the tickets; the screen then shows which exported tickets the wallet holds,
//! from what feedback brought back. A role without the export right gets no button and a 403;
//! another organization's performance is a 404; a code the catalog lacks is refused next to
//! its field and exports nothing. In headless Chromium, the download button saves the
//! workbook (screenshots under `target/console-screenshots/<database>/away-*.png`).

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use serde_json::json;

use crate::common::TestApp;
use crate::console_access::{Browser, csrf_of, signed_in};
use crate::interface_away_fans::{fill_in, inject_spreadsheet};
use crate::support::chrome::{Chrome, browser_missing, target_dir};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: [&str; 8] = ["block", "row", "seat", "barcode", "ticketId", "firstName", "lastName", "email"];
const PAGE: &str = "/console/away?product=FINAL&performance=P1";

/// A download: status, media type, file name header and bytes.
struct Download {
    status: StatusCode,
    kind: String,
    disposition: String,
    bytes: Vec<u8>,
}

/// Presses a download button of the away screen: the export form's fields, as the page sends them.
async fn download(app: &TestApp, browser: &Browser, csrf: &str, format: &str, seat_category: &str) -> Download {
    let cookies = browser.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let form = [
        ("csrf", csrf),
        ("product", "FINAL"),
        ("performance", "P1"),
        ("seatCategory", seat_category),
        ("contingent", ""),
        ("format", format),
    ];
    let response =
        app.client.post(app.url("/console/away/export")).header(COOKIE, cookies).form(&form).send().await.unwrap();
    let header =
        |name| response.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned());
    let (kind, disposition) =
        (header(CONTENT_TYPE).unwrap_or_default(), header(CONTENT_DISPOSITION).unwrap_or_default());
    Download { status: response.status(), kind, disposition, bytes: response.bytes().await.unwrap().to_vec() }
}

/// The rows of the workbook's one sheet, every cell as text.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an .xlsx workbook");
    assert_eq!(book.sheet_names(), vec!["Away fans".to_owned()]);
    let sheet = book.worksheet_range("Away fans").unwrap();
    sheet.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect()
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// The number the away screen shows in the count `id`.
fn count(html: &str, id: &str) -> u64 {
    let start =
        html.find(&format!("id=\"{id}\">")).unwrap_or_else(|| panic!("no {id} on the page: {html}")) + id.len() + 6;
    html[start..].split('<').next().unwrap().trim().parse().unwrap()
}

async fn status_of(app: &TestApp, id: i64) -> String {
    app.ticket("FCA", id).await["status"].as_str().unwrap().to_owned()
}

on_both_databases! {
    async fn an_operator_downloads_the_away_spreadsheet_as_xlsx_and_csv_and_sees_which_exported_tickets_the_wallet_holds(app: TestApp) {
        let seeded = app.seed_match("FCA", 1).await;
        let away = app.issue_tickets("FCA", seeded.contact_id, 3, "AWAYMOB").await;
        app.configure_interface(&seeded, None, json!({})).await;
        let mut operator = signed_in(&app, "FCA", "operator").await;

        let page = operator.get(PAGE).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(page.html.contains("id=\"export-xlsx\"") && page.html.contains("id=\"export-csv\""), "{}", page.html);
        assert_eq!(count(&page.html, "count-exported"), 0, "nothing exported yet");
        let csrf = csrf_of(&page.html);

        // the workbook of seat category CAT1: tickets 0 and 2, as text, the club's columns empty
        let book = download(&app, &operator, &csrf, "xlsx", "CAT1").await;
        assert_eq!((book.status, book.kind.as_str()), (StatusCode::OK, XLSX), "{}", String::from_utf8_lossy(&book.bytes));
        assert!(book.disposition.contains("away-FINAL-P1.xlsx"), "{}", book.disposition);
        let rows = xlsx_rows(&book.bytes);
        assert_eq!(rows[0], HEADER);
        let ids: Vec<String> = rows[1..].iter().map(|row| row[4].clone()).collect();
        assert_eq!(ids, [away[0].to_string(), away[2].to_string()], "{rows:?}");
        for (row, id) in rows[1..].iter().zip([away[0], away[2]]) {
            let ticket = app.ticket("FCA", id).await;
            assert_eq!(row[..4], [ticket["block"].as_str().unwrap(), ticket["row"].as_str().unwrap(),
                ticket["seat"].as_str().unwrap(), ticket["barcode"].as_str().unwrap()]);
            assert_eq!(row[5..], ["", "", ""], "the club's columns are empty");
            assert_eq!(ticket["status"], "PRINTED", "downloading printed it");
        }
        assert_eq!(status_of(&app, away[1]).await, "NOT_PRINTED", "CAT2 was not exported");

        // the CSV of the whole performance: the same rows, and the workbook of the API the same
        let text = download(&app, &operator, &csrf, "csv", "").await;
        assert_eq!(text.status, StatusCode::OK);
        assert!(text.kind.starts_with("text/csv"), "{}", text.kind);
        let csv = csv_rows(&text.bytes);
        assert_eq!(csv.len(), 4, "a header and the three away tickets, not the MOBILE one: {csv:?}");
        assert!(rows.iter().all(|row| csv.contains(row)), "the workbook's rows are the CSV's: {rows:?} {csv:?}");
        let token = app.admin_token_for("FCA").await;
        let api = app.client.post(app.url("/api/boxoffice/organizations/FCA/performances/FINAL/P1/away-export.xlsx"))
            .bearer_auth(&token).send().await.unwrap();
        assert_eq!(api.status(), StatusCode::OK);
        assert_eq!(xlsx_rows(&api.bytes().await.unwrap()), csv, "the API's workbook and CSV list the same rows");

        // the club sends tickets 0 and 1 to the wallet, leaving ticket 2 out; feedback brings them back
        let exported = String::from_utf8(text.bytes).unwrap();
        let kept: Vec<&str> = exported.lines().filter(|line| !line.contains(&format!(",{},", away[2]))).collect();
        let performance_id = app.ticket("FCA", away[0]).await["performanceId"].as_i64().unwrap();
        let sheet = fill_in(&kept.join("\n"), |_| None, &[]);
        assert_eq!(inject_spreadsheet(&app, &seeded, performance_id, sheet).await["accepted"], 2);
        let feedback = app.function("FCA", "FEEDBACK", json!({ "batchSize": 1000 })).await;
        app.run(feedback).await;

        let page = operator.get(PAGE).await;
        let seen = [("count-exported", 3), ("count-held", 2), ("count-deleted", 0), ("count-unseen", 1)];
        assert_eq!(seen.map(|(id, _)| count(&page.html, id)), seen.map(|(_, n)| n), "{}", page.html);
        assert!(page.html.contains("fan0@eagles.example.org"), "the wallet owner feedback brought back");

        // cancelled at the box office, deleted from the wallet by the push, brought back by feedback
        let (status, _) = app.post_json(&format!("/api/boxoffice/organizations/FCA/tickets/{}/cancel", away[0]), "",
            &json!({ "reason": "CANCELLATION" })).await;
        assert_eq!(status, StatusCode::OK);
        let push = app.function("FCA", "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["AWAYMOB"] })).await;
        app.run(push).await;
        app.run(feedback).await;
        let page = operator.get(&format!("{PAGE}&seatCategory=")).await;
        let seen = [("count-exported", 3), ("count-held", 1), ("count-deleted", 1), ("count-unseen", 1)];
        assert_eq!(seen.map(|(id, _)| count(&page.html, id)), seen.map(|(_, n)| n), "{}", page.html);
        let page = operator.get(&format!("{PAGE}&seatCategory=CAT2")).await;
        assert_eq!(count(&page.html, "count-exported"), 1, "narrowed to the seat category");

        // a seat category the catalog lacks: refused next to its field, nothing exported
        let late = app.issue_tickets("FCA", seeded.contact_id, 1, "AWAYMOB").await[0];
        let refused = download(&app, &operator, &csrf, "csv", "NOPE").await;
        let html = String::from_utf8(refused.bytes).unwrap();
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"seatCategory-error\""), "the error next to the field: {html}");
        assert_eq!(status_of(&app, late).await, "NOT_PRINTED", "nothing exported");
        // a form without its token changes nothing
        let forged = download(&app, &operator, "not-the-token", "csv", "").await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(status_of(&app, late).await, "NOT_PRINTED");
    }

    async fn a_viewer_gets_no_download_button_and_a_403_and_another_organizations_performance_is_a_404(app: TestApp) {
        let seeded = app.seed_match("FCA", 0).await;
        let away = app.issue_tickets("FCA", seeded.contact_id, 2, "AWAYMOB").await;

        let mut viewer = signed_in(&app, "FCA", "viewer").await;
        let page = viewer.get(PAGE).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(!page.html.contains("id=\"export-xlsx\"") && !page.html.contains("id=\"export-csv\""), "no button: {}", page.html);
        assert!(page.html.contains("id=\"export-not-allowed\""));
        let csrf = csrf_of(&page.html);
        for format in ["xlsx", "csv"] {
            assert_eq!(download(&app, &viewer, &csrf, format, "").await.status, StatusCode::FORBIDDEN, "{format}");
        }
        let viewer_token = app.token("FCA", "viewer", None).await;
        let api = app.client.post(app.url("/api/boxoffice/organizations/FCA/performances/FINAL/P1/away-export.xlsx"))
            .bearer_auth(&viewer_token).send().await.unwrap();
        assert_eq!(api.status(), StatusCode::FORBIDDEN, "the API refuses the viewer the same way");

        // another club: FINAL P1 is not its performance
        app.create("/api/boxoffice/organizations", json!({ "code": "FCB", "name": "FCB" })).await;
        let mut other = signed_in(&app, "FCB", "operator").await;
        let page = other.get(PAGE).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.html);
        let csrf = csrf_of(&other.get("/console/away").await.html);
        for format in ["xlsx", "csv"] {
            assert_eq!(download(&app, &other, &csrf, format, "").await.status, StatusCode::NOT_FOUND, "{format}");
        }
        let other_token = app.token("FCB", "admin", None).await;
        let api = app.client.post(app.url("/api/boxoffice/organizations/FCA/performances/FINAL/P1/away-export.xlsx"))
            .bearer_auth(&other_token).send().await.unwrap();
        assert_eq!(api.status(), StatusCode::NOT_FOUND, "another organization's export is not found");
        for id in away {
            assert_eq!(status_of(&app, id).await, "NOT_PRINTED", "nobody exported anything");
        }
    }

    async fn in_a_browser_an_operator_chooses_a_performance_and_its_download_button_saves_the_workbook(app: TestApp) {
        if let Some(message) = browser_missing() {
            eprintln!("{message}");
            return;
        }
        let seeded = app.seed_match("FCA", 0).await;
        let away = app.issue_tickets("FCA", seeded.contact_id, 2, "AWAYMOB").await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/operators", "",
            &json!({ "email": "olga@fca.example.org", "role": "operator", "password": "correct horse battery staple" })).await;
        assert_eq!(status, StatusCode::CREATED);
        let database = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
        let shots = target_dir().join("console-screenshots").join(database);
        let downloads = app.dir.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let chrome = Chrome::start(&app.dir.path().join("chrome-profile"), "1280,900").await;
        chrome.devtools("Page.setDownloadBehavior", json!({ "behavior": "allow", "downloadPath": downloads.display().to_string() })).await;

        chrome.open(&app.url("/console/away")).await;
        chrome.fill("#organization", "FCA").await;
        chrome.fill("#email", "olga@fca.example.org").await;
        chrome.fill("#password", "correct horse battery staple").await;
        chrome.click("#sign-in").await;
        chrome.wait_text("h1", 10, |t| t == "Away fans").await;
        chrome.fill("#product", "FINAL").await;
        chrome.fill("#performance", "P1").await;
        chrome.click("#choose").await;
        assert_eq!(chrome.wait_text("#count-exported", 10, |_| true).await, "0");
        chrome.screenshot(&shots.join("away-chosen.png")).await;

        chrome.click("#export-xlsx").await;
        let saved = downloads.join("away-FINAL-P1.xlsx");
        for _ in 0..200 {
            if std::fs::metadata(&saved).is_ok_and(|m| m.len() > 0) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let rows = xlsx_rows(&std::fs::read(&saved).expect("the browser saved the workbook"));
        assert_eq!(rows.len(), 3, "a header and the two away tickets: {rows:?}");
        for id in &away {
            assert_eq!(status_of(&app, *id).await, "PRINTED", "the download printed it");
        }
        chrome.open(&app.url(PAGE)).await;
        assert_eq!(chrome.text("#count-exported").await, "2");
        assert_eq!(chrome.text("#count-unseen").await, "2", "feedback has brought nothing back yet");
        chrome.screenshot(&shots.join("away-exported.png")).await;
        chrome.quit().await;
    }
}
