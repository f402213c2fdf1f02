//! After the load: waits (bounded) until both parts agree, checks that every change arrived —
//! every sale injected, every cancellation `DELETED`, every scan `CONTROLLED` in the wallet,
//! and the box office's mirror showing each wallet ticket's status and owner — then reads
//! each change's delay from the records both parts keep (the wallet's status log `at`, the
//! box office's `wallet_synced_at`).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tixbridge_store::sql;

use super::load::Sent;
use super::setup::Target;
use super::spectators::Done;
use crate::bench::report::latency_summary;

/// How long the parts may take to agree once the load stops.
const SETTLE: Duration = Duration::from_secs(180);

/// What arrived where, counted in one pass.
#[derive(Debug, Default, PartialEq)]
pub struct Tally {
    pub wallet_tickets: i64,
    pub deleted: i64,
    pub controlled: i64,
    /// Wallet tickets whose box-office mirror shows another status or owner.
    pub mirror_behind: i64,
}

/// The box office's mirror of this load's tickets: id (the wallet's `ticketId`) → (mobile
/// status, wallet owner, when feedback last wrote it). Compared in memory: the two parts' keys
/// differ in type, and a join on a cast would read every pair on SQLite.
type Mirror = HashMap<String, (Option<String>, Option<String>, Option<i64>)>;
/// A box-office ticket as [`Mirror`] reads it, id first.
type MirrorRow = (i64, Option<String>, Option<String>, Option<i64>);

