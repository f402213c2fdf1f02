//! Observability (docs/observability.md): `/metrics` refused without its token and scraped
//! after a demo-sized run showing exactly that run's counts, the probes, the request id, and the
//! log lines of the real binary. Over real HTTP, on both databases.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_store::{Backend, sql};

use crate::common::seed::injection_settings;
use crate::common::{METRICS_TOKEN, TestApp};
use crate::support::*;

/// As many match tickets as `tixbridge demo` sells.
const DEMO_TICKETS: usize = 2_000;

async fn scrape(app: &TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    response.text().await.unwrap()
}

/// The sum of the samples of `name` whose labels include every one of `labels`; `None` when no
/// sample matches (a metric never recorded).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let (series_name, series_labels) = match series.split_once('{') {
            Some((n, rest)) => (n, parse_labels(rest.trim_end_matches('}'))),
            None => (series, BTreeMap::new()),
        };
        if series_name == name && labels.iter().all(|(k, v)| series_labels.get(*k).map(String::as_str) == Some(*v)) {
            *found.get_or_insert(0.0) += value.parse::<f64>().unwrap();
        }
    }
    found
}

fn parse_labels(text: &str) -> BTreeMap<String, String> {
    text.split("\",")
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| pair.split_once("=\""))
        .map(|(k, v)| (k.to_owned(), v.trim_end_matches('"').to_owned()))
        .collect()
}

fn count(summary: &Value, stage: &str) -> f64 {
    summary["counts"][stage].as_u64().unwrap_or_else(|| panic!("no {stage} in {summary}")) as f64
}

