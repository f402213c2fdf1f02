//! Bulk load and export: the CSV import (all or nothing, over HTTP and from the command line)
//! and the away-fans spreadsheet, on SQLite and PostgreSQL.

use crate::common;

use crate::common::TestApp;
use crate::common::boxoffice::{Seeded, bo_all, bo_create, bo_get, bo_post, seed_match};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HEADER: &str = "fileNumber,contactEmail,contactFirstName,contactLastName,productCode,performanceCode,\
seatCategoryCode,tariffCode,contingentCode,shipmentModeCode,taxNumber,barcode,block,row,seat,priceCents,currency,salesChannelCode";

/// `rows` ticket rows for the seeded match: 10 per file, 20 distinct fans (fan1
/// and fan2 exist), every other row with its own barcode.
fn csv_rows(tag: &str, rows: usize) -> Vec<String> {
    (0..rows)
        .map(|i| {
            let barcode = if i % 2 == 0 { format!("{tag}-BC-{i:06}") } else { String::new() };
            format!(
                "{tag}-{:04},fan{}@example.org,First{i},Last{i},MATCH1,P1,CAT1,FULL,,MOBILE,TAX-{tag}-{i},{barcode},B,{},{},4500,EUR,WEB",
                i / 10,
                i % 20 + 1,
                i / 30,
                i % 30 + 1
            )
        })
        .collect()
}

fn csv(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

async fn import(app: &TestApp, seeded: &Seeded, body: String) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/boxoffice{}/import/csv", seeded.org_path)))
        .bearer_auth(app.admin_token_for(&seeded.org).await)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    common::read(response).await
}

async fn count_tickets(app: &TestApp, seeded: &Seeded) -> usize {
    bo_all(app, &format!("{}/tickets?limit=1000", seeded.org_path)).await.len()
}

