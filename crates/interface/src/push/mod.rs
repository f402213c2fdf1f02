//! The push functions: cancelled/invalidated tickets become deletions in the wallet, scanned
//! tickets become `CONTROLLED` there (docs/interface.md#functions). Each selects tickets
//! injected before (or exported to the away club) and not yet processed by this function
//! (push cancelled: or processed with another invalidation reason since), one wallet call
//! per `ticketIterationSize` page.

mod file;
mod pages;
pub(crate) mod select;

use std::collections::HashMap;

use serde_json::{Value, json};
use tixbridge_boxoffice::wallet_side::push_selection::PushCandidate;
use tixbridge_store::sql;

use crate::client::TicketAnswer;
use crate::functions::settings::PushSettings;
use crate::params::CustomParameters;
use crate::processed::{Print, Processed, mark_processed};
use crate::runs::{Failure, RunCtx, now_ms};
use pages::PushPages;
use select::Selection;

pub async fn run(ctx: &mut RunCtx<'_>, settings: &PushSettings) -> Result<(), Failure> {
    let db = ctx.db.clone();
    let params = ctx.interface.params.clone();
    let interface_id = ctx.interface.id;
    let injection_ids: Vec<i64> = sql("SELECT id FROM itf_functions WHERE interface_id = $1 AND kind = 'INJECTION'")
        .bind(interface_id)
        .scalars(&mut db.reader().await?)
        .await?;
    // dateFrom, a one-off recovery: applied while pending, "as if the last successful run had
    // been then"; only a full run (not one limited to recent changes) uses it up
    let date_from = settings.date_from_ms().filter(|_| ctx.function.date_from_armed_at.is_some());
    let selection = Selection::new(
        ctx.function.kind,
        settings,
        ctx.interface.organization_id,
        ctx.function.id,
        &injection_ids,
        ctx.options.changed_since,
        date_from,
    );
    if let Some(file) = ctx.options.file.clone() {
        return file::process_answer_file(ctx, &file, &selection).await;
    }
    if date_from.is_some() && ctx.options.changed_since.is_none() {
        ctx.run.date_from_armed_at = ctx.function.date_from_armed_at;
    }
    let cancelled = selection.cancelled;
    let filter = selection.filter();
    let mut pages = PushPages::new(&db, &filter, params.ticket_iteration_size, settings.batch_size).await?;
    while let Some(rows) = pages.next(&db, &filter, &mut ctx.run.counts).await? {
        let items: Vec<Value> = rows
            .iter()
            .map(|row| {
                let ticket_id = wallet_id(row);
                if cancelled {
                    let reason = row.invalidation_reason.clone().unwrap_or_default();
                    let show = show_deleted_ticket(&params, settings.notify_spectator, &reason);
                    json!({ "ticketId": ticket_id, "reason": reason, "showDeletedTicket": show })
                } else {
                    let at = chrono::DateTime::from_timestamp_millis(row.status_changed_at).unwrap_or_default();
                    json!({
                        "ticketId": ticket_id,
                        "controlledAt": at.to_rfc3339(),
                        "notifySpectator": settings.notify_spectator,
                    })
                }
            })
            .collect();
        let answers = if cancelled { ctx.client.delete(&items).await? } else { ctx.client.control(&items).await? };
        ctx.run.counts.sent += items.len() as u64;
        let sent: HashMap<String, Sent> =
            rows.iter().map(|r| (wallet_id(r), (r.id, r.invalidation_reason.clone()))).collect();
        record_answers(ctx, &answers, &sent).await?;
        ctx.check_kill_ratio()?;
        ctx.keep_lease().await?;
    }
    Ok(())
}

/// Whether a ticket deleted with `reason` stays visible to its spectator
/// (docs/interface.md#visibility-of-deleted-tickets), `notify_spectator` being the push
/// function's setting.
pub(crate) fn show_deleted_ticket(params: &CustomParameters, notify_spectator: bool, reason: &str) -> bool {
    params.override_visibility_flag_for_invalidation_reasons.contains(reason)
        || notify_spectator
        || params.visibility_flag_default_value
}

/// What was sent under one wallet ticket id: the box-office ticket and, for push cancelled,
/// its invalidation reason.
type Sent = (i64, Option<String>);

/// The id the wallet holds `row` under: its own, unless the away club's file named it
/// otherwise (docs/interface.md#away-fans).
fn wallet_id(row: &PushCandidate) -> String {
    row.wallet_ticket_id.clone().unwrap_or_else(|| row.id.to_string())
}

/// Marks processed what the wallet accepted; logs the rest, which the next run sends again.
/// A refusal is never taken for done, whatever status the ticket is in: the wallet answers a
/// request it already fulfilled with `ACCEPTED`, so a `REJECTED` means the change (a new
/// cancellation reason, say) did not reach it.
async fn record_answers(
    ctx: &mut RunCtx<'_>,
    answers: &[TicketAnswer],
    sent: &HashMap<String, Sent>,
) -> Result<(), Failure> {
    let mut done = Vec::new();
    for answer in answers {
        let Some((id, reason)) = sent.get(&answer.ticket_id) else {
            ctx.run.counts.rejected += 1;
            ctx.run.note(Some(&answer.ticket_id), "wallet answered about a ticket this run did not send");
            continue;
        };
        if answer.accepted() {
            done.push(Processed { ticket_id: *id, invalidation_reason: reason.clone() });
        } else {
            ctx.run.counts.rejected += 1;
            let why = answer.reason.as_deref().unwrap_or("no reason given");
            ctx.run.note(Some(&answer.ticket_id), format!("wallet REJECTED: {why}"));
        }
    }
    let mut tx = ctx.db.begin_write().await?;
    mark_processed(&mut tx, ctx.function.id, ctx.run.id, &done, Print::No, now_ms()).await?;
    let mut counts = ctx.run.counts.clone();
    counts.accepted += done.len() as u64;
    counts.written += done.len() as u64;
    ctx.commit_page(tx, counts).await
}