on_both_databases! {
    async fn metrics_are_refused_without_the_token_and_not_served_at_all_when_no_token_is_set(app: TestApp) {
        let response = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let wrong = app.client.get(app.url("/metrics")).bearer_auth("not-the-token").send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let (_, refused) = crate::common::read(wrong).await;
        assert_eq!(refused["field"], "Authorization", "{refused}");
        assert!(scrape(&app).await.contains("# TYPE tixbridge_sqlite_writer_wait_seconds histogram"));

        let app = app.restart_with(|config| config.metrics_token = None).await;
        let off = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert_eq!(off.status(), StatusCode::NOT_FOUND, "no token set: the route is not there for anyone");
        let unknown = app.client.get(app.url("/no-such-route")).send().await.unwrap();
        let (off, unknown) = (off.text().await.unwrap(), unknown.text().await.unwrap());
        assert_eq!(off.replace("/metrics", "/no-such-route"), unknown, "the route answers exactly as an unknown path");
    }

    async fn metrics_scraped_after_a_demo_sized_run_show_the_counts_of_that_run(app: TestApp) {
        // a page of 2,000 tickets on a busy test machine may take longer than the tests' 3 s
        let app = app.restart_with(|config| config.wallet_timeout = Duration::from_secs(120)).await;
        let seeded = app.seed_match("OBS", DEMO_TICKETS).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=500" })).await;
        let mut settings = injection_settings();
        crate::common::seed::merge(&mut settings, json!({ "batchSize": DEMO_TICKETS }));
        let injection = app.function("OBS", "INJECTION", settings).await;
        let injected = app.run(injection).await;
        assert_eq!(count(&injected, "accepted"), DEMO_TICKETS as f64, "{injected}");
        for id in &seeded.ticket_ids[..5] {
            let path = format!("/api/boxoffice/organizations/OBS/tickets/{id}/cancel");
            let (status, answer) = app.post_json(&path, "", &json!({ "reason": "CANCELLATION" })).await;
            assert!(status.is_success(), "{answer}");
        }
        let push = app.function("OBS", "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })).await;
        let pushed = app.run(push).await;
        assert_eq!(count(&pushed, "accepted"), 5.0, "{pushed}");
        let feedback = app.function("OBS", "FEEDBACK", json!({ "batchSize": 700 })).await;
        let fed = app.run(feedback).await;
        let (status, report) =
            app.post_json("/api/boxoffice/organizations/OBS/interface/reconcile", "", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{report}");

        let text = scrape(&app).await;
        for (kind, summary) in [("INJECTION", &injected), ("PUSH_CANCELLED", &pushed), ("FEEDBACK", &fed)] {
            let result = summary["result"].as_str().unwrap();
            assert_eq!(sample(&text, "tixbridge_runs_total", &[("kind", kind), ("result", result)]), Some(1.0), "{kind}");
            assert_eq!(sample(&text, "tixbridge_runs_total", &[("kind", kind)]), Some(1.0), "{kind}: one run");
            for stage in ["selected", "sent", "accepted", "rejected", "skipped"] {
                let recorded = sample(&text, "tixbridge_run_tickets_total", &[("kind", kind), ("stage", stage)]);
                assert_eq!(recorded, Some(count(summary, stage)), "{kind} {stage}");
            }
        }

        // reconcile: what the check compared and found, by class
        let figures = &report["counts"];
        assert_eq!(
            sample(&text, "tixbridge_reconcile_tickets_checked_total", &[]),
            Some(figures["ticketsChecked"].as_u64().unwrap() as f64)
        );
        assert!(figures["ticketsChecked"].as_u64().unwrap() >= DEMO_TICKETS as u64, "{report}");
        for (class, n) in figures["differences"].as_object().unwrap() {
            let recorded = sample(&text, "tixbridge_reconcile_differences_total", &[("class", class)]);
            assert_eq!(recorded, Some(n.as_u64().unwrap() as f64), "{class}");
        }

        // the interface's wallet calls, timed on its side, are the wallet's requests on the other
        let injects = sample(&text, "tixbridge_wallet_call_duration_seconds_count", &[("call", "inject")]);
        let served = sample(
            &text,
            "tixbridge_http_request_duration_seconds_count",
            &[("method", "POST"), ("route", "/api/organizer/tickets")],
        );
        assert_eq!(injects, served);
        assert!(injects.unwrap() >= (DEMO_TICKETS / 500) as f64, "a call per page of 500 at least");
        assert!(sample(&text, "tixbridge_wallet_call_duration_seconds_count", &[("call", "diff")]).unwrap() >= 1.0);

        // requests by route template and status, never by raw path
        let runs_route = [("method", "POST"), ("route", "/api/boxoffice/functions/{id}/runs"), ("status", "200")];
        assert_eq!(sample(&text, "tixbridge_http_request_duration_seconds_count", &runs_route), Some(3.0));
        assert!(!text.contains(&format!("/functions/{injection}/runs")), "a raw path became a label");

        // feedback caught up: the wallet's feed is not ahead of the function's key
        let lag = sample(&text, "tixbridge_feedback_lag", &[("function", &feedback.to_string())]);
        assert_eq!(lag, Some(0.0));

        // SQLite's writes queued for its one writer; PostgreSQL has no such queue
        let waits = sample(&text, "tixbridge_sqlite_writer_wait_seconds_count", &[]).unwrap();
        match app.app.db.backend() {
            Backend::Sqlite => assert!(waits >= 3.0, "every page's commit waited its turn: {waits}"),
            Backend::Postgres => assert_eq!(waits, 0.0),
        }
    }

    async fn gate_scans_are_counted_by_the_wallets_result(app: TestApp) {
        let club = app.seed_match("FCA", 0).await;
        app.configure_interface(&club, None, json!({})).await;
        inject(&app, &club.wallet_key, &["T1"], "EV1", "ada@fca.example.org").await;
        set_event(&app, &club.wallet_key, "EV1", activation_due()).await;
        let ada = sign_in(&app, "ada@fca.example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let code = ada.code(&app, id).await;
        let gate = app.token("FCA", "gate", Some(vec!["EV1".into()])).await;
        for expected in ["ACCEPTED", "REPLAYED", "REPLAYED"] {
            let (status, answer) = app.post_json("/api/gate/scan", &gate, &json!({ "code": code })).await;
            assert_eq!((status, answer["result"].as_str()), (StatusCode::OK, Some(expected)), "{answer}");
        }
        let text = scrape(&app).await;
        assert_eq!(sample(&text, "tixbridge_gate_scans_total", &[("result", "ACCEPTED")]), Some(1.0));
        assert_eq!(sample(&text, "tixbridge_gate_scans_total", &[("result", "REPLAYED")]), Some(2.0));
        assert_eq!(sample(&text, "tixbridge_gate_scans_total", &[]), Some(3.0));
    }

    async fn healthz_answers_and_readyz_follows_the_database_and_its_migrations(app: TestApp) {
        let (status, health) = crate::common::read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
        assert_eq!((status, health), (StatusCode::OK, json!({ "status": "up" })));
        let ready = |app: &TestApp| {
            let request = app.client.get(app.url("/readyz"));
            async move { crate::common::read(request.send().await.unwrap()).await }
        };
        let (status, body) = ready(&app).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "status": "ready", "database": "reachable", "pendingMigrations": 0 }));

        // the last migration undone behind the process's back: not this binary's schema
        let mut writer = app.app.db.writer().await.unwrap();
        sql("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&mut writer)
            .await
            .unwrap();
        drop(writer);
        let (status, body) = ready(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, json!({ "status": "not ready", "database": "reachable", "pendingMigrations": 1 }));

        app.app.db.close().await;
        let (status, body) = ready(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, json!({ "status": "not ready", "database": "unreachable", "pendingMigrations": 0 }));
        let (status, _) = crate::common::read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "the process is up all the same");
    }

    async fn every_answer_carries_a_request_id_kept_from_a_sane_caller(app: TestApp) {
        let id_of = |response: &reqwest::Response| response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let first = app.client.get(app.url("/healthz")).send().await.unwrap();
        let second = app.client.get(app.url("/healthz")).send().await.unwrap();
        let (a, b) = (id_of(&first), id_of(&second));
        assert!(uuid_shaped(&a) && uuid_shaped(&b) && a != b, "{a} {b}");

        let kept = app.client.get(app.url("/healthz")).header("x-request-id", "lb-7f3a.2:x_1").send().await.unwrap();
        assert_eq!(id_of(&kept), "lb-7f3a.2:x_1");
        for insane in ["has space", "<script>", &"a".repeat(65)] {
            let replaced = app.client.get(app.url("/healthz")).header("x-request-id", insane).send().await.unwrap();
            assert!(uuid_shaped(&id_of(&replaced)), "{insane:?} was not replaced");
        }
        // refusals and unknown paths carry one too
        let refused = app.client.get(app.url("/api/boxoffice/organizations/ANY")).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(uuid_shaped(&id_of(&refused)));
        let missing = app.client.get(app.url("/nowhere")).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(uuid_shaped(&id_of(&missing)));
        let text = scrape(&app).await;
        let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
        assert_eq!(sample(&text, "tixbridge_http_request_duration_seconds_count", &unmatched), Some(1.0));
    }
}

