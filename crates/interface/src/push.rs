//! The push functions: cancelled/invalidated tickets become deletions in the wallet, scanned
//! tickets become `CONTROLLED` there (SPEC §6.2). Each selects tickets injected before and not
//! yet processed by this function (push cancelled: or processed with another invalidation
//! reason since), one wallet call per `ticketIterationSize` page.

use std::collections::HashMap;

use serde_json::{Value, json};
use tixbridge_store::on_reader;

use crate::client::TicketAnswer;
use crate::engine::{Failure, RunCtx, now_ms};
use crate::functions::FunctionKind;
use crate::functions::settings::{PushSettings, parse_date_from};
use crate::processed::{Processed, mark_processed};

#[derive(sqlx::FromRow)]
struct PushRow {
    id: i64,
    invalidation_reason: Option<String>,
    status_changed_at: i64,
}

/// Statuses in the wallet that mean the push already happened.
fn already_done(kind: FunctionKind, current: Option<&str>) -> bool {
    match kind {
        FunctionKind::PushCancelled => matches!(current, Some("DELETION_PENDING" | "DELETED")),
        _ => current == Some("CONTROLLED"),
    }
}

pub async fn run(ctx: &mut RunCtx<'_>, settings: &PushSettings) -> Result<(), Failure> {
    if let Some(file) = ctx.options.file.clone() {
        return process_answer_file(ctx, &file).await;
    }
    let kind = ctx.function.kind;
    let cancelled = kind == FunctionKind::PushCancelled;
    let db = ctx.engine.db.clone();
    let params = ctx.interface.params.clone();
    let date_from = settings
        .date_from
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(parse_date_from)
        .transpose()
        .map_err(|e| Failure::Stopped(e.to_string()))?
        .map_or(i64::MAX, |at| at.timestamp_millis());
    let (force, skip) = (settings.force(), settings.skip());
    let changed_since = ctx.options.changed_since;
    let (function_id, interface_id, organization) = (ctx.function.id, ctx.interface.id, ctx.interface.organization_id);
    let statuses = if cancelled { "('CANCELLED', 'INVALIDATED')" } else { "('CONTROLLED')" };
    // "injected before": processed by one of this interface's injection functions. The ids
    // are listed in the query so the check is one index lookup per ticket; a join with the
    // functions table let PostgreSQL hash every processed mark for each page instead.
    let injection_ids: Vec<i64> = on_reader!(&db, |pool| {
        sqlx::query_scalar("SELECT id FROM itf_functions WHERE interface_id = $1 AND kind = 'INJECTION'")
            .bind(interface_id)
            .fetch_all(pool)
            .await?
    });
    if injection_ids.is_empty() {
        return Ok(());
    }
    let injections = injection_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let mut windows = crate::paging::IdWindows::new(&db, params.ticket_iteration_size).await?;
    let mut remaining = settings.batch_size;
    while remaining > 0 {
        let Some((after_id, upper_id)) = windows.next() else { break };
        let limit = remaining.min(params.ticket_iteration_size) as i64;
        let rows: Vec<PushRow> = on_reader!(&db, |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT t.id, t.invalidation_reason, t.status_changed_at FROM bo_tickets t
                 CROSS JOIN bo_products p
                 CROSS JOIN bo_shipment_modes sm
                 WHERE p.id = t.product_id AND sm.id = t.shipment_mode_id AND t.status IN {statuses} AND sm.type = 'MOBILE' AND p.organization_id = {organization}
                   AND EXISTS (SELECT 1 FROM itf_processed ip
                               WHERE ip.ticket_id = t.id AND ip.function_id IN ({injections}))"
            ));
            q.push(" AND t.id > ").push_bind(after_id).push(" AND t.id <= ").push_bind(upper_id);
            if let Some(since) = changed_since {
                q.push(" AND t.status_changed_at >= ").push_bind(since);
            }
            q.push(" AND sm.code IN (");
            let mut list = q.separated(", ");
            for code in &settings.shipment_modes {
                list.push_bind(code.as_str());
            }
            // not yet processed by this function (push cancelled: not with this reason), as a
            // per-ticket index lookup rather than a join the planner may hash whole
            q.push(format!(
                ") AND (NOT EXISTS (SELECT 1 FROM itf_processed me WHERE me.function_id = {function_id}
                   AND me.ticket_id = t.id{}) OR t.status_changed_at >= ",
                if cancelled { " AND me.invalidation_reason IS NOT DISTINCT FROM t.invalidation_reason" } else { "" }
            ))
            .push_bind(date_from);
            push_tax_list(&mut q, " OR t.tax_number IN (", &force);
            q.push(")");
            if !skip.is_empty() {
                q.push(" AND (t.tax_number IS NULL OR t.tax_number NOT IN (");
                let mut list = q.separated(", ");
                for tax in &skip {
                    list.push_bind(tax.as_str());
                }
                q.push("))");
            }
            q.push(" ORDER BY t.id LIMIT ").push_bind(limit);
            q.build_query_as().fetch_all(pool).await?
        });
        windows.advance(rows.len(), limit as usize, rows.last().map(|r| r.id), upper_id);
        if rows.is_empty() {
            continue;
        }
        remaining -= rows.len();
        ctx.run.counts.selected += rows.len() as u64;
        let items: Vec<Value> = rows
            .iter()
            .map(|row| {
                if cancelled {
                    let reason = row.invalidation_reason.clone().unwrap_or_default();
                    let show = params.override_visibility_flag_for_invalidation_reasons.contains(&reason)
                        || settings.notify_spectator
                        || params.visibility_flag_default_value;
                    json!({ "ticketId": row.id.to_string(), "reason": reason, "showDeletedTicket": show })
                } else {
                    let at = chrono::DateTime::from_timestamp_millis(row.status_changed_at).unwrap_or_default();
                    json!({ "ticketId": row.id.to_string(), "controlledAt": at.to_rfc3339() })
                }
            })
            .collect();
        let answers = if cancelled { ctx.client.delete(&items).await? } else { ctx.client.control(&items).await? };
        ctx.run.counts.sent += items.len() as u64;
        let reasons: HashMap<String, Option<String>> =
            rows.iter().map(|r| (r.id.to_string(), r.invalidation_reason.clone())).collect();
        record_answers(ctx, &answers, &reasons).await?;
        ctx.check_kill_ratio()?;
        ctx.keep_lease().await?;
    }
    Ok(())
}