on_both_databases! {
    async fn a_csv_import_creates_files_and_contacts_once_and_one_bad_row_fails_the_whole_file(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let (status, outcome) = import(&app, &club, csv(&csv_rows("A", 300))).await;
        assert_eq!(status, StatusCode::CREATED, "{outcome}");
        assert_eq!(outcome, json!({ "rows": 300, "ticketsCreated": 300, "filesCreated": 30, "contactsCreated": 18 }));
        assert_eq!(count_tickets(&app, &club).await, 300);
        let (_, file) = bo_get(&app, &format!("{}/files/A-0000", club.org_path)).await;
        let tickets = file["tickets"].as_array().unwrap();
        assert_eq!(tickets.len(), 10);
        assert_eq!(tickets[0]["barcode"], "A-BC-000000");
        assert_eq!(tickets[1]["barcode"].as_str().unwrap().len(), 20, "generated");
        assert_eq!((tickets[0]["status"].as_str(), tickets[0]["salesChannelCode"].as_str()), (Some("NOT_PRINTED"), Some("WEB")));
        assert_eq!(tickets[0]["taxNumber"], "TAX-A-0");
        assert_eq!(file["contactId"], club.contact_ids[0], "fan1 existed: found by e-mail, not duplicated");
        let (_, fans) = bo_get(&app, &format!("{}/contacts?email=fan3@example.org", club.org_path)).await;
        assert_eq!(fans["results"].as_array().unwrap().len(), 1);
        assert_eq!(fans["results"][0]["lastName"], "Last2");

        // A new file with one unknown product and one bad price: refused whole.
        let mut rows = csv_rows("B", 200);
        rows[56] = rows[56].replace("MATCH1", "NOPE");
        rows[119] = rows[119].replace(",4500,", ",45.00,");
        let (status, refused) = import(&app, &club, csv(&rows)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["badRowCount"], 2);
        let bad: Vec<(i64, &str)> = refused["badRows"].as_array().unwrap().iter()
            .map(|b| (b["row"].as_i64().unwrap(), b["field"].as_str().unwrap())).collect();
        assert_eq!(bad, [(57, "productCode"), (120, "priceCents")]);
        assert_eq!(refused["badRows"][0]["line"], 58);
        assert_eq!(count_tickets(&app, &club).await, 300, "nothing written");
        let (status, _) = bo_get(&app, &format!("{}/files/B-0000", club.org_path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The first file again: its barcodes are taken now.
        let (status, refused) = import(&app, &club, csv(&csv_rows("A", 4))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused["badRows"][0]["field"], "barcode");
        assert_eq!(refused["badRowCount"], 2);

        let repeated = csv(&[csv_rows("C", 1)[0].clone(), csv_rows("C", 1)[0].clone()]);
        let (_, refused) = import(&app, &club, repeated).await;
        assert_eq!((refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["field"].as_str()), (Some(2), Some("barcode")));
        let (status, refused) = import(&app, &club, "fileNumber,contactEmail,productCode,shipmentModeCode,colour\n".to_owned()).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("header")));
        let (status, refused) = import(&app, &club, "fileNumber,contactEmail,productCode\nF,a@b.c,MATCH1\n".to_owned()).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("header")));
        assert!(refused["error"].as_str().unwrap().contains("shipmentModeCode"));
    }

    async fn the_away_export_lists_external_mobile_tickets_with_empty_name_columns(app: TestApp) {
        let club = seed_match(&app, "CLUB", 2).await;
        let away = |seat: usize, category: &str| json!({ "productCode": "MATCH1", "performanceCode": "P1", "seatCategoryCode": category,
            "contingentCode": if category == "AWAY" { json!("AWAYFANS") } else { Value::Null },
            "shipmentModeCode": "AWAYMOBILE", "block": "V", "row": "2", "seat": seat.to_string(), "priceCents": 3000 });
        let file = bo_create(&app, &format!("{}/files", club.org_path), &json!({ "contactId": club.contact_ids[1],
            "tickets": [away(1, "AWAY"), away(2, "AWAY"), away(3, "AWAY"), away(4, "CAT1")] })).await;
        let ids: Vec<i64> = file["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
        bo_post(&app, &format!("{}/tickets/{}/cancel", club.org_path, ids[2]), &json!({ "reason": "CANCELLATION" })).await;

        let token = app.admin_token_for("CLUB").await;
        let export = |query: &str| {
            let url = app.url(&format!("/api/boxoffice{}/performances/MATCH1/P1/away-export{query}", club.org_path));
            let request = app.client.post(url).bearer_auth(&token);
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
                response.text().await.unwrap()
            }
        };
        let text = export("?seatCategory=AWAY").await;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "block,row,seat,barcode,ticketId,firstName,lastName,email");
        let barcode = file["tickets"][0]["barcode"].as_str().unwrap();
        assert_eq!(lines[1], format!("V,2,1,{barcode},{},,,", ids[0]));
        assert_eq!(lines.len(), 3, "the cancelled one and the MOBILE ones are left out: {text}");
        assert_eq!(export("?contingent=AWAYFANS").await, text);
        assert_eq!(export("").await.lines().count(), 4);
        let (status, _) = bo_post(&app, &format!("{}/performances/MATCH1/P9/away-export", club.org_path), &Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_csv_command_loads_a_file_all_or_nothing_with_progress_on_stderr() {
    let app = TestApp::sqlite().await;
    let club = seed_match(&app, "CLUB", 0).await;
    let file = app.dir.path().join("tickets.csv");
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
            .args(["boxoffice", "import-csv", "--database", &app.database_url, "--organization", "CLUB"])
            .arg(file)
            .output()
            .unwrap()
    };
    std::fs::write(&file, csv(&csv_rows("CLI", 50))).unwrap();
    let output = run(&file);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("imported 50 tickets into CLUB (5 new files"), "{stdout}");
    // off a terminal: plain lines (docs/observability.md#progress-of-long-command-line-work)
    assert!(stderr.contains("import-csv writing: 50/50 tickets (100%): done"), "{stderr}");
    assert!(!stderr.contains('\r') && !stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(count_tickets(&app, &club).await, 50);

    let mut rows = csv_rows("BAD", 5);
    rows[2] = rows[2].replace("MOBILE", "PIGEON");
    std::fs::write(&file, csv(&rows)).unwrap();
    let output = run(&file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stdout.contains("row 3 (line 4): shipmentModeCode: no shipment mode \"PIGEON\""), "{stdout}");
    assert_eq!(count_tickets(&app, &club).await, 50);
}

/// The throughput measurement of the README: `cargo test --release -p tixbridge-server --test
/// boxoffice_import -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
async fn measure_an_import_of_100000_rows_on_sqlite() {
    let app = TestApp::sqlite().await;
    let club = seed_match(&app, "CLUB", 0).await;
    let body = csv(&csv_rows("M", 100_000));
    let bytes = body.len();
    let started = std::time::Instant::now();
    let (status, outcome) = import(&app, &club, body).await;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    println!(
        "imported 100000 rows ({:.1} MiB) in {seconds:.2} s: {:.0} rows/s",
        bytes as f64 / 1048576.0,
        100_000.0 / seconds
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_body_may_pass_the_json_limit_but_not_64_mib() {
    let app = TestApp::sqlite().await;
    let club = seed_match(&app, "CLUB", 0).await;
    // 17 MiB: over the 16 MiB JSON limit, so it reaches the parser (and fails there, on content).
    let big = format!("{HEADER}\n{}\n", "x".repeat(17 << 20));
    let (status, answer) = import(&app, &club, big).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let huge = "x".repeat((64 << 20) + 1);
    let (status, answer) = import(&app, &club, huge).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body")), "{answer}");
}

on_both_databases! {
    async fn a_bad_row_of_a_crlf_file_is_reported_at_its_true_line_even_after_a_field_spanning_lines(app: TestApp) {
        let club = seed_match(&app, "CRLF", 0).await;
        // Windows line endings: row 57 is on line 58 (the header is line 1).
        let mut rows = csv_rows("W", 60);
        rows[56] = rows[56].replace("MATCH1", "NOPE");
        let windows = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let (status, refused) = import(&app, &club, windows).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["line"].as_i64()), (Some(57), Some(58)), "{refused}");

        // A quoted last name over three lines on row 2: row 4 starts on line 7.
        let mut rows = csv_rows("Q", 5);
        rows[1] = rows[1].replace(",Last1,", ",\"Last\r\nof\r\nlines\",");
        rows[3] = rows[3].replace(",4500,", ",45.00,");
        let windows = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let (status, refused) = import(&app, &club, windows).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["badRowCount"], 1, "{refused}");
        assert_eq!((refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["line"].as_i64()), (Some(4), Some(7)), "{refused}");
        assert_eq!(refused["badRows"][0]["field"], "priceCents");
        assert_eq!(count_tickets(&app, &club).await, 0, "nothing written");
    }
}