fn uuid_shaped(id: &str) -> bool {
    id.len() == 36
        && id.bytes().filter(|b| *b == b'-').count() == 4
        && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// A `tixbridge serve` child process on a fresh SQLite file, its standard error piped.
struct Served {
    child: tokio::process::Child,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
    seen: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Served {
    async fn start(env: &[(&str, &str)]) -> Served {
        use tokio::io::AsyncBufReadExt;
        let dir = tempfile::tempdir().unwrap();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--server-key-file"])
            .arg(dir.path().join("server.key"))
            .arg("--database")
            .arg(format!("sqlite://{}/served.db", dir.path().display()))
            .env_remove("TIXBRIDGE_LOG_FORMAT")
            .env_remove("TIXBRIDGE_SERVER_KEY")
            .env_remove("NO_COLOR")
            .env("TIXBRIDGE_LOG", "info")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().unwrap();
        let lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        Served { child, lines, seen: Vec::new(), _dir: dir }
    }

    /// The next line of standard error that `wanted` accepts, within ten seconds.
    async fn line_where(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let found = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                self.seen.push(line.clone());
                if wanted(&line) {
                    return line;
                }
            }
            panic!("standard error ended: {:#?}", self.seen);
        })
        .await;
        found.unwrap_or_else(|_| panic!("no such line within 10 s: {:#?}", self.seen))
    }

    async fn stop(mut self) -> Vec<String> {
        self.child.kill().await.unwrap();
        while let Ok(Some(line)) = self.lines.next_line().await {
            self.seen.push(line);
        }
        self.seen
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_and_log_each_request_once_with_its_id() {
    let mut served = Served::start(&[("TIXBRIDGE_LOG_FORMAT", "json")]).await;
    let started = served.line_where(|line| line.contains("Ctrl-C stops")).await;
    let started: Value = serde_json::from_str(&started).unwrap();
    let addr = started["addr"].as_str().unwrap_or_else(|| panic!("no addr in {started}")).to_owned();
    let client = reqwest::Client::new();
    let answer =
        client.get(format!("http://{addr}/healthz")).header("x-request-id", "json-log-1").send().await.unwrap();
    assert_eq!(answer.headers()["x-request-id"], "json-log-1");
    let line = served.line_where(|line| line.contains("json-log-1")).await;
    let logged: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (&logged["method"], &logged["route"], &logged["status"], &logged["request.id"]),
        (&json!("GET"), &json!("/healthz"), &json!(200), &json!("json-log-1")),
        "{logged}"
    );
    assert!(logged["duration_ms"].as_f64().is_some(), "{logged}");
    assert_eq!(logged["level"], "INFO");
    let all = served.stop().await;
    for line in &all {
        let parsed: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(parsed.is_object(), "{line}");
    }
    assert_eq!(all.iter().filter(|line| line.contains("json-log-1")).count(), 1, "logged once: {all:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_logs_to_a_pipe_carry_no_colour_codes() {
    let mut served = Served::start(&[]).await;
    let started = served.line_where(|line| line.contains("Ctrl-C stops")).await;
    let addr = started.split("addr=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    let line = served.line_where(|line| line.contains("route=/readyz")).await;
    assert!(line.contains("status=200") && line.contains("method=GET") && line.contains("request.id="), "{line}");
    let all = served.stop().await;
    assert!(all.iter().all(|line| !line.contains('\u{1b}')), "an escape code reached a pipe: {all:#?}");
}

#[test]
fn an_unknown_log_format_is_refused_naming_the_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(["migrate", "--database", "sqlite:///nonexistent/never.db"])
        .env("TIXBRIDGE_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TIXBRIDGE_LOG_FORMAT") && stderr.contains("text or json"), "{stderr}");
}

