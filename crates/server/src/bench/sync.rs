//! Throughput scenarios: one injection run of N tickets, and the wallet's organizer API alone.

use std::time::Instant;

use serde_json::json;
use tixbridge_boxoffice::wallet_side::tallies::tickets_in_status;
use tixbridge_domain::TicketStatus;

use super::Report;
use super::harness::Harness;

pub async fn inject(database: &str, tickets: usize) -> anyhow::Result<Report> {
    let harness = Harness::start(database).await?;
    harness.seed_tickets(tickets).await?;
    let function =
        harness.function("INJECTION", "MANUAL", json!({ "batchSize": tickets, "pointOfSale": "WEB;POS1" })).await?;
    eprintln!("bench: injecting {tickets} tickets …");
    let started = Instant::now();
    let summary = harness.run(function).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let printed = tickets_in_status(&mut harness.db().reader().await?, TicketStatus::Printed).await?;
    let injected = harness.count("SELECT COUNT(*) FROM wallet_tickets WHERE status = 'INJECTED'").await?;
    let n = tickets as i64;
    let checks = vec![
        format!("run result {:?}, accepted {}", summary.result, summary.counts.accepted),
        format!("{printed} of {n} tickets PRINTED in the box office"),
        format!("{injected} of {n} tickets INJECTED in the wallet"),
    ];
    Ok(Report {
        scenario: "inject",
        backend: harness.backend.clone(),
        wall_s,
        items: tickets as u64,
        latencies_ms: Vec::new(),
        checks_passed: printed == n && injected == n && summary.counts.accepted == tickets as u64,
        checks,
        extra: vec![("phases", serde_json::to_value(&summary.phases)?)],
    })
}

/// The wallet alone: N tickets through `POST /api/organizer/tickets`, 1,000 per call.
pub async fn wallet_api(database: &str, tickets: usize) -> anyhow::Result<Report> {
    let harness = Harness::start(database).await?;
    let client = reqwest::Client::new();
    let url = harness.app.url("/api/organizer/tickets");
    eprintln!("bench: posting {tickets} tickets to the wallet …");
    let started = Instant::now();
    let mut accepted = 0_u64;
    for start in (0..tickets).step_by(1_000) {
        let batch: Vec<_> = (start..(start + 1_000).min(tickets))
            .map(|i| {
                tixbridge_domain::inject::example_ticket(
                    &format!("API{i:08}"),
                    &format!("EV{}", i % 10),
                    &format!("fan{}@bench.example.org", i / 10),
                )
            })
            .collect();
        let answer: serde_json::Value =
            client.post(&url).header("X-Api-Key", &harness.wallet_key).json(&batch).send().await?.json().await?;
        accepted +=
            answer["results"].as_array().map_or(0, |r| r.iter().filter(|t| t["status"] == "ACCEPTED").count()) as u64;
    }
    let wall_s = started.elapsed().as_secs_f64();
    let stored = harness.count("SELECT COUNT(*) FROM wallet_tickets").await?;
    Ok(Report {
        scenario: "api",
        backend: harness.backend.clone(),
        wall_s,
        items: tickets as u64,
        latencies_ms: Vec::new(),
        checks_passed: accepted == tickets as u64 && stored == tickets as i64,
        checks: vec![format!("{accepted} ACCEPTED, {stored} stored")],
        extra: Vec::new(),
    })
}
