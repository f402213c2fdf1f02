//! Where the stored wallet API key may go: moving the interface needs the key again, the URL
//! rules and the wallet-host allow-list, redirects never followed, and nothing a foreign server
//! answers read back into run records — on both databases.

use crate::common;

use serde_json::{Value, json};

use crate::common::boxoffice::bo_put;
use crate::common::foreign::ForeignServer;
use crate::common::seed::{Seeded, injection_settings};

/// The interface as an operator would send it back, with `url` and no password.
fn edited(seeded: &Seeded, url: &str, extra: Value) -> Value {
    let mut body = json!({ "name": "Wallet", "type": "TIXNGO", "url": url,
        "login": format!("wallet@{}.example.org", seeded.org.to_lowercase()),
        "notificationEmails": "ops@example.org", "customParameters": "ticketIterationSize=7" });
    common::seed::merge(&mut body, extra);
    body
}

fn interface_path(org: &str) -> String {
    format!("/organizations/{org}/interface")
}

/// Everything a run record shows: the summary, the record with its log and dump, the list.
async fn run_record(app: &common::TestApp, function: i64, summary: &Value) -> String {
    let run = app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await;
    let runs = app.bo_get(&format!("/api/boxoffice/functions/{function}/runs")).await;
    format!("{summary}\n{run}\n{runs}")
}

const SECRET: &str = "s3cr3t-internal-token-4242";

