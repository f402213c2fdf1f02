//! A run, once started, belongs to the server: it finishes whatever its caller does, ends only
//! once every page it sent is settled (its counts are what it printed), is recorded as
//! interrupted — with its counts, and one e-mail — as soon as a process notices its dead
//! worker's lease expired, and its failure e-mail waits in a queue, never holding the run,
//! until the relay takes it.

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::{Seeded, injection_settings};

const TICKETS: usize = 42;

async fn count(db: &tixbridge_store::Db, query: &str, run: i64) -> i64 {
    tixbridge_store::sql(query).bind(run).scalar(&mut db.reader().await.unwrap()).await.unwrap()
}

/// An injection of [`TICKETS`] tickets (7 per wallet call) whose interface goes through a
/// fault proxy; returns the seeded organization, the proxy and the function.
async fn injection_through_proxy(app: &common::TestApp, org: &str) -> (Seeded, FaultProxy, i64) {
    let seeded = app.seed_match(org, TICKETS).await;
    let proxy = FaultProxy::start(&app.url("")).await;
    app.configure_interface(&seeded, Some(&proxy.tickets_url()), json!({})).await;
    let function = app.function(org, "INJECTION", injection_settings()).await;
    (seeded, proxy, function)
}

/// How many of the seeded tickets are `PRINTED` in the box office, and how many the wallet holds.
async fn printed_and_in_wallet(app: &common::TestApp, seeded: &Seeded) -> (usize, usize) {
    let (mut printed, mut in_wallet) = (0, 0);
    for id in &seeded.ticket_ids {
        if app.ticket(&seeded.org, *id).await["status"] == "PRINTED" {
            printed += 1;
        }
        if app.wallet_ticket(seeded, *id).await.0 == 200 {
            in_wallet += 1;
        }
    }
    (printed, in_wallet)
}