on_both_databases! {
    async fn interface_run_off_a_terminal_prints_plain_progress_lines_and_its_result(app: TestApp) {
        use base64::Engine;
        let seeded = app.seed_match("PRG", 30).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("PRG", "INJECTION", injection_settings()).await;
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tixbridge"))
            .args(["interface", "run", "--database", &app.database_url, &injection.to_string()])
            .env("TIXBRIDGE_SERVER_KEY", base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .env("TIXBRIDGE_PROGRESS_EVERY_SECS", "0")
            .env("TIXBRIDGE_MAIL_FOLDER", app.dir.path().join("child-mail"))
            .env_remove("TIXBRIDGE_LOG_FORMAT")
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["counts"]["accepted"], 30, "{summary}");
        let run = summary["runId"].as_i64().unwrap();
        let progress: Vec<&str> = stderr.lines().filter(|l| l.starts_with(&format!("interface run {run}: "))).collect();
        assert_eq!(progress.last(), Some(&format!("interface run {run}: 30/30 tickets (100%): OK").as_str()), "{stderr}");
        assert!(!stderr.contains('\r') && !stderr.contains('\u{1b}'), "a bar's control codes reached a pipe: {stderr:?}");
    }
}

on_both_databases! {
    async fn the_wallets_diff_answer_carries_its_latest_feed_position(app: TestApp) {
        let key = app.organizer("feed@position.example.org").await;
        inject(&app, &key, &["F1", "F2", "F3"], "EVF", "ada@position.example.org").await;
        let page = |cursor: String| {
            let request = app
                .client
                .get(app.url("/api/organizer/tickets/diff"))
                .header("X-Api-Key", &key)
                .query(&[("paginationKey", cursor.as_str()), ("limit", "1")]);
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let position: i64 = response.headers()["x-feed-position"].to_str().unwrap().parse().unwrap();
                let body: Value = response.json().await.unwrap();
                (position, body["nextPaginationKey"].as_str().unwrap().to_owned(), body["tickets"].as_array().unwrap().len())
            }
        };
        let (position, mut cursor, n) = page(String::new()).await;
        assert_eq!(n, 1);
        assert!(cursor.parse::<i64>().unwrap() < position, "one page of three is behind the feed");
        loop {
            let (again, next, n) = page(cursor.clone()).await;
            assert_eq!(again, position, "nothing changed meanwhile");
            if n == 0 {
                break;
            }
            cursor = next;
        }
        assert_eq!(cursor.parse::<i64>().unwrap(), position, "read to the end, the reader is at the feed's position");
    }
}
