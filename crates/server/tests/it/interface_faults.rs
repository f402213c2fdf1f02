//! A misbehaving wallet: down, answering 500, refusing the credentials, or too slow. The run
//! ends ERROR with the cause, one e-mail goes out, nothing is marked, and the next run after
//! recovery converges with every ticket exactly once in the wallet.

use crate::common;

use std::time::Duration;

use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::injection_settings;
use serde_json::json;

async fn converges_after(app: &common::TestApp, fault: Fault, expected_cause: &str) {
    let seeded = app.seed_match("FCX", 12).await;
    let proxy = FaultProxy::start(&app.url("")).await;
    app.configure_interface(&seeded, Some(&proxy.tickets_url()), json!({})).await;
    let function = app.function("FCX", "INJECTION", injection_settings()).await;

    proxy.set(fault);
    let failed = app.run(function).await;
    assert_eq!(failed["result"], "ERROR", "{failed}");
    let cause = failed["cause"].as_str().unwrap();
    assert!(cause.contains(expected_cause), "cause {cause:?} should mention {expected_cause:?}");
    assert_eq!(failed["counts"]["accepted"], 0);
    for id in &seeded.ticket_ids {
        assert_eq!(app.ticket("FCX", *id).await["status"], "NOT_PRINTED", "nothing is marked");
    }
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1, "one e-mail per failed run");
    assert_eq!(mails[0].recipients, ["ops@example.org"]);
    assert!(mails[0].subject.contains(&format!("run {} failed", failed["runId"])), "{}", mails[0].subject);
    assert!(mails[0].body.contains("Wallet") && mails[0].body.contains(expected_cause));

    proxy.set(Fault::None);
    let recovered = app.run(function).await;
    assert_eq!(recovered["result"], "OK", "{recovered}");
    assert_eq!(recovered["counts"]["accepted"], 12);
    let (_, page) = app.get_json("/api/organizer/tickets/diff?limit=1000", &seeded.wallet_key).await;
    let mut ids: Vec<&str> =
        page["tickets"].as_array().unwrap().iter().map(|t| t["ticketId"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "every ticket exactly once in the wallet");
    assert_eq!(app.smtp.messages().len(), 1, "no mail for the successful run");
}

on_both_databases! {
    async fn a_wallet_answering_500_fails_the_run_and_the_next_run_converges(app: TestApp) {
        converges_after(&app, Fault::ServerError, "HTTP 500").await;
    }

    async fn refused_credentials_fail_the_run_and_the_next_run_converges(app: TestApp) {
        converges_after(&app, Fault::Unauthorized, "refused the credentials").await;
    }

    async fn a_wallet_slower_than_the_timeout_fails_the_run_and_the_next_run_converges(app: TestApp) {
        converges_after(&app, Fault::Stall(Duration::from_secs(5)), "did not answer within").await;
    }

    async fn a_wallet_that_is_down_fails_the_run_and_nothing_is_marked(app: TestApp) {
        let seeded = app.seed_match("FCD", 3).await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/organizer/tickets", closed.local_addr().unwrap());
        drop(closed);
        app.configure_interface(&seeded, Some(&url), json!({})).await;
        let function = app.function("FCD", "INJECTION", injection_settings()).await;
        let failed = app.run(function).await;
        assert_eq!(failed["result"], "ERROR");
        assert!(failed["cause"].as_str().unwrap().contains("unreachable"), "{failed}");
        assert_eq!(app.ticket("FCD", seeded.ticket_ids[0]).await["status"], "NOT_PRINTED");
        assert_eq!(app.smtp.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    }
}
