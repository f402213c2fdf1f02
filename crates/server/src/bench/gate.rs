//! `tixbridge bench gate`: gate throughput. One spectator holds N activated tickets on one
//! device; C scanners post fresh codes to `POST /api/gate/scan` (which verifies with the wallet
//! over HTTP) as fast as they are answered, loopback only, bounded by N and by a time cap.
//! Every scan must come back `ACCEPTED` and every ticket end `CONTROLLED`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

use super::report::Report;
use crate::app::BoundApp;

/// Never more scans than this, whatever is asked.
pub const MAX_SCANS: usize = 20_000;
/// The scanning phase stops after this long, finished or not.
const TIME_CAP: Duration = Duration::from_secs(120);

/// What a scanner needs to show one ticket's code.
struct Holding {
    secret: Vec<u8>,
    /// The code reference of the ticket on the bench's device.
    reference: String,
    period: i64,
}

pub async fn run(database: &str, scans: usize, concurrency: usize) -> anyhow::Result<Report> {
    let scans = scans.clamp(1, MAX_SCANS);
    let concurrency = concurrency.clamp(1, 256);
    let dir = tempfile::tempdir()?;
    let (database_url, backend) = if database == "sqlite" {
        (format!("sqlite://{}/bench.db", dir.path().display()), "sqlite".to_owned())
    } else if database.starts_with("postgres") {
        (tixbridge_store::testing::fresh_postgres_url(database).await?, "postgres".to_owned())
    } else {
        bail!("--database must be `sqlite` or a postgres:// server URL");
    };
    let server_key = tixbridge_vault::ServerKey::generate();
    let config =
        super::harness::bench_app_config(database_url, dir.path(), server_key.clone(), Duration::from_secs(60), false);
    let app = BoundApp::bind(&config).await?.spawn();
    let organizer = tixbridge_wallet::organizers::create_organizer(&app.db, "Bench", "bench@gate.example.org").await?;
    let http = reqwest::Client::new();
    let key = organizer.api_key.clone();
    let gate_token = gate_credential(&app, &http, &key).await?;
    let post = |path: String, body: Value, bearer: Option<String>| {
        // the spectator API's cross-site guard: any value before sign-in
        let mut request = http.post(app.url(&path)).header("X-CSRF-Token", "bench").json(&body);
        request = match bearer {
            Some(token) => request.bearer_auth(token),
            None => request.header("X-Api-Key", &key),
        };
        async move {
            let response = request.send().await?;
            let status = response.status();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "POST {path} answered {status}: {answer}");
            Ok::<Value, anyhow::Error>(answer)
        }
    };

    eprintln!("bench: injecting and activating {scans} tickets …");
    for chunk in (0..scans).collect::<Vec<_>>().chunks(1_000) {
        let batch: Vec<Value> =
            chunk.iter().map(|i| example_ticket(&format!("{}", 100_000 + i), "GATE", "fan@gate.example.org")).collect();
        post("/api/organizer/tickets".into(), Value::Array(batch), None).await?;
    }
    let settings = http
        .put(app.url("/api/organizer/events/GATE/settings"))
        .header("X-Api-Key", &key)
        .json(&json!({ "activationAt": "2020-01-01T00:00:00Z" }))
        .send()
        .await?;
    anyhow::ensure!(settings.status().is_success(), "activating the event answered {}", settings.status());
    let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.db, &server_key, "fan@gate.example.org")
        .await?
        .context("the bench spectator exists")?;
    let session = post("/api/spectator/session".into(), json!({ "token": issued.link_token }), None).await?;
    let token = session["sessionToken"].as_str().context("a session token")?.to_owned();
    let mut tickets = Vec::with_capacity(scans);
    // the list is paged (at most 1,000 a page): follow each page's `next` link to the last
    let mut next = Some(app.url("/api/spectator/tickets?limit=1000"));
    while let Some(url) = next.take() {
        let list: Value = http.get(&url).bearer_auth(&token).send().await?.json().await?;
        tickets
            .extend(list["results"].as_array().with_context(|| format!("a ticket list, not {list}"))?.iter().cloned());
        next = list["next"].as_str().map(str::to_owned);
    }
    anyhow::ensure!(tickets.len() == scans, "the spectator holds {} tickets, not {scans}", tickets.len());
    let mut holdings = Vec::with_capacity(scans);
    for ticket in &tickets {
        let id = ticket["id"].as_i64().context("a ticket id")?;
        let fetched: Value =
            http.get(app.url(&format!("/api/spectator/tickets/{id}"))).bearer_auth(&token).send().await?.json().await?;
        let entry = &fetched["entry"];
        let secret =
            base64::engine::general_purpose::STANDARD.decode(entry["deviceSecret"].as_str().context("a secret")?)?;
        let reference = entry["codeReference"].as_str().context("a code reference")?.to_owned();
        holdings.push(Holding { secret, reference, period: entry["periodSeconds"].as_i64().unwrap_or(15) });
    }

    eprintln!("bench: {scans} gate scans with {concurrency} scanners …");
    let holdings = Arc::new(holdings);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut scanners = Vec::new();
    for _ in 0..concurrency {
        let (holdings, next, http, gate_token) = (holdings.clone(), next.clone(), http.clone(), gate_token.clone());
        let url = app.url("/api/gate/scan");
        scanners.push(tokio::spawn(async move {
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= holdings.len() || started.elapsed() > TIME_CAP {
                    return Ok::<_, anyhow::Error>(results);
                }
                let h = &holdings[i];
                let now = chrono::Utc::now().timestamp_millis();
                let code = tixbridge_wallet::entry::rotating_code(&h.secret, &h.reference, h.period, now);
                let sent = Instant::now();
                let answer: Value = http
                    .post(&url)
                    .bearer_auth(&gate_token)
                    .json(&json!({ "code": code }))
                    .send()
                    .await?
                    .json()
                    .await?;
                results.push((sent.elapsed().as_secs_f64() * 1000.0, answer["result"] == "ACCEPTED"));
            }
        }));
    }
    let mut latencies_ms = Vec::with_capacity(scans);
    let mut accepted = 0;
    for scanner in scanners {
        for (ms, ok) in scanner.await?? {
            latencies_ms.push(ms);
            accepted += usize::from(ok);
        }
    }
    let wall_s = started.elapsed().as_secs_f64();
    let controlled: i64 = tixbridge_store::sql("SELECT COUNT(*) FROM wallet_tickets WHERE status = 'CONTROLLED'")
        .scalar(&mut app.db.reader().await?)
        .await?;
    app.shutdown().await?;
    let done = latencies_ms.len();
    Ok(Report {
        scenario: "gate",
        backend,
        wall_s,
        items: done as u64,
        checks_passed: done == scans && accepted == scans && controlled == scans as i64,
        checks: vec![format!("{accepted} of {scans} scans ACCEPTED, {controlled} tickets CONTROLLED in the wallet")],
        latencies_ms,
        extra: vec![("concurrency", json!(concurrency))],
    })
}

/// A box-office organization whose interface points at this wallet with the organizer's key
/// (the gate verifies codes with those credentials), and a gate token bound to event `GATE`.
async fn gate_credential(app: &crate::app::RunningApp, http: &reqwest::Client, key: &str) -> anyhow::Result<String> {
    let admin = super::harness::bench_organization(&app.db, "GATEFC").await?;
    let interface = json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
                            "login": "bench@gate.example.org", "password": key });
    let response = http
        .post(app.url("/api/boxoffice/organizations/GATEFC/interface"))
        .bearer_auth(&admin)
        .json(&interface)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "configuring the interface answered {}", response.status());
    let org = tixbridge_boxoffice::organizations::find(&app.db, "GATEFC").await?;
    let gate = tixbridge_boxoffice::access::tokens::NewToken {
        name: "bench gate".into(),
        role: "gate".into(),
        expires_at: None,
        events: Some(vec!["GATE".into()]),
    };
    Ok(tixbridge_boxoffice::access::tokens::create(&app.db, org.id, &gate, "bench").await?.token)
}
