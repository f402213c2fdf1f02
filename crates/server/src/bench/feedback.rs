//! Feedback of N wallet-side changes: organizer controls (`--kind control`), spectator changes
//! made through the spectator API (`spectator`: downloads, holders, transfer offers), or half
//! of each (`mixed`); checked — every change reached the box office — before it reports.

use std::time::Instant;

use serde_json::json;
use tixbridge_boxoffice::wallet_side::tallies::{mobile_history_entries, tickets_in_mobile_status};

use super::Report;
use super::harness::Harness;
use super::spectators::{self, STEPS};

/// Which wallet changes the feedback brings back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangeKind {
    Control,
    Spectator,
    Mixed,
}

pub async fn run(database: &str, changes: usize, kind: ChangeKind) -> anyhow::Result<Report> {
    let controls = match kind {
        ChangeKind::Control => changes,
        ChangeKind::Spectator => 0,
        ChangeKind::Mixed => changes / 2,
    };
    let by_spectators = changes - controls;
    let tickets = controls + by_spectators.div_ceil(STEPS.len());
    let harness = Harness::start(database).await?;
    harness.seed_tickets(tickets).await?;
    let injection =
        harness.function("INJECTION", "MANUAL", json!({ "batchSize": tickets, "pointOfSale": "WEB;POS1" })).await?;
    harness.run(injection).await?;
    let feedback = harness.function("FEEDBACK", "MANUAL", json!({ "batchSize": 10_000 })).await?;
    // catch up with the injections themselves, so only the changes below are measured
    harness.run(feedback).await?;
    eprintln!("bench: making {changes} wallet-side changes ({controls} controls, {by_spectators} by spectators) …");
    let ids: Vec<i64> = (1..=tickets as i64).collect();
    control(&harness, &ids[..controls]).await?;
    let ended = spectators::make_changes(&harness, &ids[controls..], by_spectators).await?;
    eprintln!("bench: feedback …");
    super::report::reset_peak_rss();
    let resident_before = super::report::phase_peak_rss_mib();
    let started = Instant::now();
    let summary = harness.run(feedback).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let run_peak = super::report::phase_peak_rss_mib();

    let mut conn = harness.db().reader().await?;
    let mut checks = vec![format!("run result {:?}, applied {}", summary.result, summary.counts.accepted)];
    let mut passed = true;
    let mirrored = tickets_in_mobile_status(&mut conn, "CONTROLLED").await?;
    checks.push(format!("{mirrored} of {controls} controlled tickets show the wallet's CONTROLLED"));
    passed &= mirrored == controls as i64;
    // a ticket given n spectator changes shows the n-th status; every change is in its history
    for (step, status) in STEPS.iter().enumerate() {
        let showing = tickets_in_mobile_status(&mut conn, status).await?;
        checks.push(format!("{showing} of {} spectator tickets show {status}", ended[step]));
        passed &= showing == ended[step] as i64;
        let reached: usize = ended[step..].iter().sum();
        let entries = mobile_history_entries(&mut conn, status).await?;
        checks.push(format!("{entries} of {reached} {status} changes in the box office's mobile histories"));
        passed &= entries == reached as i64;
    }
    Ok(Report {
        scenario: "feedback",
        backend: harness.backend.clone(),
        wall_s,
        items: changes as u64,
        latencies_ms: Vec::new(),
        checks_passed: passed,
        checks,
        extra: vec![
            ("kind", json!(format!("{kind:?}").to_lowercase())),
            // resident when the feedback run started, and its peak (peak_rss_mib is the whole
            // process's, setup included)
            ("resident_before_run_mib", json!((resident_before * 10.0).round() / 10.0)),
            ("run_peak_rss_mib", json!((run_peak * 10.0).round() / 10.0)),
        ],
    })
}

/// Organizer controls of the wallet tickets with these ids, 10,000 per call.
async fn control(harness: &Harness, ids: &[i64]) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for chunk in ids.chunks(10_000) {
        let body: Vec<_> = chunk.iter().map(|id| json!({ "ticketId": id.to_string() })).collect();
        let response = client
            .post(harness.app.url("/api/organizer/tickets/control"))
            .header("X-Api-Key", &harness.wallet_key)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "wallet control answered {}", response.status());
    }
    Ok(())
}
