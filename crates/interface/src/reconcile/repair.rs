//! Repairing what a reconcile found (docs/interface.md#reconcile): sending the wallet what the
//! functions would have sent — the injection's payload, push cancelled's deletion, push
//! controlled's control — through the run's client, and recording what it accepted as those
//! functions would (processed marks), so they do not send it again.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tixbridge_boxoffice::wallet_side::injection_catalog::Catalog;
use tixbridge_boxoffice::wallet_side::injection_selection::tickets_by_id;
use tixbridge_boxoffice::wallet_side::reconcile::existing_tickets;
use tixbridge_domain::TicketStatus;
use tixbridge_domain::digest::{Difference, DigestStatus, TicketState};

use super::bisect::Pair;
use super::expected::{BoxOfficeTicket, Expected, Functions, Source};
use super::foreign::{self, ForeignTicket};
use crate::client::TicketAnswer;
use crate::functions::Settings;
use crate::processed::{Print, Processed, mark_processed};
use crate::runs::{Failure, RunCtx, now_ms};

/// The reason a reconcile gives a wallet ticket the box office never sold when it deletes it.
pub const UNKNOWN_REASON: &str = "UNKNOWN_TO_BOX_OFFICE";

/// What became of one difference: whether both sides now agree on it, and how.
#[derive(Debug, Clone)]
pub(super) struct Outcome {
    pub resolved: bool,
    pub note: String,
}

fn cannot(why: &str) -> Option<Outcome> {
    Some(Outcome { resolved: false, note: format!("not repairable: {why}") })
}

/// A deletion to send, and what to record once the wallet accepts it.
struct Deletion {
    pair: usize,
    item: Value,
    then: AfterDeletion,
}

enum AfterDeletion {
    /// Mark the ticket processed by the push cancelled functions, with this reason.
    Processed {
        ticket: i64,
        reason: Option<String>,
    },
    Foreign(ForeignTicket),
}

/// What the reconcile will send or record, difference by difference.
#[derive(Default)]
struct Plan {
    outcomes: Vec<Option<Outcome>>,
    /// By injection function: (pair, ticket).
    injections: BTreeMap<i64, Vec<(usize, i64)>>,
    deletions: Vec<Deletion>,
    /// (pair, ticket, controlledAt in ms)
    controls: Vec<(usize, i64, i64)>,
    records: Vec<ForeignTicket>,
    forgotten: Vec<String>,
}

impl Plan {
    fn delete(&mut self, pair: usize, t: &BoxOfficeTicket, expected: &TicketState) {
        let reason = expected.reason.as_deref().map(str::to_owned);
        let item = json!({ "ticketId": t.id.to_string(), "reason": reason.clone().unwrap_or_default(),
                           "showDeletedTicket": expected.show_deleted_ticket });
        self.deletions.push(Deletion { pair, item, then: AfterDeletion::Processed { ticket: t.id, reason } });
    }

    /// After `t` is back in the wallet, what else push functions would send.
    fn follow_up(&mut self, pair: usize, t: &BoxOfficeTicket, expected: &TicketState) {
        match expected.status {
            DigestStatus::Deleted => self.delete(pair, t, expected),
            DigestStatus::Controlled if t.status == TicketStatus::Controlled => {
                self.controls.push((pair, t.id, t.status_changed_at));
            }
            _ => {}
        }
    }
}

fn foreign_of(held: &TicketState, event: Option<&str>) -> ForeignTicket {
    ForeignTicket {
        ticket_ref: held.ticket_id.to_string(),
        event_id: event.unwrap_or_default().to_owned(),
        reason: held.reason.as_deref().map(str::to_owned),
        show_deleted_ticket: held.show_deleted_ticket,
    }
}

