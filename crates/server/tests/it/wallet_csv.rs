//! CSV injection over real HTTP (docs/wallet-api.md#the-organizer-api,
//! docs/interface.md#away-fans): a stored file becomes a background job whose rows go
//! through the JSON injection path; malformed files are refused before any job exists; a
//! job left unfinished by a restart is resumed. On SQLite and PostgreSQL.

use crate::common;

use reqwest::StatusCode;
use serde_json::Value;
use tixbridge_store::sql;

const CSV: &str = "/api/organizer/tickets/csv";
const HEADER: &str = "ticketId,eventId,eventName,eventStartTime,eventExpirationDate,barcode,email,firstName,lastName,block,row,seat,price,currency";

fn line(i: usize) -> String {
    format!(
        "T{i:05},EV1,Lions - Eagles,2099-06-14T21:00:00+02:00,2099-06-14T23:00:00+02:00,BC{i},fan{i}@example.org,Ada,Lovelace,B,{},{},45.50,CHF",
        i / 20,
        i % 20
    )
}

fn file(lines: impl IntoIterator<Item = String>) -> Vec<u8> {
    std::iter::once(HEADER.to_owned()).chain(lines).collect::<Vec<_>>().join("\n").into_bytes()
}

async fn post_csv(app: &common::TestApp, key: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(path))
        .header("X-Api-Key", key)
        .header("content-type", "text/csv; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The job once it has ended: the server holds the answer until then (`waitSeconds`).
async fn ended_job(app: &common::TestApp, key: &str, job_id: &str) -> Value {
    let (status, job) = app.get_json(&format!("{CSV}/{job_id}?waitSeconds=30"), key).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_ne!(job["status"], "IN_PROGRESS", "the job did not end within 30 s: {job}");
    job
}

async fn job_count(app: &common::TestApp) -> i64 {
    sql("SELECT COUNT(*) FROM wallet_csv_jobs").scalar(&mut app.app.db.reader().await.unwrap()).await.unwrap()
}

on_both_databases! {
    async fn a_csv_of_500_rows_completes_with_every_row_accepted_and_the_tickets_readable(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let (status, created) = post_csv(&app, &key, CSV, file((0..500).map(line))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{created}");
        assert_eq!(created["status"], "IN_PROGRESS");
        assert_eq!(created["total"], 500);
        let job = ended_job(&app, &key, created["jobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "COMPLETED", "{job}");
        assert_eq!((job["total"].as_i64(), job["accepted"].as_i64(), job["rejected"].as_i64()), (Some(500), Some(500), Some(0)));
        let results = job["results"].as_array().unwrap();
        assert_eq!(results.len(), 500);
        assert_eq!((results[0]["row"].as_i64(), results[0]["ticketId"].as_str()), (Some(2), Some("T00000")));
        assert!(results.iter().all(|r| r["status"] == "ACCEPTED"));

        let (status, ticket) = app.get_json("/api/organizer/tickets/T00499", &key).await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        assert_eq!(ticket["status"], "INJECTED");
        assert_eq!(ticket["owner"]["email"], "fan499@example.org");
        assert_eq!(ticket["event"]["startTime"], "2099-06-14T21:00:00+02:00");
        assert_eq!(ticket["ticket"]["seat"], "19");
        assert_eq!(ticket["ticket"]["purchaseDetails"]["price"], 45.5);
        let (_, feed) = app.get_json("/api/organizer/tickets/diff?limit=10000", &key).await;
        assert_eq!(feed["tickets"].as_array().unwrap().len(), 500);
    }

    async fn bad_rows_are_rejected_naming_their_column_and_the_good_rows_are_kept(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let rows = vec![
            line(0),
            line(1).replace("fan1@example.org", "not-an-email"),
            line(2).replace("2099-06-14T21:00:00+02:00", "14/06/2099 21:00"),
            line(3).replace("45.50", "cheap"),
            line(0).replace("BC0", "OTHER"),
            line(5).replace("T00005", "bad#id"),
            line(6),
        ];
        let (status, created) = post_csv(&app, &key, CSV, file(rows)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{created}");
        let job = ended_job(&app, &key, created["jobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "COMPLETED", "{job}");
        assert_eq!((job["accepted"].as_i64(), job["rejected"].as_i64()), (Some(2), Some(5)));
        let results = job["results"].as_array().unwrap();
        let reason = |i: usize| results[i]["reason"].as_str().unwrap_or("").to_owned();
        assert_eq!(results[0]["status"], "ACCEPTED");
        assert!(reason(1).starts_with("email:"), "{}", reason(1));
        assert!(reason(2).starts_with("eventStartTime:"), "{}", reason(2));
        assert!(reason(3).starts_with("price:"), "{}", reason(3));
        assert!(reason(4).starts_with("ticketId:") && reason(4).contains("row 2"), "{}", reason(4));
        assert!(reason(5).starts_with("ticketId:"), "{}", reason(5));
        assert_eq!(results[6]["status"], "ACCEPTED");
        assert_eq!(results[6]["row"], 8);
        let (status, _) = app.get_json("/api/organizer/tickets/T00001", &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, kept) = app.get_json("/api/organizer/tickets/T00000", &key).await;
        assert_eq!(kept["ticket"]["security"]["barcode"], "BC0", "the repeated row changed nothing");
    }

    async fn a_malformed_file_is_refused_naming_the_problem_and_creates_no_job(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let mut not_utf8 = file([line(0)]);
        not_utf8.extend_from_slice(&[0xff, 0xfe, 0x00]);
        let too_many = file((0..20_001).map(line));
        let cases: Vec<(Vec<u8>, StatusCode, &str, &str)> = vec![
            (not_utf8, StatusCode::BAD_REQUEST, "body", "UTF-8"),
            (format!("{HEADER},colour\n{},red", line(0)).into_bytes(), StatusCode::BAD_REQUEST, "header", "colour"),
            (b"ticketId,barcode,email\nT1,B,a@b.c".to_vec(), StatusCode::BAD_REQUEST, "header", "eventStartTime"),
            (format!("{HEADER}\nT1,EV1").into_bytes(), StatusCode::BAD_REQUEST, "body", "CSV"),
            (HEADER.as_bytes().to_vec(), StatusCode::BAD_REQUEST, "body", "no rows"),
            (too_many, StatusCode::PAYLOAD_TOO_LARGE, "body", "20000"),
        ];
        for (body, status, field, words) in cases {
            let (got, answer) = post_csv(&app, &key, CSV, body).await;
            assert_eq!(got, status, "{answer}");
            assert_eq!(answer["field"], field, "{answer}");
            assert!(answer["error"].as_str().unwrap().contains(words), "{answer}");
        }
        let (status, answer) = app.post_json(CSV, &key, &serde_json::json!([])).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
        assert_eq!(job_count(&app).await, 0);
    }

    async fn an_away_fans_spreadsheet_takes_its_event_from_query_parameters(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let sheet = "block;row;seat;barcode;ticketId;firstName;lastName;email\n\
                     G;1;1;AWAY-1;AWAY1;Alan;Turing;alan@example.org\n\
                     G;1;2;AWAY-2;AWAY2;;;joan@example.org\n";
        let path = format!(
            "{CSV}?eventId=EV-AWAY&eventName=Lions%20-%20Eagles&eventStartTime={}&eventExpirationDate={}",
            "2099-06-14T21:00:00%2B02:00", "2099-06-14T23:00:00%2B02:00"
        );
        let (status, created) = post_csv(&app, &key, &path, sheet.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{created}");
        let job = ended_job(&app, &key, created["jobId"].as_str().unwrap()).await;
        assert_eq!((job["status"].as_str(), job["accepted"].as_i64()), (Some("COMPLETED"), Some(2)), "{job}");
        let (_, ticket) = app.get_json("/api/organizer/tickets/AWAY2", &key).await;
        assert_eq!(ticket["eventId"], "EV-AWAY");
        assert_eq!(ticket["event"]["startTime"], "2099-06-14T21:00:00+02:00");
        assert_eq!(ticket["ticket"]["block"], "G");
        let (status, answer) = post_csv(&app, &key, &format!("{path}&colour=red"), sheet.as_bytes().to_vec()).await;
        assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("colour")));
    }

    async fn a_job_left_in_progress_is_resumed_after_a_restart(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let body = String::from_utf8(file((0..3).map(line))).unwrap();
        {
            let mut conn = app.app.db.writer().await.unwrap();
            let organizer: i64 = sql("SELECT id FROM wallet_organizers WHERE login = $1")
                .bind("org@example.org").scalar(&mut conn).await.unwrap();
            sql(
                "INSERT INTO wallet_csv_jobs (organizer_id, job_id, status, total_rows, next_row, body, params, created_at)
                 VALUES ($1, 'interrupted', 'IN_PROGRESS', 3, 0, $2, '{\"delimiter\":\",\",\"event\":{}}', 0)",
            )
            .bind(organizer).bind(&body).execute(&mut conn).await.unwrap();
        }
        let app = app.restart().await;
        let job = ended_job(&app, &key, "interrupted").await;
        assert_eq!(job["status"], "COMPLETED", "{job}");
        assert_eq!(job["accepted"], 3);
        let (status, _) = app.get_json("/api/organizer/tickets/T00002", &key).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn another_organizers_job_is_not_found(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let other = app.organizer("other@example.org").await;
        let (_, created) = post_csv(&app, &key, CSV, file([line(0)])).await;
        let job_id = created["jobId"].as_str().unwrap();
        let (status, answer) = app.get_json(&format!("{CSV}/{job_id}"), &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
        ended_job(&app, &key, job_id).await;
    }
}
