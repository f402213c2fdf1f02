//! A process killed in the middle of an injection of 50,000 tickets loses nothing and
//! duplicates nothing: after restart, the next run makes wallet and box office agree ticket
//! for ticket.

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;

const TICKETS: usize = 50_000;

async fn count(db: &tixbridge_store::Db, query: &str) -> i64 {
    tixbridge_store::sql(query).scalar(&mut db.reader().await.unwrap()).await.unwrap()
}

/// Loads `n` tickets for the seeded match through the box-office CSV import.
async fn load_tickets(app: &common::TestApp, org: &str, n: usize) {
    let mut csv = String::from(
        "fileNumber,contactEmail,contactFirstName,contactLastName,productCode,performanceCode,seatCategoryCode,\
         tariffCode,contingentCode,shipmentModeCode,taxNumber,barcode,block,row,seat,priceCents,currency,salesChannelCode\n",
    );
    for i in 0..n {
        let file = i / 10;
        csv.push_str(&format!(
            "K{file:07},fan{file}@crash.example.org,Fan,N{file},FINAL,P1,CAT1,FULL,,MOB,K{i},KB{i:09},B,{},{},4500,CHF,WEB\n",
            i / 100,
            i % 100
        ));
    }
    let response = app
        .client
        .post(app.url(&format!("/api/boxoffice/organizations/{org}/import/csv")))
        .bearer_auth(app.admin_token_for(org).await)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

on_both_databases! {
    async fn a_process_killed_during_an_injection_of_50000_tickets_loses_and_duplicates_nothing(app: TestApp) {
        // Pages of 1,000 tickets on a busy two-core machine: the default test timeout (3 s, for
        // the fault tests) would fail the converging run for slowness, not for the crash.
        let app = app.restart_with(|config| config.wallet_timeout = Duration::from_secs(60)).await;
        let seeded = app.seed_match("FCZ", 0).await;
        load_tickets(&app, "FCZ", TICKETS).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=1000" })).await;
        let function = app.function("FCZ", "INJECTION", json!({ "batchSize": TICKETS, "pointOfSale": "WEB;POS1" })).await;

        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
            .args(["interface", "run", "--database", &app.database_url, &function.to_string()])
            .env("TIXBRIDGE_SERVER_KEY", key)
            .env("TIXBRIDGE_LEASE_TTL_SECS", "2")
            .env("TIXBRIDGE_MAIL_FOLDER", app.dir.path().join("child-mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // kill it once it has printed part of the batch
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let printed = count(&app.app.db, "SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED'").await;
            if printed >= 3_000 || Instant::now() > deadline {
                break;
            }
            assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let printed_at_kill = count(&app.app.db, "SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED'").await;
        assert!(printed_at_kill < TICKETS as i64, "killed in the middle ({printed_at_kill} printed)");

        // the next run waits out the dead worker's lease, then completes exactly what is left
        let summary = loop {
            let (status, summary) = app.post_json(&format!("/api/boxoffice/functions/{function}/runs"), "", &json!(null)).await;
            if status.as_u16() == 200 {
                break summary;
            }
            assert_eq!(status.as_u16(), 409, "{summary}");
            assert!(Instant::now() < deadline, "the dead worker's lease never expired");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(summary["result"], "OK", "{summary}");
        let db = &app.app.db;
        assert_eq!(count(db, "SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED'").await, TICKETS as i64);
        assert_eq!(count(db, "SELECT COUNT(*) FROM wallet_tickets").await, TICKETS as i64);
        assert_eq!(count(db, "SELECT COUNT(*) FROM wallet_ticket_log").await, TICKETS as i64, "each injected once, never updated");
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM bo_tickets b JOIN wallet_tickets w ON w.ticket_id = CAST(b.id AS TEXT)").await,
            TICKETS as i64,
            "wallet and box office agree ticket for ticket"
        );
        let interrupted = count(db, "SELECT COUNT(*) FROM itf_runs WHERE result = 'ERROR' AND cause LIKE 'interrupted%'").await;
        assert_eq!(interrupted, 1, "the killed run is recorded as interrupted");
    }
}
