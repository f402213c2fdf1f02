//! The ticket injection function (a.k.a. external printing): box office → wallet. Pages
//! through the selected tickets `ticketIterationSize` at a time, builds each payload, checks
//! it against the wallet's own rules before sending, sends one call per page, and prints
//! (`NOT_PRINTED` → `PRINTED`) exactly the tickets the wallet accepted.

pub mod payload;
pub mod select;
mod send;

use std::collections::VecDeque;

use serde_json::{Value, json};
use tixbridge_boxoffice::wallet_side::injection_catalog::{Catalog, TicketRow};
use tixbridge_boxoffice::wallet_side::injection_selection::injection_page;
use tixbridge_domain::inject::check_ticket;

use crate::functions::settings::InjectionSettings;
use crate::runs::Phases;
use crate::runs::{Failure, Pages, RunCtx};

/// Pages sent and not yet settled. While the wallet parses them the run selects and builds
/// the next, so both cores stay busy; each page prints in its own transaction when settled.
const PAGES_IN_FLIGHT: usize = 4;

pub async fn run(ctx: &mut RunCtx<'_>, settings: &InjectionSettings) -> Result<(), Failure> {
    let mut in_flight = VecDeque::with_capacity(PAGES_IN_FLIGHT);
    let sending = send_pages(ctx, settings, &mut in_flight).await;
    // the run ends only once every page it sent is settled, whatever stopped it: the wallet
    // may have accepted them, and what it accepted is printed and counted by this run
    let mut failure = sending.err();
    while let Some(page) = in_flight.pop_front() {
        let settled = match failure {
            None => settle_and_go_on(ctx, page).await,
            Some(_) => send::settle(ctx, page).await,
        };
        match (settled, &failure) {
            (Ok(()), _) => {}
            (Err(err), None) => failure = Some(err),
            (Err(err), Some(_)) => ctx.run.note(None, format!("a page sent before the run stopped failed too: {err}")),
        }
    }
    failure.map_or(Ok(()), Err)
}

/// Selects, builds and sends the pages, keeping up to [`PAGES_IN_FLIGHT`] in `in_flight`;
/// on return, those still there are the caller's to settle.
async fn send_pages(
    ctx: &mut RunCtx<'_>,
    settings: &InjectionSettings,
    in_flight: &mut VecDeque<send::InFlight>,
) -> Result<(), Failure> {
    let db = ctx.db.clone();
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
    let filter = select::filter(ctx.interface.organization_id, settings, &force);
    let mut variables_dump: Vec<Value> = Vec::new();
    let sender = send::Sender { client: ctx.client.clone() };
    // a few pages in the wallet's hands while the next one is selected and built
    let mut pages = Pages::new(&db, params.ticket_iteration_size, settings.batch_size).await?;
    let mut catalog = Catalog::default();
    while let Some(page) = pages.next() {
        let lap = std::time::Instant::now();
        let rows: Vec<TicketRow> = {
            let mut conn = db.reader().await?;
            let tickets = injection_page(&mut conn, &filter, page.window, page.limit as i64).await?;
            catalog.rows(&mut conn, tickets).await?
        };
        let lap = Phases::lap(&mut ctx.run.phases.select_ms, lap);
        if !pages.took(page, rows.len(), rows.last().map(|r| r.t.id), &mut ctx.run.counts) {
            continue;
        }

        let now = chrono::Utc::now();
        let (mut ids, mut payloads) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
        for row in &rows {
            let ticket_ref = row.t.id.to_string();
            if skip.ids.contains(&row.t.id) || row.t.tax_number.as_ref().is_some_and(|t| skip.tax_numbers.contains(t)) {
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
                && let Err(rejection) = check_ticket(&payload, now)
            {
                ctx.run.counts.rejected += 1;
                ctx.run.note(Some(&ticket_ref), format!("not sent, the wallet would refuse it: {rejection}"));
                continue;
            }
            ids.push(row.t.id);
            payloads.push(payload);
        }
        Phases::lap(&mut ctx.run.phases.build_ms, lap);
        if ctx.run.simulation {
            ctx.would_send.extend(payloads);
            continue;
        }
        if in_flight.len() >= PAGES_IN_FLIGHT
            && let Some(oldest) = in_flight.pop_front()
        {
            settle_and_go_on(ctx, oldest).await?;
        }
        if !payloads.is_empty() {
            in_flight.push_back(sender.spawn(ids, payloads));
        }
    }
    if params.dump_tnpr_variables && !variables_dump.is_empty() {
        write_variables_dump(ctx, &variables_dump);
    }
    Ok(())
}

/// Settles a page, then lets the run go on only while `killRatio` and the lease allow.
async fn settle_and_go_on(ctx: &mut RunCtx<'_>, page: send::InFlight) -> Result<(), Failure> {
    send::settle(ctx, page).await?;
    ctx.check_kill_ratio()?;
    ctx.keep_lease().await
}

fn write_variables_dump(ctx: &mut RunCtx<'_>, entries: &[Value]) {
    let dir = ctx.dump_dir;
    let path = dir.join(format!("run-{}-variables.json", ctx.run.id));
    let written = write_private(dir, &path, &serde_json::to_vec_pretty(entries).unwrap_or_default());
    match written {
        Ok(()) => ctx.run.note(None, format!("computed variables written to {}", path.display())),
        Err(err) => ctx.run.note(None, format!("could not write {}: {err}", path.display())),
    }
}

/// Writes `bytes` to `path` in `dir`, both readable by their owner only (0700 / 0600 on Unix):
/// a dump holds ticket holders' personal data.
fn write_private(dir: &std::path::Path, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(dir)?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(path)?.write_all(bytes)
}