async fn mirror(target: &Target) -> anyhow::Result<Mirror> {
    let rows: Vec<MirrorRow> =
        sql("SELECT b.id, b.mobile_status, b.wallet_owner_email, b.wallet_synced_at FROM bo_tickets b
         JOIN bo_organizations o ON o.id = b.organization_id WHERE o.code = $1")
        .bind(target.org.as_str())
        .fetch_all(&mut target.db.reader().await?)
        .await?;
    Ok(rows.into_iter().map(|(id, status, owner, synced)| (id.to_string(), (status, owner, synced))).collect())
}

pub async fn tally(target: &Target) -> anyhow::Result<Tally> {
    let wallet: Vec<(String, String, String)> =
        sql("SELECT w.ticket_id, w.status, s.email FROM wallet_tickets w JOIN wallet_spectators s ON s.id = w.owner_id
         WHERE w.organizer_id = $1")
        .bind(target.organizer_id)
        .fetch_all(&mut target.db.reader().await?)
        .await?;
    let mirror = mirror(target).await?;
    let count = |status: &str| wallet.iter().filter(|(_, s, _)| s == status).count() as i64;
    let mirror_behind = wallet
        .iter()
        .filter(|(ticket, status, owner)| match mirror.get(ticket) {
            Some((Some(shown), Some(shown_owner), _)) => shown != status || shown_owner != owner,
            _ => true,
        })
        .count() as i64;
    Ok(Tally {
        wallet_tickets: wallet.len() as i64,
        deleted: count("DELETED"),
        controlled: count("CONTROLLED"),
        mirror_behind,
    })
}

/// Polls until `done(tally)` or [`SETTLE`] passed; the last tally and how long it took.
pub async fn settle(target: &Target, done: impl Fn(&Tally) -> bool) -> anyhow::Result<(Tally, f64)> {
    let started = Instant::now();
    loop {
        let now = tally(target).await?;
        if done(&now) || started.elapsed() > SETTLE {
            return Ok((now, started.elapsed().as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Each wallet record `(ticketId, action) → at` for the actions the box office causes.
async fn wallet_times(target: &Target) -> anyhow::Result<HashMap<(String, String), i64>> {
    let rows: Vec<(String, String, i64)> =
        sql("SELECT t.ticket_id, l.action, l.at FROM wallet_ticket_log l JOIN wallet_tickets t ON t.id = l.ticket_pk
         WHERE t.organizer_id = $1 AND l.action IN ('INJECT', 'DELETE', 'CONTROL')")
        .bind(target.organizer_id)
        .fetch_all(&mut target.db.reader().await?)
        .await?;
    Ok(rows.into_iter().map(|(ticket, action, at)| ((ticket, action), at)).collect())
}

/// Delays from each box-office change to the wallet's record of `action`, with the box
/// office's answer times.
fn to_wallet(sent: &[Sent], action: &str, times: &HashMap<(String, String), i64>) -> (Value, Vec<f64>, usize) {
    let mut delays = Vec::new();
    for s in sent {
        if let Some(at) = s.ticket.and_then(|t| times.get(&(t.to_string(), action.to_owned()))) {
            delays.push((*at - s.at_ms) as f64);
        }
    }
    let answers: Vec<f64> = sent.iter().map(|s| s.answer_ms).collect();
    let errors = sent.iter().filter(|s| s.error.is_some()).count();
    let mut summary = latency_summary(&delays);
    summary["sent"] = json!(sent.len());
    summary["refused"] = json!(errors);
    summary["arrived"] = json!(delays.len());
    summary["answer"] = latency_summary(&answers);
    (summary, delays, errors)
}

/// Delays from each spectator's last change (the wallet's log) to the box office having it
/// (`wallet_synced_at`), for the tickets the phones changed.
async fn to_box_office(target: &Target, touched: &HashSet<String>) -> anyhow::Result<Vec<f64>> {
    let last: Vec<(String, i64)> =
        sql("SELECT t.ticket_id, MAX(l.at) FROM wallet_ticket_log l JOIN wallet_tickets t ON t.id = l.ticket_pk
         WHERE t.organizer_id = $1 GROUP BY t.ticket_id")
        .bind(target.organizer_id)
        .fetch_all(&mut target.db.reader().await?)
        .await?;
    let mirror = mirror(target).await?;
    Ok(last
        .into_iter()
        .filter(|(ticket, _)| touched.contains(ticket))
        .filter_map(|(ticket, at)| {
            mirror.get(&ticket).and_then(|(_, _, synced)| *synced).map(|synced| (synced - at) as f64)
        })
        .collect())
}

/// Everything the load did, for the checks and the figures.
pub struct Made<'a> {
    pub preloaded: usize,
    pub sales: &'a [Sent],
    pub cancels: &'a [Sent],
    pub scans: &'a [Sent],
    pub downloads: &'a [Done],
    pub transfers: &'a [Done],
}

/// The checks (each a sentence, and whether all passed) and the figures per function.
pub async fn judge(target: &Target, made: &Made<'_>) -> anyhow::Result<(bool, Vec<String>, Value)> {
    let ok = |sent: &[Sent]| sent.iter().filter(|s| s.error.is_none()).count() as i64;
    let (sold, cancelled, scanned) = (ok(made.sales), ok(made.cancels), ok(made.scans));
    let expected_tickets = made.preloaded as i64 + sold;
    let (tally, settle_s) = settle(target, |t| {
        t.wallet_tickets >= expected_tickets
            && t.deleted >= cancelled
            && t.controlled >= scanned
            && t.mirror_behind == 0
    })
    .await?;
    let times = wallet_times(target).await?;
    let (sales, _, sale_errors) = to_wallet(made.sales, "INJECT", &times);
    let (cancels, _, cancel_errors) = to_wallet(made.cancels, "DELETE", &times);
    let (scans, _, scan_errors) = to_wallet(made.scans, "CONTROL", &times);
    let touched: HashSet<String> =
        made.downloads.iter().chain(made.transfers).flat_map(|d| d.tickets.iter().cloned()).collect();
    let feedback_delays = to_box_office(target, &touched).await?;
    let flows = |done: &[Done]| {
        let times: Vec<f64> = done.iter().filter(|d| !d.skipped).map(|d| d.flow_ms).collect();
        let mut summary = latency_summary(&times);
        summary["done"] = json!(done.iter().filter(|d| !d.skipped && d.error.is_none()).count());
        summary["failed"] = json!(done.iter().filter(|d| d.error.is_some()).count());
        summary["skipped"] = json!(done.iter().filter(|d| d.skipped).count());
        summary
    };
    let spectator_errors: Vec<&String> =
        made.downloads.iter().chain(made.transfers).filter_map(|d| d.error.as_ref()).collect();
    let first_error = made
        .sales
        .iter()
        .chain(made.cancels)
        .chain(made.scans)
        .filter_map(|s| s.error.as_ref())
        .chain(spectator_errors.iter().copied())
        .next();
    let checks = [
        (sale_errors == 0, format!("{sold} of {} sales answered", made.sales.len())),
        (
            tally.wallet_tickets == expected_tickets,
            format!("{} of {expected_tickets} tickets injected ({} sold during the load)", tally.wallet_tickets, sold),
        ),
        (
            cancel_errors == 0 && tally.deleted == cancelled && cancelled == made.cancels.len() as i64,
            format!("{} of {} cancellations DELETED in the wallet", tally.deleted, made.cancels.len()),
        ),
        (
            scan_errors == 0 && tally.controlled == scanned && scanned == made.scans.len() as i64,
            format!("{} of {} scans CONTROLLED in the wallet", tally.controlled, made.scans.len()),
        ),
        (spectator_errors.is_empty(), format!("{} spectator flows failed", spectator_errors.len())),
        (
            tally.mirror_behind == 0 && feedback_delays.len() == touched.len(),
            format!(
                "{} wallet tickets whose status or owner the box office does not show; {} of {} tickets the phones changed fed back",
                tally.mirror_behind,
                feedback_delays.len(),
                touched.len()
            ),
        ),
    ];
    let passed = checks.iter().all(|(ok, _)| *ok);
    let mut sentences: Vec<String> = checks.into_iter().map(|(_, s)| s).collect();
    sentences.push(format!("both parts agreed {settle_s:.1} s after the load stopped"));
    if let Some(error) = first_error {
        sentences.push(format!("first failure: {error}"));
    }
    let lag = |values: &[&Value]| values.iter().filter_map(|v| v["max_ms"].as_f64()).fold(0.0, f64::max);
    let feedback = latency_summary(&feedback_delays);
    let functions = json!({
        "injection": sales, "push_cancelled": cancels, "push_controlled": scans, "feedback": feedback,
        "downloads": flows(made.downloads), "transfers": flows(made.transfers),
    });
    let figures = json!({
        "functions": functions,
        "lag_to_wallet_max_ms": lag(&[&functions["injection"], &functions["push_cancelled"], &functions["push_controlled"]]),
        "lag_to_box_office_max_ms": lag(&[&functions["feedback"]]),
        "settle_s": (settle_s * 10.0).round() / 10.0,
    });
    Ok((passed, sentences, figures))
}
