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
use tixbridge_boxoffice::wallet_side::printing::point_of_sale_id;
use tixbridge_domain::inject::check_ticket;
use tokio::task::JoinHandle;

use crate::functions::settings::InjectionSettings;
use crate::processed;
use crate::runs::Phases;
use crate::runs::{Failure, Pages, RunCtx};

/// Pages sent and not yet settled. While the wallet parses one page it writes another, so
/// both cores stay busy; each page still prints in its own transaction when it comes back.
const PAGES_IN_FLIGHT: usize = 4;

/// Pages handed to the wallet and not yet settled, oldest first.
type InFlight = VecDeque<send::InFlight>;

pub async fn run(ctx: &mut RunCtx<'_>, settings: &InjectionSettings) -> Result<(), Failure> {
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
    let point_of_sale = point_of_sale(ctx, settings).await?;
    let sender = send::Sender { client: ctx.client.clone() };
    let mut in_flight = InFlight::with_capacity(PAGES_IN_FLIGHT);
    let mut variables_dump: Vec<Value> = Vec::new();
    let sent = Sent { sender: &sender, point_of_sale };
    let sending = send_pages(ctx, settings, template.as_ref(), &sent, &mut in_flight, &mut variables_dump).await;
    // the run ends only once every page it sent is settled, whatever stopped it: the wallet
    // may have accepted them, and what it accepted is printed and counted by this run
    let mut failure = sending.err();
    while let Some(page) = in_flight.pop_front() {
        let settled = match failure {
            None => settle_and_go_on(ctx, page, point_of_sale).await,
            Some(_) => send::settle(ctx, page, point_of_sale).await,
        };
        match (settled, &failure) {
            (Ok(()), _) => {}
            (Err(err), None) => failure = Some(err),
            (Err(err), Some(_)) => ctx.run.note(None, format!("a page sent before the run stopped failed too: {err}")),
        }
    }
    if ctx.interface.params.dump_tnpr_variables && !variables_dump.is_empty() {
        write_variables_dump(ctx, &variables_dump);
    }
    failure.map_or(Ok(()), Err)
}

/// Where the pages go, and the point of sale their printing is done as.
struct Sent<'a> {
    sender: &'a send::Sender,
    point_of_sale: i64,
}

/// Selects, builds and sends the pages, leaving the last ones in flight. Refusals count as
/// they happen: a ticket refused before sending is checked against `killRatio` at once (with
/// the answers to the pages in flight counted first), so a run stops before it sends the good
/// tickets that follow too many bad ones.
async fn send_pages(
    ctx: &mut RunCtx<'_>,
    settings: &InjectionSettings,
    template: Option<&serde_json::Map<String, Value>>,
    sent: &Sent<'_>,
    in_flight: &mut InFlight,
    variables_dump: &mut Vec<Value>,
) -> Result<(), Failure> {
    let db = ctx.db.clone();
    let params = ctx.interface.params.clone();
    let (force, skip) = (settings.force(), settings.skip());
    let not_sent = processed::not(processed::injected_by_interface(ctx.interface.id));
    let filter = select::filter(ctx.interface.organization_id, settings, &force, &not_sent);
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
                    check_after_refusal(ctx, in_flight, sent.point_of_sale).await?;
                    continue;
                }
            };
            if let Some(fields) = template {
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
                let no_recipient =
                    rejection.field == "spectatorDetails.email" && payload["spectatorDetails"].get("email").is_none();
                let hint = if no_recipient { " (the ticket's recipient has no e-mail)" } else { "" };
                ctx.run.counts.rejected += 1;
                ctx.run.note(Some(&ticket_ref), format!("not sent, the wallet would refuse it: {rejection}{hint}"));
                check_after_refusal(ctx, in_flight, sent.point_of_sale).await?;
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
        // the wallet's answers already in count before another page goes
        while in_flight.front().is_some_and(JoinHandle::is_finished) {
            if let Some(answered) = in_flight.pop_front() {
                settle_and_go_on(ctx, answered, sent.point_of_sale).await?;
            }
        }
        if in_flight.len() >= PAGES_IN_FLIGHT
            && let Some(oldest) = in_flight.pop_front()
        {
            settle_and_go_on(ctx, oldest, sent.point_of_sale).await?;
        }
        if !payloads.is_empty() {
            in_flight.push_back(sent.sender.spawn(ids, payloads));
        }
    }
    Ok(())
}

/// After a ticket was refused before sending: stops the run when the refusals pass
/// `killRatio`, the wallet's answers to the pages in flight counted first (they may hold the
/// acceptances that keep the share below it).
async fn check_after_refusal(
    ctx: &mut RunCtx<'_>,
    in_flight: &mut InFlight,
    point_of_sale: i64,
) -> Result<(), Failure> {
    if ctx.check_kill_ratio().is_ok() {
        return Ok(());
    }
    while let Some(page) = in_flight.pop_front() {
        send::settle(ctx, page, point_of_sale).await?;
    }
    ctx.check_kill_ratio()
}

/// Settles a page, then lets the run go on only while `killRatio` and the lease allow.
async fn settle_and_go_on(ctx: &mut RunCtx<'_>, page: send::InFlight, point_of_sale: i64) -> Result<(), Failure> {
    send::settle(ctx, page, point_of_sale).await?;
    ctx.check_kill_ratio()?;
    ctx.keep_lease().await
}

/// The point of sale the function prints as, looked up again at each run: the catalog is the
/// box office's, and a run never prints as a point of sale it does not hold.
async fn point_of_sale(ctx: &RunCtx<'_>, settings: &InjectionSettings) -> Result<i64, Failure> {
    let unknown =
        || Failure::Stopped(format!("pointOfSale {:?}: no such point of sale in the catalog", settings.point_of_sale));
    let (channel, pos) = settings.point_of_sale_codes().ok_or_else(unknown)?;
    let found = point_of_sale_id(&mut ctx.db.reader().await?, ctx.interface.organization_id, channel, pos).await?;
    found.ok_or_else(unknown)
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