/// `rows` good rows for the seeded match, over more than one chunk of the import (10,000).
fn long_file_rows(tag: &str, rows: usize) -> Vec<String> {
    (0..rows)
        .map(|i| {
            format!(
                "{tag}-{:05},fan{}@example.org,First,Last,MATCH1,P1,CAT1,FULL,,MOBILE,,{tag}-{i:06},{tag},{},{},4500,EUR,WEB",
                i / 10,
                i % 20 + 1,
                i / 100,
                i % 100 + 1
            )
        })
        .collect()
}

on_both_databases! {
    async fn a_bad_row_at_the_very_end_of_a_file_longer_than_a_chunk_writes_nothing(app: TestApp) {
        let club = seed_match(&app, "LONG", 0).await;
        let token = app.admin_token_for("LONG").await;
        let created = app.client.post(app.url(&format!("/api/boxoffice{}/products/MATCH1/performances", club.org_path)))
            .bearer_auth(&token)
            .json(&json!({ "code": "TINY", "start": "2099-08-01T20:00:00+02:00", "site": { "name": "Stadium" }, "capacity": 1 }))
            .send().await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        // one ticket already sold, with the barcode the long file's last row will repeat
        let (status, outcome) = import(&app, &club, csv(&["SOLD-1,fan1@example.org,,,MATCH1,P1,CAT1,FULL,,MOBILE,,USED-BARCODE,Z,1,1,4500,EUR,WEB".to_owned()])).await;
        assert_eq!(status, StatusCode::CREATED, "{outcome}");
        let rows = long_file_rows("L", 10_005);

        // a row's own fault on the last line: the first pass refuses it, nothing is written
        let mut bad_price = rows.clone();
        bad_price[10_004] = bad_price[10_004].replace(",4500,", ",45.00,");
        let (status, refused) = import(&app, &club, csv(&bad_price)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["badRowCount"].as_i64(), refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["line"].as_i64()),
            (Some(1), Some(10_005), Some(10_006)), "{refused}");
        assert_eq!(refused["badRows"][0]["field"], "priceCents");
        assert_eq!(count_tickets(&app, &club).await, 1, "nothing written");

        // a barcode already used, on the last line: found while writing, after the first 10,000
        // rows were written in the same transaction, which is rolled back
        let mut used_barcode = rows.clone();
        used_barcode[10_004] = used_barcode[10_004].replace(",L-010004,", ",USED-BARCODE,");
        let (status, refused) = import(&app, &club, csv(&used_barcode)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["badRowCount"].as_i64(), refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["field"].as_str()),
            (Some(1), Some(10_005), Some("barcode")), "{refused}");
        assert_eq!(refused["badRows"][0]["error"], "already used by another ticket");
        assert_eq!(count_tickets(&app, &club).await, 1, "nothing written");
        let (status, _) = bo_get(&app, &format!("{}/files/L-00000", club.org_path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the first chunk's files are rolled back too");

        // the first row takes the tiny performance's one place, the last row goes beyond it
        let mut beyond = rows.clone();
        for i in [0, 10_004] {
            beyond[i] = beyond[i].replace(",P1,", ",TINY,");
        }
        let (status, refused) = import(&app, &club, csv(&beyond)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["badRowCount"].as_i64(), refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["field"].as_str()),
            (Some(1), Some(10_005), Some("performanceCode")), "{refused}");
        assert!(refused["badRows"][0]["error"].as_str().unwrap()
            .contains(r#"performance "TINY" is full: capacity 1, 0 sold before this sale, 1 left for it"#), "{refused}");
        assert_eq!(count_tickets(&app, &club).await, 1, "nothing written");

        // the same long file, good: written whole
        let (status, outcome) = import(&app, &club, csv(&rows)).await;
        assert_eq!(status, StatusCode::CREATED, "{outcome}");
        assert_eq!(outcome, json!({ "rows": 10_005, "ticketsCreated": 10_005, "filesCreated": 1_001, "contactsCreated": 18 }));
    }
}