on_both_databases! {
    async fn a_stolen_session_cannot_send_the_stored_key_to_another_url(app: TestApp) {
        let seeded = app.seed_match("FCS", 2).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCS", "INJECTION", injection_settings()).await;
        let thief = ForeignServer::start(200, &[], "{\"results\": []}").await;
        let before = app.bo_get("/api/boxoffice/organizations/FCS/interface").await;

        let moved = edited(&seeded, &thief.tickets_url("127.0.0.1"), json!({}));
        let (status, answer) = bo_put(&app, &interface_path("FCS"), &moved).await;
        assert_eq!(status.as_u16(), 422, "{answer}");
        assert_eq!(answer["field"], "password", "{answer}");
        let relogged = edited(&seeded, before["url"].as_str().unwrap(), json!({ "login": "thief@example.org" }));
        let (status, answer) = bo_put(&app, &interface_path("FCS"), &relogged).await;
        assert_eq!((status.as_u16(), answer["field"].as_str()), (422, Some("password")), "{answer}");
        assert_eq!(app.bo_get("/api/boxoffice/organizations/FCS/interface").await, before, "nothing changed");

        let run = app.run(function).await;
        assert_eq!(run["result"], "OK", "{run}");
        assert_eq!(run["counts"]["accepted"], 2, "the run still goes to the old URL: {run}");
        assert_eq!(thief.hits(), 0, "the thief's server never heard from the interface");

        // the same URL and login keep the stored key; a new URL with the key entered again is fine
        let renamed = edited(&seeded, before["url"].as_str().unwrap(), json!({ "name": "Renamed" }));
        let (status, answer) = bo_put(&app, &interface_path("FCS"), &renamed).await;
        assert_eq!(status.as_u16(), 200, "{answer}");
        let with_key = edited(&seeded, &thief.tickets_url("127.0.0.1"), json!({ "password": "tbk_other" }));
        let (status, answer) = bo_put(&app, &interface_path("FCS"), &with_key).await;
        assert_eq!(status.as_u16(), 200, "{answer}");
        assert_eq!(answer["url"], thief.tickets_url("127.0.0.1"));
    }

    async fn each_unsafe_url_is_refused_naming_the_url_and_nothing_is_written(app: TestApp) {
        let seeded = app.seed_match("FCU", 0).await;
        let wallet = app.url("/api/organizer/tickets");
        let host = wallet.trim_start_matches("http://").split('/').next().unwrap().to_owned();
        for url in [
            format!("ftp://{host}/api/organizer/tickets"),
            format!("http://wallet%40fcu.example.org:key@{host}/api/organizer/tickets"),
            format!("http://someone@{host}/api/organizer/tickets"),
            format!("{wallet}?organizer/tickets"),
            format!("http://{host}/api/x?y=/organizer/tickets"),
            format!("{wallet}#organizer/tickets"),
            format!("http://{host}/api/myorganizer/tickets"),
            format!("{wallet}/diff"),
        ] {
            let body = edited(&seeded, &url, json!({ "password": seeded.wallet_key }));
            let (status, answer) = app.post_json("/api/boxoffice/organizations/FCU/interface", "", &body).await;
            assert_eq!(status.as_u16(), 422, "{url}: {answer}");
            assert_eq!(answer["field"], "url", "{url}: {answer}");
        }
        let (status, _) = app.get_json("/api/boxoffice/organizations/FCU/interface", "").await;
        assert_eq!(status.as_u16(), 404, "nothing written");
    }

    async fn an_interface_may_point_only_at_the_wallet_hosts_allowed(app: TestApp) {
        let seeded = app.seed_match("FCH", 2).await;
        let elsewhere = ForeignServer::start(200, &[], "{\"results\": []}").await;
        app.configure_interface(&seeded, Some(&elsewhere.tickets_url("localhost")), json!({})).await;
        let function = app.function("FCH", "INJECTION", injection_settings()).await;
        let app = app
            .restart_with(|config| {
                config.wallet_hosts =
                    tixbridge_interface::config::WalletHosts::parse("127.0.0.1, wallet.example.org:8443").unwrap();
            })
            .await;

        let run = app.run(function).await;
        assert_eq!(run["result"], "ERROR", "a URL saved before the list narrowed is not called: {run}");
        assert!(run["cause"].as_str().unwrap().contains("wallet hosts"), "{run}");
        assert_eq!(elsewhere.hits(), 0);

        for url in [
            elsewhere.tickets_url("localhost"),
            "https://evil.example.org/api/organizer/tickets".to_owned(),
            "https://wallet.example.org/api/organizer/tickets".to_owned(),
        ] {
            let body = edited(&seeded, &url, json!({ "password": seeded.wallet_key }));
            let (status, answer) = bo_put(&app, &interface_path("FCH"), &body).await;
            assert_eq!((status.as_u16(), answer["field"].as_str()), (422, Some("url")), "{url}: {answer}");
        }
        let listed = edited(&seeded, "https://wallet.example.org:8443/api/organizer/tickets",
            json!({ "password": seeded.wallet_key }));
        assert_eq!(bo_put(&app, &interface_path("FCH"), &listed).await.0.as_u16(), 200);
        let own = edited(&seeded, &app.url("/api/organizer/tickets"), json!({ "password": seeded.wallet_key }));
        assert_eq!(bo_put(&app, &interface_path("FCH"), &own).await.0.as_u16(), 200);
        let run = app.run(function).await;
        assert_eq!((run["result"].as_str(), run["counts"]["accepted"].as_u64()), (Some("OK"), Some(2)), "{run}");
    }

    async fn a_redirect_from_the_wallet_url_is_not_followed(app: TestApp) {
        let seeded = app.seed_match("FCR", 2).await;
        let thief = ForeignServer::start(200, &[], "{\"results\": []}").await;
        let redirector =
            ForeignServer::start(307, &[("location", thief.tickets_url("127.0.0.1").as_str())], "").await;
        app.configure_interface(&seeded, Some(&redirector.tickets_url("127.0.0.1")), json!({})).await;
        let function = app.function("FCR", "INJECTION", injection_settings()).await;
        let run = app.run(function).await;
        assert_eq!(run["result"], "ERROR", "{run}");
        let cause = run["cause"].as_str().unwrap();
        assert!(cause.contains("HTTP 307") && cause.contains("redirect") && cause.contains("not followed"), "{cause}");
        assert_eq!(redirector.hits(), 1);
        assert_eq!(thief.hits(), 0, "neither the key nor the tickets went where the redirect pointed");
        assert_eq!(app.ticket("FCR", seeded.ticket_ids[0]).await["status"], "NOT_PRINTED");
    }

    async fn a_foreign_server_answer_is_never_read_back_into_run_records(app: TestApp) {
        let seeded = app.seed_match("FCF", 3).await;
        let json_secret = ForeignServer::start(200, &[], &format!("\"{SECRET}\"")).await;
        let text_secret = ForeignServer::start(500, &[], &format!("internal: {SECRET}")).await;
        let object_secret = ForeignServer::start(200, &[], &format!("{{\"results\": \"{SECRET}\"}}")).await;
        let params = "ticketIterationSize=7\nmaxLengthDumpedCallsInKbs=64";
        app.configure_interface(&seeded, Some(&json_secret.tickets_url("127.0.0.1")),
            json!({ "customParameters": params })).await;
        let injection = app.function("FCF", "INJECTION", injection_settings()).await;
        let feedback = app.function("FCF", "FEEDBACK", json!({ "batchSize": 100 })).await;

        for server in [&json_secret, &text_secret, &object_secret] {
            let body = edited(&seeded, &server.tickets_url("127.0.0.1"),
                json!({ "password": seeded.wallet_key, "customParameters": params }));
            assert_eq!(bo_put(&app, &interface_path("FCF"), &body).await.0.as_u16(), 200);
            for function in [injection, feedback] {
                let run = app.run(function).await;
                assert_eq!(run["result"], "ERROR", "{run}");
                let record = run_record(&app, function, &run).await;
                assert!(!record.contains(SECRET), "a run record carries the foreign server's answer:\n{record}");
                assert!(record.contains("not a wallet answer"), "the answer is summarized: {record}");
                let stored = app.bo_get(&format!("/api/boxoffice/runs/{}", run["runId"])).await;
                assert!(stored["dump"].as_str().is_some_and(|d| d.contains("bytes, not a wallet answer")), "{stored}");
            }
            assert!(server.hits() >= 2);
        }
        let mails = app.smtp.wait_for(6, std::time::Duration::from_secs(10)).await;
        assert_eq!(mails.len(), 6, "one failure e-mail per run");
        assert!(mails.iter().all(|m| !m.body.contains(SECRET) && !m.subject.contains(SECRET)));
    }
}
