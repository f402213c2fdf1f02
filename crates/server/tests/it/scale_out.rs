//! Several processes on one PostgreSQL database share the work: two `tixbridge worker`
//! processes run a continuous injection side by side, never at once, and no ticket is sent twice.

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use tixbridge_store::sql;

async fn count(db: &tixbridge_store::Db, query: &str) -> i64 {
    sql(query).scalar(&mut db.reader().await.unwrap()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_a_continuous_injection_without_overlap_or_duplicates_on_postgres() {
    let Some(app) = common::TestApp::postgres().await else { return };
    let seeded = app.seed_match("FCW", 0).await;
    for _ in 0..6 {
        app.issue_tickets("FCW", seeded.contact_id, 500, "MOB").await;
    }
    app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=100" })).await;
    let body = json!({ "kind": "INJECTION", "name": "continuous", "launch": "CONTINUOUS",
                       "settings": { "batchSize": 250, "pointOfSale": "WEB;POS1" } });
    app.create("/api/boxoffice/organizations/FCW/interface/functions", body).await;

    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let workers: Vec<_> = (0..2)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
                .args(["worker", "--database", &app.database_url])
                .env("TIXBRIDGE_SERVER_KEY", &key)
                .env("TIXBRIDGE_MAIL_FOLDER", app.dir.path().join(format!("mail-{i}")))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let db = &app.app.db;
    while count(db, "SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED'").await < 3_000 {
        assert!(Instant::now() < deadline, "the workers did not finish the injection");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // the last page's tickets are printed before its run is recorded as ended: let it end
    while count(db, "SELECT COUNT(*) FROM itf_runs WHERE ended_at IS NULL").await > 0 {
        assert!(Instant::now() < deadline, "the last run did not end");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for mut worker in workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM wallet_tickets").await, 3_000);
    assert_eq!(count(db, "SELECT COUNT(*) FROM wallet_ticket_log").await, 3_000, "no ticket sent twice");
    let runs: Vec<(i64, i64)> =
        sql("SELECT started_at, ended_at FROM itf_runs WHERE ended_at IS NOT NULL ORDER BY started_at")
            .fetch_all(&mut db.reader().await.unwrap())
            .await
            .unwrap();
    assert!(runs.len() >= 12, "3,000 tickets in batches of 250: {} runs", runs.len());
    for pair in runs.windows(2) {
        assert!(pair[1].0 >= pair[0].1, "two runs of one function overlapped: {pair:?}");
    }
}
