//! Writing one feed page onto the box office, in one transaction with the new cursor.

use serde_json::Value;
use tixbridge_boxoffice::wallet_side::feedback::{MobileEntry, WalletState, apply_wallet_states, known_tickets};
use tixbridge_domain::{OrganizationId, TicketId};
use tixbridge_store::sql;

use super::FeedTicket;
use super::contacts::ownership_change;
use crate::runs::{Failure, RunCtx, now_ms};

/// What became of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageOutcome {
    /// Every ticket was applied, skipped or logged as failed; the new key is stored.
    Done,
    /// A ticket failed while failures must hold the cursor: the tickets before it were
    /// applied, the key was not moved, and the next run reads this page again.
    HeldAt,
}

/// Applies `page`; `next_key`, when given, is stored with it. With `stop_at_failure` the
/// first ticket that cannot be applied ends the page there and the key stays where it was.
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
    let ids: Vec<i64> = page.iter().filter_map(|t| t.ticket_id.parse().ok()).collect();
    let mut notes: Vec<(String, String)> = Vec::new();
    let (mut skipped, mut failed) = (0_u64, 0_u64);
    let mut held = false;
    let mut tx = ctx.db.begin_write().await?;
    let known = known_tickets(&mut tx, organization, &ids).await?;
    let mut states = Vec::with_capacity(page.len());
    for feed in page {
        examined += 1;
        let Some(found) = feed.ticket_id.parse::<i64>().ok().and_then(|id| known.get(&id)) else {
            failed += 1;
            if stop_at_failure {
                notes.push((
                    feed.ticket_id.clone(),
                    "not a ticket of this box office: the cursor stays before it".into(),
                ));
                held = true;
                break;
            }
            notes.push((feed.ticket_id.clone(), "not a ticket of this box office: skipped".into()));
            continue;
        };
        if found.tax_number.as_ref().is_some_and(|t| skip_tax_numbers.contains(t)) {
            skipped += 1;
            continue;
        }
        states.push(wallet_state(found.id, found.organization_id, feed, distribute));
    }
    apply_wallet_states(&mut tx, &states, distribute, now).await?;
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
    for (ticket, message) in notes {
        ctx.run.note(Some(&ticket), message);
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