/// Decides, for each pair, what to send or record.
async fn plan(ctx: &RunCtx<'_>, expected: &Expected, pairs: &[Pair]) -> Result<Plan, Failure> {
    let mut plan = Plan { outcomes: vec![None; pairs.len()], ..Plan::default() };
    let mut unknown: Vec<usize> = Vec::new();
    for (k, pair) in pairs.iter().enumerate() {
        let ours = pair.expected.map(|at| (&expected.states[at], &expected.sources[at]));
        let held = pair.held.as_ref();
        let decided = match (ours, held) {
            (Some((_, Source::Foreign { .. })), Some(held)) if held.status == DigestStatus::Deleted => {
                plan.records.push(foreign_of(held, pair.held_event.as_deref()));
                Some(Outcome { resolved: true, note: "recorded as the wallet holds it (deleted)".into() })
            }
            (Some((state, Source::Foreign { .. })), _) => {
                plan.forgotten.push(state.ticket_id.to_string());
                Some(Outcome { resolved: true, note: "record forgotten: the wallet no longer holds it deleted".into() })
            }
            (None, Some(held)) if held.status == DigestStatus::Deleted => {
                plan.records.push(foreign_of(held, pair.held_event.as_deref()));
                Some(Outcome { resolved: true, note: "recorded as the wallet holds it (deleted)".into() })
            }
            (None, Some(_)) => {
                unknown.push(k);
                None
            }
            (Some((_, Source::BoxOffice(t))), None) => match t.injected_by {
                Some(function) => {
                    plan.injections.entry(function).or_default().push((k, t.id));
                    None
                }
                None => cannot("no injection of this interface sent it (it reached the wallet another way)"),
            },
            (Some((state, Source::BoxOffice(t))), Some(held)) => match pair.class {
                Difference::ReasonDiffers => {
                    plan.delete(k, t, state);
                    None
                }
                Difference::BarcodeDiffers => match t.injected_by {
                    Some(function) => {
                        plan.injections.entry(function).or_default().push((k, t.id));
                        None
                    }
                    None => cannot("no injection of this interface sent it"),
                },
                _ => match (state.status, held.status) {
                    (DigestStatus::Deleted, _) => {
                        plan.delete(k, t, state);
                        None
                    }
                    (_, DigestStatus::Deleted) => {
                        cannot("deleted in the wallet, which has no way back: reprint the ticket in the box office")
                    }
                    (DigestStatus::Controlled, DigestStatus::Valid) if t.status == TicketStatus::Controlled => {
                        plan.controls.push((k, t.id, t.status_changed_at));
                        None
                    }
                    (DigestStatus::Valid, DigestStatus::Controlled) => {
                        cannot("controlled in the wallet, which has no way back: run feedback to bring it over")
                    }
                    _ => cannot("the wallet reported it controlled and now holds it valid: run feedback"),
                },
            },
            (None, None) => cannot("neither side holds it"),
        };
        plan.outcomes[k] = decided;
    }
    // a ticket the box office has is never deleted, even if it did not record sending it
    let ids: Vec<i64> = unknown.iter().filter_map(|&k| pairs[k].held.as_ref()?.ticket_id.parse().ok()).collect();
    let existing = existing_tickets(&mut ctx.db.reader().await?, &ids).await?;
    for k in unknown {
        let Some(held) = pairs[k].held.as_ref() else { continue };
        if held.ticket_id.parse::<i64>().is_ok_and(|id| existing.contains(&id)) {
            plan.outcomes[k] = cannot(
                "the box office has this ticket but no record of sending it: run the injection or feedback first",
            );
            continue;
        }
        let item = json!({ "ticketId": held.ticket_id, "reason": UNKNOWN_REASON, "showDeletedTicket": false });
        let record = ForeignTicket {
            ticket_ref: held.ticket_id.to_string(),
            event_id: pairs[k].held_event.clone().unwrap_or_default(),
            reason: Some(UNKNOWN_REASON.to_owned()),
            show_deleted_ticket: false,
        };
        plan.deletions.push(Deletion { pair: k, item, then: AfterDeletion::Foreign(record) });
    }
    Ok(plan)
}

/// Sends what `pairs` need; returns what became of each.
pub(super) async fn repair(
    ctx: &mut RunCtx<'_>,
    expected: &Expected,
    functions: &Functions,
    pairs: &[Pair],
) -> Result<Vec<Outcome>, Failure> {
    let mut plan = plan(ctx, expected, pairs).await?;
    let injections = std::mem::take(&mut plan.injections);
    for (function, tickets) in injections {
        inject(ctx, &mut plan, expected, pairs, functions, function, &tickets).await?;
    }
    let deletions = std::mem::take(&mut plan.deletions);
    delete(ctx, &mut plan, functions, deletions).await?;
    let controls = std::mem::take(&mut plan.controls);
    control(ctx, &mut plan, functions, &controls).await?;
    foreign::store(&ctx.db, ctx.interface.id, ctx.run.id, &plan.records, &plan.forgotten, now_ms()).await?;
    Ok(plan
        .outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome { resolved: false, note: "nothing sent".into() }))
        .collect())
}

/// Folds one answer into the plan; whether it was accepted.
fn settle(ctx: &mut RunCtx<'_>, plan: &mut Plan, pair: usize, what: &str, answer: &TicketAnswer) -> bool {
    if answer.accepted() {
        ctx.run.counts.accepted += 1;
        plan.outcomes[pair] = Some(Outcome { resolved: true, note: format!("{what}: ACCEPTED") });
        true
    } else {
        ctx.run.counts.rejected += 1;
        let why = answer.reason.as_deref().unwrap_or("no reason given");
        plan.outcomes[pair] = Some(Outcome { resolved: false, note: format!("{what}: REJECTED: {why}") });
        false
    }
}

