//! Writing one feed page onto the box office, in one transaction with the new cursor: the
//! wallet's view of each ticket, and the controls only the wallet heard of.

use serde_json::Value;
use tixbridge_boxoffice::wallet_side::controls::control_reported;
use tixbridge_boxoffice::wallet_side::feedback::{
    MobileEntry, WalletState, apply_wallet_states, record_wallet_ticket_ids,
};
use tixbridge_domain::{OrganizationId, TicketId, WalletStatus};
use tixbridge_store::sql;

use super::FeedTicket;
use super::contacts::ownership_change;
use super::matching::match_tickets;
use crate::runs::{Failure, RunCtx, now_ms};

/// What became of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageOutcome {
    /// Every entry was applied, passed by or logged as failed; the new key is stored.
    Done,
    /// An entry failed while failures must hold the cursor: the entries before it were
    /// applied, the key was not moved, and the next run reads this page again.
    HeldAt,
}

/// Applies `page`; `next_key`, when given, is stored with it. An entry that names no ticket
/// of this box office is passed by with a warning line (it reached the wallet outside the
/// interface). An entry that cannot be applied — its status is not a wallet status — is a
/// sync failure: with `stop_at_failure` it ends the page there and the key stays where it
/// was.
/// Failures count towards `killRatio` as they happen: the one that passes it ends the page
/// the same way, and the run stops.
pub(super) async fn apply_page(
    ctx: &mut RunCtx<'_>,
    page: &[FeedTicket],
    skip_tax_numbers: &[String],
    next_key: Option<&str>,
    stop_at_failure: bool,
) -> Result<PageOutcome, Failure> {
    let mut examined = 0_u64;
    let organization = OrganizationId::new(ctx.interface.organization_id);
    let distribute = ctx.interface.params.enable_ticket_distribution_to_cultural_contact;
    let function_id = ctx.function.id;
    let now = now_ms();
    let mut notes: Vec<(String, String)> = Vec::new();
    let (mut skipped, mut failed) = (0_u64, 0_u64);
    let mut held = false;
    let mut killed = None;
    let mut tx = ctx.db.begin_write().await?;
    let matched = match_tickets(&mut tx, organization, page).await?;
    let mut states = Vec::with_capacity(page.len());
    let mut reported_controlled = Vec::new();
    let mut wallet_ids = Vec::new();
    for (feed, found) in page.iter().zip(matched) {
        examined += 1;
        let Ok(status) = feed.status.parse::<WalletStatus>() else {
            failed += 1;
            let what = format!("{:?} is not a wallet status", feed.status);
            if stop_at_failure {
                notes.push((feed.ticket_id.clone(), format!("{what}: the cursor stays before it")));
                held = true;
                break;
            }
            // too many failures stop the run here: what came before is written, the cursor
            // stays before the page, and the entries after this one are left for the next run
            if let Err(kill) = ctx.check_kill_ratio_with(states.len() as u64, failed) {
                notes.push((feed.ticket_id.clone(), format!("{what}: the run stops here")));
                killed = Some(kill);
                held = true;
                break;
            }
            notes.push((feed.ticket_id.clone(), format!("{what}: not written")));
            continue;
        };
        let Some(found) = found else {
            skipped += 1;
            notes.push((
                feed.ticket_id.clone(),
                "not a ticket of this box office (it reached the wallet outside the interface, and its \
                 barcode is not one the away export gave): skipped"
                    .into(),
            ));
            continue;
        };
        if found.tax_number.as_ref().is_some_and(|t| skip_tax_numbers.contains(t)) {
            skipped += 1;
            continue;
        }
        if status == WalletStatus::Controlled {
            reported_controlled.push(found.id);
        }
        if feed.ticket_id != found.id.to_string() {
            // an away ticket the club's file named its own way: the pushes address it so
            wallet_ids.push((TicketId::new(found.id), feed.ticket_id.clone()));
        }
        states.push(wallet_state(found.id, found.organization_id, feed, distribute));
    }
    apply_wallet_states(&mut tx, &states, distribute, now).await?;
    record_wallet_ticket_ids(&mut tx, &wallet_ids).await?;
    let controls = control_reported(&mut tx, &reported_controlled, now).await?;
    for (id, status) in &controls.refused {
        notes.push((
            id.to_string(),
            format!("the wallet reports it CONTROLLED (let in at a gate), but it is {status} here: left {status}"),
        ));
    }
    if let Some(key) = next_key.filter(|_| !held) {
        sql("UPDATE itf_functions SET pagination_key = $1 WHERE id = $2")
            .bind(key)
            .bind(function_id)
            .execute(&mut tx)
            .await?;
    }
    let applied = states.len() as u64;
    // a held page counts only the tickets up to the failing one: the rest were not looked at
    let mut counts = ctx.run.counts.clone();
    counts.selected += examined;
    counts.accepted += applied;
    counts.written += applied;
    counts.skipped += skipped;
    counts.rejected += failed;
    ctx.commit_page(tx, counts).await?;
    if !controls.controlled.is_empty() {
        ctx.db.changes().signal();
    }
    for (ticket, message) in notes {
        ctx.run.note(Some(&ticket), message);
    }
    if let Some(kill) = killed {
        return Err(kill);
    }
    Ok(if held { PageOutcome::HeldAt } else { PageOutcome::Done })
}

/// What the box office writes for `feed`, ticket `id` of `organization_id`; with
/// `distribute`, each history entry carries the ownership change it reports.
fn wallet_state(id: i64, organization_id: i64, feed: &FeedTicket, distribute: bool) -> WalletState<'_> {
    let text = |entry: &Value, field: &str| entry[field].as_str().unwrap_or_default().to_owned();
    WalletState {
        ticket_id: TicketId::new(id),
        organization_id: OrganizationId::new(organization_id),
        mobile_status: feed.status.as_str(),
        owner_email: feed.owner.as_ref().and_then(|o| o["email"].as_str()).map(str::to_lowercase),
        holder: feed.holder.as_ref().filter(|h| !h.is_null()).map(Value::to_string),
        forward_transfers: feed.forward_transfers,
        backward_transfers: feed.backward_transfers,
        history: feed
            .history
            .iter()
            .map(|entry| MobileEntry {
                at: text(entry, "at"),
                status: text(entry, "status"),
                action: text(entry, "action"),
                detail: entry["detail"].to_string(),
                ownership: if distribute { ownership_change(entry, feed) } else { None },
            })
            .collect(),
    }
}
