//! The ticket injection function (a.k.a. external printing): box office → wallet. Pages
//! through the selected tickets `ticketIterationSize` at a time, builds each payload, checks
//! it against the wallet's own rules before sending, sends one call per page, and prints
//! (`NOT_PRINTED` → `PRINTED`) exactly the tickets the wallet accepted.

pub mod payload;
pub mod select;

use std::collections::HashMap;

use serde_json::{Value, json};
use tixbridge_domain::inject::validate_ticket;
use tixbridge_store::on_reader;

use crate::engine::{Failure, RunCtx, now_ms};
use crate::functions::settings::InjectionSettings;
use crate::processed::{Processed, mark_processed};
use crate::runs::Phases;
use select::{TicketRow, page_query};

pub async fn run(ctx: &mut RunCtx<'_>, settings: &InjectionSettings) -> Result<(), Failure> {
    let db = ctx.engine.db.clone();
    let params = ctx.interface.params.clone();
    let template = match settings.template_id {
        Some(id) => Some(
            crate::template::load_template(&db, ctx.interface.organization_id, id)
                .await
                .map_err(|e| Failure::Stopped(format!("ticket template: {e}")))?,
        ),
        None => None,
    };
    let (force, skip) = (settings.force(), settings.skip());
    let organization = ctx.interface.organization_id;
    let mut variables_dump: Vec<Value> = Vec::new();
    let mut after_id = 0_i64;
    let mut remaining = settings.batch_size;
    while remaining > 0 {
        let limit = remaining.min(params.ticket_iteration_size) as i64;
        let lap = std::time::Instant::now();
        let rows: Vec<TicketRow> = on_reader!(&db, |pool| {
            page_query(organization, settings, &force, after_id, limit).build_query_as().fetch_all(pool).await?
        });
        let lap = Phases::lap(&mut ctx.run.phases.select_ms, lap);
        let Some(last) = rows.last() else { break };
        after_id = last.id;
        remaining -= rows.len();
        ctx.run.counts.selected += rows.len() as u64;

        let now = chrono::Utc::now();
        let mut payloads = Vec::with_capacity(rows.len());
        for row in &rows {
            let ticket_ref = row.id.to_string();
            if skip.ids.contains(&row.id) || row.tax_number.as_ref().is_some_and(|t| skip.tax_numbers.contains(t)) {
                ctx.run.counts.skipped += 1;
                ctx.run.note(Some(&ticket_ref), "skipped: on the function's skip list");
                continue;
            }
            let mut payload = match payload::build(row, settings, &params) {
                Ok(payload) => payload,
                Err(err) => {
                    ctx.run.counts.rejected += 1;
                    ctx.run.note(Some(&ticket_ref), format!("not sent: {}", err.0));
                    continue;
                }
            };
            if let Some(fields) = &template {
                let vars = payload::variables(row);
                let changes = crate::template::apply(&mut payload, fields, &vars);
                if params.dump_data_modified_by_template && !changes.is_empty() {
                    let list: Vec<String> =
                        changes.iter().map(|(path, old, new)| format!("{path}: {old} -> {new}")).collect();
                    ctx.run.note(Some(&ticket_ref), format!("template changed {}", list.join("; ")));
                }
            }
            if params.dump_tnpr_variables {
                let vars: serde_json::Map<String, Value> =
                    payload::variables(row).into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
                variables_dump.push(json!({ "ticketId": ticket_ref, "variables": vars, "payload": payload }));
            }
            if params.enforce_mandatory_parameters
                && let Err(rejection) = validate_ticket(&payload, now)
            {
                ctx.run.counts.rejected += 1;
                ctx.run.note(Some(&ticket_ref), format!("not sent, the wallet would refuse it: {rejection}"));
                continue;
            }
            payloads.push((row.id, payload));
        }
        Phases::lap(&mut ctx.run.phases.build_ms, lap);
        if ctx.run.simulation {
            ctx.would_send.extend(payloads.into_iter().map(|(_, p)| p));
            continue;
        }
        if !payloads.is_empty() {
            send_page(ctx, payloads).await?;
        }
        ctx.check_kill_ratio()?;
        ctx.keep_lease().await?;
    }
    if params.dump_tnpr_variables && !variables_dump.is_empty() {
        write_variables_dump(ctx, &variables_dump);
    }
    Ok(())
}

/// One wallet call for a page, then printing what it accepted.
async fn send_page(ctx: &mut RunCtx<'_>, payloads: Vec<(i64, Value)>) -> Result<(), Failure> {
    let bodies: Vec<Value> = payloads.iter().map(|(_, p)| p.clone()).collect();
    let lap = std::time::Instant::now();
    let answers = ctx.client.inject(&bodies).await?;
    let lap = Phases::lap(&mut ctx.run.phases.wallet_ms, lap);
    ctx.run.counts.sent += bodies.len() as u64;
    let by_id: HashMap<&str, i64> =
        payloads.iter().map(|(id, p)| (p["ticketId"].as_str().unwrap_or(""), *id)).collect();
    let mut accepted = Vec::with_capacity(answers.len());
    for answer in &answers {
        match by_id.get(answer.ticket_id.as_str()) {
            Some(id) if answer.accepted() => accepted.push(Processed { ticket_id: *id, invalidation_reason: None }),
            _ => {
                ctx.run.counts.rejected += 1;
                let reason = answer.reason.as_deref().unwrap_or("no reason given");
                ctx.run.note(Some(&answer.ticket_id), format!("wallet REJECTED: {reason}"));
            }
        }
    }
    ctx.run.counts.accepted += accepted.len() as u64;
    let printed = mark_processed(&ctx.engine.db, ctx.function.id, ctx.run.id, &accepted, true, now_ms()).await?;
    Phases::lap(&mut ctx.run.phases.write_ms, lap);
    ctx.run.counts.written += printed;
    Ok(())
}

fn write_variables_dump(ctx: &mut RunCtx<'_>, entries: &[Value]) {
    let dir = &ctx.engine.dump_dir;
    let path = dir.join(format!("run-{}-variables.json", ctx.run.id));
    let written = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&path, serde_json::to_vec_pretty(entries).unwrap_or_default()));
    match written {
        Ok(()) => ctx.run.note(None, format!("computed variables written to {}", path.display())),
        Err(err) => ctx.run.note(None, format!("could not write {}: {err}", path.display())),
    }
}