/// Sends again the payloads injection `function` sent for `tickets` (pair, ticket id).
async fn inject(
    ctx: &mut RunCtx<'_>,
    plan: &mut Plan,
    expected: &Expected,
    pairs: &[Pair],
    functions: &Functions,
    function: i64,
    tickets: &[(usize, i64)],
) -> Result<(), Failure> {
    let Some(Settings::Injection(settings)) = functions.injections.get(&function).map(|f| &f.settings) else {
        return Ok(());
    };
    let template = match settings.template_id {
        Some(id) => Some(
            crate::template::load_template(&ctx.db, ctx.interface.organization_id, id)
                .await
                .map_err(|e| Failure::Stopped(format!("ticket template: {e}")))?
                .0
                .fields,
        ),
        None => None,
    };
    let params = ctx.interface.params.clone();
    let pair_of: std::collections::HashMap<i64, usize> = tickets.iter().map(|(k, id)| (*id, *k)).collect();
    let ids: Vec<i64> = tickets.iter().map(|(_, id)| *id).collect();
    let rows = {
        let mut conn = ctx.db.reader().await?;
        let columns = tickets_by_id(&mut conn, ctx.interface.organization_id, &ids).await?;
        Catalog::default().rows(&mut conn, columns).await?
    };
    for page in rows.chunks(params.ticket_iteration_size) {
        let mut sent = Vec::new();
        let mut payloads = Vec::new();
        for row in page {
            let k = pair_of[&row.t.id];
            match crate::injection::payload::build(row, settings, &params) {
                Ok(mut payload) => {
                    if let Some(fields) = &template {
                        crate::template::apply(&mut payload, fields, &crate::injection::payload::variables(row));
                    }
                    sent.push(k);
                    payloads.push(payload);
                }
                Err(err) => {
                    ctx.run.counts.rejected += 1;
                    plan.outcomes[k] = Some(Outcome { resolved: false, note: format!("not sent: {}", err.0) });
                }
            }
        }
        if payloads.is_empty() {
            continue;
        }
        let body = serde_json::to_vec(&payloads).map_err(|e| Failure::Stopped(format!("serializing: {e}")))?;
        let answers = ctx.client.inject(body, payloads.len()).await?;
        ctx.run.counts.sent += payloads.len() as u64;
        for (k, answer) in sent.into_iter().zip(&answers) {
            if settle(ctx, plan, k, "injected again", answer)
                && let Some(at) = pairs[k].expected
                && let Source::BoxOffice(t) = &expected.sources[at]
            {
                plan.follow_up(k, t, &expected.states[at]);
            }
        }
        ctx.keep_lease().await?;
    }
    Ok(())
}

async fn delete(
    ctx: &mut RunCtx<'_>,
    plan: &mut Plan,
    functions: &Functions,
    deletions: Vec<Deletion>,
) -> Result<(), Failure> {
    let size = ctx.interface.params.ticket_iteration_size;
    for page in deletions.chunks(size) {
        let items: Vec<Value> = page.iter().map(|d| d.item.clone()).collect();
        let answers = ctx.client.delete(&items).await?;
        ctx.run.counts.sent += items.len() as u64;
        let mut processed = Vec::new();
        for (deletion, answer) in page.iter().zip(&answers) {
            if !settle(ctx, plan, deletion.pair, "deleted", answer) {
                continue;
            }
            match &deletion.then {
                AfterDeletion::Processed { ticket, reason } => {
                    processed.push(Processed { ticket_id: *ticket, invalidation_reason: reason.clone() });
                }
                AfterDeletion::Foreign(record) => plan.records.push(record.clone()),
            }
        }
        let ids: Vec<i64> = functions.push_cancelled.iter().map(|(id, _)| *id).collect();
        mark(ctx, &ids, &processed).await?;
        ctx.keep_lease().await?;
    }
    Ok(())
}

async fn control(
    ctx: &mut RunCtx<'_>,
    plan: &mut Plan,
    functions: &Functions,
    controls: &[(usize, i64, i64)],
) -> Result<(), Failure> {
    let size = ctx.interface.params.ticket_iteration_size;
    for page in controls.chunks(size) {
        let items: Vec<Value> = page
            .iter()
            .map(|(_, id, at)| {
                let at = chrono::DateTime::from_timestamp_millis(*at).unwrap_or_default();
                json!({ "ticketId": id.to_string(), "controlledAt": at.to_rfc3339() })
            })
            .collect();
        let answers = ctx.client.control(&items).await?;
        ctx.run.counts.sent += items.len() as u64;
        let mut processed = Vec::new();
        for ((k, id, _), answer) in page.iter().zip(&answers) {
            if settle(ctx, plan, *k, "controlled", answer) {
                processed.push(Processed { ticket_id: *id, invalidation_reason: None });
            }
        }
        mark(ctx, &functions.push_controlled, &processed).await?;
        ctx.keep_lease().await?;
    }
    Ok(())
}

/// Marks `tickets` processed by each of `functions`: what the reconcile sent for them, those
/// functions need not send again.
async fn mark(ctx: &mut RunCtx<'_>, functions: &[i64], tickets: &[Processed]) -> Result<(), Failure> {
    let mut tx = ctx.db.begin_write().await?;
    let mut counts = ctx.run.counts.clone();
    for function in functions {
        mark_processed(&mut tx, *function, ctx.run.id, tickets, Print::No, now_ms()).await?;
        counts.written += tickets.len() as u64;
    }
    ctx.commit_page(tx, counts).await
}