fn push_tax_list<'a, DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<'a, DB>, prefix: &str, taxes: &'a [String])
where
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if taxes.is_empty() {
        return;
    }
    q.push(prefix);
    let mut list = q.separated(", ");
    for tax in taxes {
        list.push_bind(tax.as_str());
    }
    q.push(")");
}

/// Marks processed what the wallet accepted (or had already done); logs the rest.
async fn record_answers(
    ctx: &mut RunCtx<'_>,
    answers: &[TicketAnswer],
    reasons: &HashMap<String, Option<String>>,
) -> Result<(), Failure> {
    let kind = ctx.function.kind;
    let mut done = Vec::new();
    for answer in answers {
        let Some((reason, id)) = reasons.get(&answer.ticket_id).zip(answer.ticket_id.parse::<i64>().ok()) else {
            ctx.run.counts.rejected += 1;
            ctx.run.note(Some(&answer.ticket_id), "wallet answered about a ticket this run did not send");
            continue;
        };
        if answer.accepted() || already_done(kind, answer.current_status.as_deref()) {
            done.push(Processed { ticket_id: id, invalidation_reason: reason.clone() });
        } else {
            ctx.run.counts.rejected += 1;
            let why = answer.reason.as_deref().unwrap_or("no reason given");
            ctx.run.note(Some(&answer.ticket_id), format!("wallet REJECTED: {why}"));
        }
    }
    ctx.run.counts.accepted += done.len() as u64;
    ctx.run.counts.written += mark_processed(&ctx.engine.db, ctx.function.id, ctx.run.id, &done, false, now_ms())
        .await
        .map(|_| done.len() as u64)?;
    Ok(())
}

/// "File to upload": a wallet batch answer (`{"results": [...]}`) obtained out of band,
/// processed as if the wallet had just returned it.
async fn process_answer_file(ctx: &mut RunCtx<'_>, file: &str) -> Result<(), Failure> {
    #[derive(serde::Deserialize)]
    struct AnswerFile {
        results: Vec<TicketAnswer>,
    }
    let parsed: AnswerFile = serde_json::from_str(file)
        .map_err(|e| Failure::Stopped(format!("file to upload: not a wallet batch answer: {e}")))?;
    ctx.run.counts.selected = parsed.results.len() as u64;
    let mut reasons = HashMap::new();
    for answer in &parsed.results {
        let Ok(id) = answer.ticket_id.parse::<i64>() else { continue };
        let reason: Option<Option<String>> = on_reader!(&ctx.engine.db, |pool| {
            sqlx::query_scalar("SELECT invalidation_reason FROM bo_tickets WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        if let Some(reason) = reason {
            reasons.insert(answer.ticket_id.clone(), reason);
        }
    }
    record_answers(ctx, &parsed.results, &reasons).await
}
