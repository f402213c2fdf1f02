//! Latency scenarios: gate scans (or cancellations) arrive at the box office at a steady
//! rate while a CONTINUOUS push function runs; each item's delay is measured from the moment
//! it was sent to the box office to the moment the wallet recorded it (its status-log entry).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::json;
use tixbridge_store::sql;

use super::Report;
use super::harness::{Harness, ORG};

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Control,
    Cancel,
}

impl Kind {
    fn function(self) -> &'static str {
        match self {
            Kind::Control => "PUSH_CONTROLLED",
            Kind::Cancel => "PUSH_CANCELLED",
        }
    }

    fn wallet_action(self) -> &'static str {
        match self {
            Kind::Control => "CONTROL",
            Kind::Cancel => "DELETE",
        }
    }
}

pub async fn run(database: &str, kind: Kind, per_minute: u32, minutes: f64) -> anyhow::Result<Report> {
    anyhow::ensure!(per_minute > 0 && minutes > 0.0, "rate and duration must be positive");
    let total = ((f64::from(per_minute) * minutes).round() as usize).max(1);
    let harness = Harness::start(database).await?;
    harness.seed_tickets(total).await?;
    let injection =
        harness.function("INJECTION", "MANUAL", json!({ "batchSize": total, "pointOfSale": "WEB;POS1" })).await?;
    harness.run(injection).await?;
    harness.function(kind.function(), "CONTINUOUS", json!({ "batchSize": 10_000, "shipmentModes": ["MOB"] })).await?;
    let supervisor = tixbridge_interface::continuous::spawn(harness.app.engine.clone());
    let listener = harness.db().listen_for_changes().await?;

    eprintln!("bench: {total} {} at {per_minute}/min …", kind.function());
    let interval = Duration::from_secs_f64(60.0 / f64::from(per_minute));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut sent_at: HashMap<String, i64> = HashMap::with_capacity(total);
    let mut requests = Vec::with_capacity(total);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut progress = crate::progress::Progress::start("bench sending", "changes", Some(total as u64));
    for id in 1..=total as i64 {
        ticker.tick().await;
        progress.set(id as u64, None);
        let (path, body) = match kind {
            Kind::Control => (format!("/api/boxoffice/organizations/{ORG}/tickets/{id}/control"), json!({})),
            Kind::Cancel => {
                (format!("/api/boxoffice/organizations/{ORG}/tickets/{id}/cancel"), json!({ "reason": "CANCELLATION" }))
            }
        };
        sent_at.insert(id.to_string(), chrono::Utc::now().timestamp_millis());
        let request = client.post(harness.app.url(&path)).bearer_auth(&harness.admin_token).json(&body).send();
        // only the status is kept, and the body is read, so the connection goes back to the pool:
        // keeping every answer whole until the end held 1 GiB after 100,000 requests
        requests.push(tokio::spawn(async move {
            let response = request.await?;
            let status = response.status();
            response.bytes().await?;
            Ok::<_, reqwest::Error>(status)
        }));
    }
    progress.finish("sent");
    for request in requests {
        let status = request.await??;
        if !status.is_success() {
            bail!("box office answered {status}");
        }
    }
    let arrived = wait_for_all(&harness, kind, total).await?;
    let wall_s = started.elapsed().as_secs_f64();
    supervisor.abort();
    if let Some(listener) = listener {
        listener.abort();
    }
    let delays: Vec<(i64, f64)> = arrived
        .iter()
        .filter_map(|(ticket, at)| sent_at.get(ticket).map(|sent| (*sent, (*at - *sent) as f64)))
        .collect();
    let latencies_ms: Vec<f64> = delays.iter().map(|(_, delay)| *delay).collect();
    Ok(Report {
        scenario: match kind {
            Kind::Control => "control",
            Kind::Cancel => "cancel",
        },
        backend: harness.backend.clone(),
        wall_s,
        items: total as u64,
        checks_passed: latencies_ms.len() == total,
        checks: vec![format!("{} of {total} reached the wallet", latencies_ms.len())],
        latencies_ms,
        extra: vec![("rate_per_minute", json!(per_minute)), ("p99_ms_by_minute", json!(p99_by_minute(&delays)))],
    })
}

/// The 99th percentile of the delays of the items sent in each minute of the run, given each
/// item's send time (ms) and delay: whether the rate was held to the end, not only on average.
fn p99_by_minute(delays: &[(i64, f64)]) -> Vec<f64> {
    let Some(first) = delays.iter().map(|(sent, _)| *sent).min() else {
        return Vec::new();
    };
    let mut minutes: Vec<Vec<f64>> = Vec::new();
    for (sent, delay) in delays {
        let minute = ((sent - first) / 60_000) as usize;
        if minutes.len() <= minute {
            minutes.resize_with(minute + 1, Vec::new);
        }
        minutes[minute].push(*delay);
    }
    minutes.iter().map(|delays| super::report::latency_summary(delays)["p99_ms"].as_f64().unwrap_or(0.0)).collect()
}

/// Waits (bounded) until the wallet recorded all `total` items; returns when each was.
async fn wait_for_all(harness: &Harness, kind: Kind, total: usize) -> anyhow::Result<Vec<(String, i64)>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let query = "SELECT t.ticket_id, l.at FROM wallet_ticket_log l JOIN wallet_tickets t ON t.id = l.ticket_pk
               WHERE l.action = $1";
    loop {
        let rows: Vec<(String, i64)> =
            sql(query).bind(kind.wallet_action()).fetch_all(&mut harness.db().reader().await?).await?;
        if rows.len() >= total || Instant::now() > deadline {
            return Ok(rows);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