/// The function's newest run once it is no longer `RUNNING` (polled, as a client would).
async fn newest_run_once_ended(app: &common::TestApp, function: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = app.bo_get(&format!("/api/boxoffice/functions/{function}/runs")).await;
        if let Some(run) = runs["results"].as_array().and_then(|runs| runs.first())
            && run["result"] != "RUNNING"
        {
            return run.clone();
        }
        assert!(Instant::now() < deadline, "the run never ended: {runs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `function` with a relay that is silent (or down); the run ends at once, recorded, and
/// its function free; once the relay is back, one drain of the queue sends each failure
/// e-mail, once.
async fn failure_emails_survive_a_relay_outage(app: &common::TestApp, silent: bool) {
    let seeded = app.seed_match("FCM", 3).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let wallet_down = format!("http://{}/api/organizer/tickets", closed.local_addr().unwrap());
    drop(closed);
    app.configure_interface(&seeded, Some(&wallet_down), json!({})).await;
    let function = app.function("FCM", "INJECTION", injection_settings()).await;
    if silent {
        app.smtp.go_silent();
    } else {
        app.smtp.go_down();
    }

    let asked = Instant::now();
    let first = app.run(function).await;
    assert!(asked.elapsed() < Duration::from_secs(5), "the relay held the run for {:?}", asked.elapsed());
    assert_eq!(first["result"], "ERROR", "{first}");
    let recorded = app.bo_get(&format!("/api/boxoffice/runs/{}", first["runId"])).await;
    assert_eq!(recorded["result"], "ERROR", "the run is recorded: {recorded}");
    // the lease was given up before the mail was tried: the function runs again at once
    let second = app.run(function).await;
    assert_eq!(second["result"], "ERROR", "{second}");
    assert!(app.smtp.messages().is_empty(), "the relay took nothing");

    app.smtp.come_back();
    let within_the_hour = tixbridge_interface::runs::now_ms() + 3_600_000;
    let engine = &app.app.engine;
    assert_eq!(tixbridge_interface::outbox::deliver_queued(engine, within_the_hour).await.unwrap(), 2);
    assert_eq!(tixbridge_interface::outbox::deliver_queued(engine, within_the_hour).await.unwrap(), 0);
    let mails = app.smtp.messages();
    assert_eq!(mails.len(), 2, "one e-mail per failed run, each once");
    for run in [&first, &second] {
        let about = format!("run {} failed", run["runId"]);
        assert_eq!(mails.iter().filter(|m| m.subject.contains(&about)).count(), 1, "{about}");
    }
}

on_both_databases! {
    async fn a_run_goes_on_to_its_end_when_its_caller_hangs_up(app: TestApp) {
        let (seeded, proxy, function) = injection_through_proxy(&app, "FCH").await;
        proxy.set(Fault::Stall(Duration::from_millis(400)));
        let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
        let hung_up = impatient
            .post(app.url(&format!("/api/boxoffice/functions/{function}/runs")))
            .bearer_auth(app.admin_token_for("FCH").await)
            .json(&Value::Null)
            .send()
            .await;
        assert!(hung_up.unwrap_err().is_timeout(), "the caller gave up before the run ended");

        let run = newest_run_once_ended(&app, function).await;
        assert_eq!(run["result"], "OK", "{run}");
        assert_eq!(run["counts"]["accepted"], TICKETS);
        assert_eq!(printed_and_in_wallet(&app, &seeded).await, (TICKETS, TICKETS));
        // the function is not left blocked
        proxy.set(Fault::None);
        assert_eq!(app.run(function).await["result"], "OK");
    }

    async fn a_run_started_without_waiting_answers_202_with_its_id_and_ends_on_its_own(app: TestApp) {
        let (seeded, proxy, function) = injection_through_proxy(&app, "FCW").await;
        let runs = format!("/api/boxoffice/functions/{function}/runs");
        for (query, field) in [("?wait=soon", "wait"), ("?hurry=true", "hurry")] {
            let (status, refused) = app.post_json(&format!("{runs}{query}"), "", &Value::Null).await;
            assert_eq!((status.as_u16(), refused["field"].as_str()), (400, Some(field)), "{query}: {refused}");
        }
        assert_eq!(app.bo_get(&runs).await["results"], json!([]), "a refused request starts nothing");

        proxy.set(Fault::Stall(Duration::from_millis(300)));
        let answer = app
            .client
            .post(app.url(&format!("{runs}?wait=false")))
            .bearer_auth(app.admin_token_for("FCW").await)
            .json(&Value::Null)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 202);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let started: Value = answer.json().await.unwrap();
        assert_eq!(started["result"], "RUNNING", "{started}");
        assert_eq!(location, format!("/api/boxoffice/runs/{}", started["runId"]));
        let (status, busy) = app.post_json(&runs, "", &Value::Null).await;
        assert_eq!((status.as_u16(), busy["field"].as_str()), (409, Some("function")), "one run at a time: {busy}");

        let deadline = Instant::now() + Duration::from_secs(30);
        let run = loop {
            let run = app.bo_get(&location).await;
            if run["result"] != "RUNNING" {
                break run;
            }
            assert!(Instant::now() < deadline, "the run never ended: {run}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(run["result"], "OK", "{run}");
        assert_eq!(run["counts"]["accepted"], TICKETS);
        assert_eq!(printed_and_in_wallet(&app, &seeded).await, (TICKETS, TICKETS));
    }

    async fn a_run_that_fails_part_way_ends_only_after_every_page_it_sent_is_settled_and_counts_what_it_printed(app: TestApp) {
        let (seeded, proxy, function) = injection_through_proxy(&app, "FCP").await;
        // call 2 fails while calls 3, 4… are accepted by the wallet, their answers still on the way
        proxy.set(Fault::SecondFailsWhileOthersAreAnswered { hold: Duration::from_millis(1500) });
        let failed = app.run(function).await;
        assert_eq!(failed["result"], "ERROR", "{failed}");
        assert!(failed["cause"].as_str().unwrap().contains("HTTP 500"), "{failed}");

        let (printed, in_wallet) = printed_and_in_wallet(&app, &seeded).await;
        assert_eq!(printed, in_wallet, "when the run has ended, every ticket the wallet accepted is printed");
        assert!(printed > 7, "pages sent after the failed one were settled ({printed} printed)");
        assert_eq!(failed["counts"]["accepted"], printed);
        assert_eq!(failed["counts"]["written"], printed);
        let run = failed["runId"].as_i64().unwrap();
        let marks = count(&app.app.db, "SELECT COUNT(*) FROM itf_processed WHERE run_id = $1", run).await;
        assert_eq!(marks, printed as i64, "the run's counts equal its processed marks");
        let recorded = app.bo_get(&format!("/api/boxoffice/runs/{run}")).await;
        assert_eq!(recorded["counts"], failed["counts"]);
        let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
        assert!(mails[0].body.contains(&format!("accepted {printed},")), "{}", mails[0].body);
    }

    async fn a_killed_run_is_recorded_as_interrupted_with_its_counts_and_mailed_once_by_the_first_process_to_notice(app: TestApp) {
        let (seeded, proxy, function) = injection_through_proxy(&app, "FCK").await;
        // the first two pages go through, the next ones hang: the worker is killed with pages in flight
        proxy.set(Fault::StallTicketsFrom { ticket_id: seeded.ticket_ids[14], stall: Duration::from_secs(600) });
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
        let deadline = Instant::now() + Duration::from_secs(60);
        let printed_now = "SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED' AND id > $1";
        while count(&app.app.db, printed_now, 0).await < 14 {
            assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
            assert!(Instant::now() < deadline, "the first two calls never got printed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let run = app.bo_get(&format!("/api/boxoffice/functions/{function}/runs")).await["results"][0].clone();
        assert_eq!(run["result"], "RUNNING", "{run}");

        // two server processes on the database, both ticking, until the dead worker's lease expires
        let other = tixbridge_server::app::BoundApp::bind(&common::test_config(
            &app.database_url,
            app.dir.path(),
            &app.smtp.url(),
        ))
        .await
        .unwrap()
        .spawn();
        let deadline = Instant::now() + Duration::from_secs(30);
        let interrupted = loop {
            let (mine, theirs) = tokio::join!(
                tixbridge_interface::scheduler::tick(&app.app.engine),
                tixbridge_interface::scheduler::tick(&other.engine)
            );
            for started in mine.into_iter().chain(theirs) {
                started.await.unwrap();
            }
            let now = app.bo_get(&format!("/api/boxoffice/runs/{}", run["id"])).await;
            if now["result"] != "RUNNING" {
                break now;
            }
            assert!(Instant::now() < deadline, "nobody noticed the expired lease: {now}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(interrupted["result"], "ERROR", "{interrupted}");
        assert!(interrupted["cause"].as_str().unwrap().starts_with("interrupted"), "{interrupted}");
        let printed = printed_and_in_wallet(&app, &seeded).await.0;
        assert_eq!(printed, 14);
        assert_eq!(interrupted["counts"]["accepted"], printed, "the record carries what the run had processed");
        assert_eq!(interrupted["counts"]["written"], printed);
        let marks = count(&app.app.db, "SELECT COUNT(*) FROM itf_processed WHERE run_id = $1", run["id"].as_i64().unwrap()).await;
        assert_eq!(marks, printed as i64);

        let mails = app.smtp.messages();
        assert_eq!(mails.len(), 1, "one e-mail, however many processes noticed");
        assert!(mails[0].subject.contains(&format!("run {} failed", run["id"])), "{}", mails[0].subject);
        assert!(mails[0].body.contains("interrupted") && mails[0].body.contains("accepted 14,"), "{}", mails[0].body);
        other.shutdown().await.unwrap();

        // the function is free again and finishes the job
        proxy.set(Fault::None);
        let resumed = app.run(function).await;
        assert_eq!(resumed["result"], "OK", "{resumed}");
        assert_eq!(printed_and_in_wallet(&app, &seeded).await, (TICKETS, TICKETS));
        assert_eq!(app.smtp.messages().len(), 1);
    }

    async fn a_silent_relay_holds_neither_the_run_nor_its_lease_and_its_queued_email_goes_out_once(app: TestApp) {
        failure_emails_survive_a_relay_outage(&app, true).await;
    }

    async fn a_failure_email_the_relay_did_not_take_stays_queued_until_it_goes_out_once(app: TestApp) {
        failure_emails_survive_a_relay_outage(&app, false).await;
    }
}
