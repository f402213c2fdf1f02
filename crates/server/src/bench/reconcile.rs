//! Reconcile (docs/interface.md#reconcile): N injected tickets checked against the wallet
//! once clean, then again after D differences made behind both parts' backs — what it costs
//! (wall time, digest calls, tickets the wallet listed one by one) and that it finds exactly
//! those D.

use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use tixbridge_interface::reconcile::{Report as Found, reconcile};
use tixbridge_interface::runs::ReconcileRequest;
use tixbridge_store::sql;

use super::Report;
use super::harness::{Harness, ORG};

pub async fn run(database: &str, tickets: usize, differences: usize) -> anyhow::Result<Report> {
    anyhow::ensure!(tickets > 0 && differences <= tickets, "--differences must be at most --tickets");
    let harness = Harness::start(database).await?;
    harness.seed_tickets(tickets).await?;
    let injection =
        harness.function("INJECTION", "MANUAL", json!({ "batchSize": tickets, "pointOfSale": "WEB;POS1" })).await?;
    eprintln!("bench: injecting {tickets} tickets …");
    let injected = harness.run(injection).await?;
    anyhow::ensure!(injected.counts.accepted == tickets as u64, "injection: {:?}", injected.counts);

    eprintln!("bench: reconciling {tickets} tickets that agree …");
    let started = Instant::now();
    let clean = check(&harness).await?;
    let clean_s = started.elapsed().as_secs_f64();

    eprintln!("bench: making {differences} differences …");
    let made = disagree(&harness, tickets, differences).await?;
    eprintln!("bench: reconciling again …");
    let started = Instant::now();
    let found = check(&harness).await?;
    let found_s = started.elapsed().as_secs_f64();

    let listed_share = found.counts.tickets_listed as f64 / tickets as f64;
    let found_count = found.counts.differing();
    let checks = vec![
        format!("clean: {} differences, {} digest calls", clean.counts.differing(), clean.counts.digest_calls),
        format!("after {made} differences made: {found_count} found ({:?})", found.counts.differences),
        format!(
            "{} of {tickets} tickets listed one by one ({:.3} %), {} digest calls",
            found.counts.tickets_listed,
            listed_share * 100.0,
            found.counts.digest_calls
        ),
    ];
    Ok(Report {
        scenario: "reconcile",
        backend: harness.backend.clone(),
        wall_s: clean_s,
        items: tickets as u64,
        latencies_ms: Vec::new(),
        checks_passed: clean.counts.differing() == 0 && found_count == made as u64 && listed_share < 0.01,
        checks,
        extra: vec![
            ("clean", json!({ "wall_s": round(clean_s), "counts": clean.counts })),
            ("with_differences", json!({ "wall_s": round(found_s), "made": made, "counts": found.counts })),
        ],
    })
}

fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

async fn check(harness: &Harness) -> anyhow::Result<Found> {
    let request = ReconcileRequest { event: None, repair: false };
    reconcile(&harness.app.engine, ORG, request).await.context("reconcile")
}

/// Makes `count` differences spread over the `tickets` injected (ids 1..=tickets), one cause
/// after another: a ticket lost by the wallet, a cancellation never pushed, a barcode changed
/// after printing, a wallet ticket the box office never sold. Returns how many it made. (The
/// writer connection is taken per statement: on SQLite the box office's cancel needs it too.)
async fn disagree(harness: &Harness, tickets: usize, count: usize) -> anyhow::Result<usize> {
    let step = (tickets / count.max(1)).max(1);
    let wallet = reqwest::Client::new();
    for i in 0..count {
        let id = (1 + i * step) as i64;
        let ticket = id.to_string();
        match i % 4 {
            0 => {
                sql("DELETE FROM wallet_ticket_log WHERE ticket_pk IN (SELECT id FROM wallet_tickets WHERE ticket_id = $1)")
                    .bind(ticket.as_str())
                    .execute(&mut harness.db().writer().await?)
                    .await?;
                sql("DELETE FROM wallet_tickets WHERE ticket_id = $1")
                    .bind(ticket.as_str())
                    .execute(&mut harness.db().writer().await?)
                    .await?;
            }
            1 => {
                harness
                    .post(
                        &format!("/api/boxoffice/organizations/{ORG}/tickets/{id}/cancel"),
                        json!({ "reason": "CANCELLATION" }),
                    )
                    .await?;
            }
            2 => {
                sql("UPDATE bo_tickets SET barcode = $1 WHERE id = $2")
                    .bind(format!("CHANGED-{id}"))
                    .bind(id)
                    .execute(&mut harness.db().writer().await?)
                    .await?;
            }
            _ => {
                let stranger = tixbridge_domain::inject::example_ticket(
                    &format!("NEVER-SOLD-{i}"),
                    "P1",
                    "stranger@bench.example.org",
                );
                let response = wallet
                    .post(harness.app.url("/api/organizer/tickets"))
                    .header("X-Api-Key", &harness.wallet_key)
                    .json(&[stranger])
                    .send()
                    .await?;
                anyhow::ensure!(response.status().is_success(), "wallet injection answered {}", response.status());
            }
        }
    }
    Ok(count)
}
