//! Reconcile (docs/interface.md#reconcile): proves that the wallet holds what the box office
//! believes it holds, by digest (docs/wallet-api.md#digest), and names each ticket where they
//! differ with both views and the cause class; with `repair`, sends what the functions would
//! have sent so they agree again.
//!
//! Asked for by an operator (`POST …/interface/reconcile`, `tixbridge interface reconcile`)
//! a check is a read and records nothing; a repair is a run of the interface's `RECONCILE`
//! function, like a scheduled reconcile, recorded with its counts and one log line per
//! difference.

mod bisect;
mod expected;
mod foreign;
mod repair;

use serde::Serialize;
use serde_json::{Value, json};
use tixbridge_domain::FunctionId;
use tixbridge_domain::digest::{Difference, TicketState};
use tixbridge_store::Db;

pub use bisect::{LIST_AT, PARTS};
pub use repair::UNKNOWN_REASON;

use crate::client::WalletClient;
use crate::config::{Interface, InterfaceError, check_url, load_interface_of_org};
use crate::dump::CallDump;
use crate::engine::{Engine, RunError};
use crate::functions::settings::{ReconcileSettings, check_event};
use crate::functions::{FunctionKind, list_functions};
use crate::runs::{Failure, ReconcileCounts, ReconcileRequest, RunCtx, RunOptions, RunSummary};
use bisect::{CompareError, Compared, compare_with_wallet};
use expected::{Expected, Functions, Source};

/// One ticket where the two sides differ.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub ticket_id: String,
    /// The wallet event, when the wallet holds the ticket (or a reconcile deleted it there).
    pub event_id: Option<String>,
    pub class: Difference,
    /// What the box office believes the wallet holds; `null`: nothing.
    pub box_office: Option<TicketState>,
    /// What the wallet holds; `null`: nothing.
    pub wallet: Option<TicketState>,
    /// With `repair`: what was done, or why nothing could be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<String>,
    /// Whether both sides now agree on the ticket (always false without `repair`).
    pub resolved: bool,
}

/// What a reconcile answers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub event: Option<String>,
    pub repair: bool,
    pub counts: ReconcileCounts,
    pub differences: Value,
    /// Differences still there once the reconcile ended.
    pub unresolved: u64,
    /// With `repair`: the run that sent the repairs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunSummary>,
}

/// Why a reconcile asked for by an operator did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Interface(#[from] InterfaceError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("event: {0}")]
    UnknownEvent(String),
    /// A repair is a run, and a run belongs to a function.
    #[error("repair: the interface has no active RECONCILE function to record the repair under; an admin creates one")]
    NoFunction,
    #[error("wallet: {0}")]
    Wallet(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A reconcile of organization `org_code`'s interface, asked for by an operator.
pub async fn reconcile(engine: &Engine, org_code: &str, request: ReconcileRequest) -> Result<Report, ReconcileError> {
    let interface = load_interface_of_org(&engine.db, &engine.key, org_code).await?;
    let event = check_event("event", request.event.as_deref()).map_err(InterfaceError::Invalid)?;
    let request = ReconcileRequest { event: event.clone(), ..request };
    if request.repair {
        let functions = list_functions(&engine.db, interface.id).await?;
        let function = functions
            .iter()
            .find(|f| f.kind == FunctionKind::Reconcile && f.active)
            .ok_or(ReconcileError::NoFunction)?;
        let options = RunOptions { reconcile: Some(request.clone()), ..RunOptions::default() };
        let summary = match engine.run(FunctionId::new(function.id), options).await {
            Err(RunError::NotFound { message, .. }) => return Err(ReconcileError::UnknownEvent(message)),
            other => other?,
        };
        let report = summary.report.clone().unwrap_or_default();
        let differences = report["differences"].clone();
        let unresolved = differences.as_array().map_or(0, |all| all.iter().filter(|d| d["resolved"] != true).count());
        let counts = summary.counts.reconcile.clone().unwrap_or_default();
        return Ok(Report {
            event,
            repair: true,
            counts,
            differences,
            unresolved: unresolved as u64,
            run: Some(summary),
        });
    }
    check_url(&interface.url, &engine.wallet_hosts).map_err(InterfaceError::Invalid)?;
    let client = engine.wallet_client(&interface, CallDump::new(None));
    let functions = Functions::of(list_functions(&engine.db, interface.id).await?);
    let (expected, compared) = match check(&engine.db, &client, &interface, &functions, event.as_deref()).await {
        Ok(found) => found,
        Err(CompareError::UnknownEvent(e)) => return Err(ReconcileError::UnknownEvent(format!("no event {e:?}"))),
        Err(CompareError::Call(e)) => return Err(ReconcileError::Wallet(e.to_string())),
        Err(CompareError::Sql(e)) => return Err(e.into()),
    };
    let counts = counts(&expected, &compared);
    crate::engine::record_reconcile(&engine.db, &counts);
    let found: Vec<Found> = compared.pairs.iter().map(|pair| found(&expected, pair, None)).collect();
    Ok(Report {
        event,
        repair: false,
        unresolved: found.len() as u64,
        counts,
        differences: serde_json::to_value(found).unwrap_or_default(),
        run: None,
    })
}

/// The box office's view of `event` and how the wallet's differs from it.
async fn check(
    db: &Db,
    client: &WalletClient,
    interface: &Interface,
    functions: &Functions,
    event: Option<&str>,
) -> Result<(Expected, Compared), CompareError> {
    // the box office's read and the wallet's first digest at once: each reads every ticket
    let (expected, top) =
        tokio::join!(expected::load(db, interface, functions, event), bisect::whole_digest(client, event));
    let expected = expected?;
    let compared = compare_with_wallet(client, event, &expected.states, top).await?;
    Ok((expected, compared))
}

fn counts(expected: &Expected, compared: &Compared) -> ReconcileCounts {
    let mut differences: std::collections::BTreeMap<String, u64> =
        Difference::ALL.iter().map(|class| (class.as_str().to_owned(), 0)).collect();
    for pair in &compared.pairs {
        *differences.entry(pair.class.as_str().to_owned()).or_default() += 1;
    }
    let unknown = differences[Difference::UnknownToBoxOffice.as_str()];
    ReconcileCounts {
        tickets_checked: expected.states.len() as u64 + unknown,
        box_office_tickets: expected.states.len() as u64,
        wallet_tickets: compared.wallet_tickets,
        digest_calls: compared.digest_calls,
        tickets_listed: compared.tickets_listed,
        differences,
    }
}

fn found(expected: &Expected, pair: &bisect::Pair, outcome: Option<&repair::Outcome>) -> Found {
    let ours = pair.expected.map(|at| &expected.states[at]);
    let ticket_id = ours.or(pair.held.as_ref()).map(|s| s.ticket_id.to_string()).unwrap_or_default();
    let event_id = pair.held_event.clone().or_else(|| match pair.expected.map(|at| &expected.sources[at]) {
        Some(Source::Foreign { event_id }) => Some(event_id.to_string()),
        _ => None,
    });
    Found {
        ticket_id,
        event_id,
        class: pair.class,
        box_office: ours.cloned(),
        wallet: pair.held.clone(),
        repair: outcome.map(|o| o.note.clone()),
        resolved: outcome.is_some_and(|o| o.resolved),
    }
}

/// A state in a run log line.
fn describe(state: Option<&TicketState>) -> String {
    let Some(state) = state else { return "nothing".into() };
    let mut text = state.status.as_str().to_owned();
    if let Some(version) = state.barcode_version {
        text.push_str(&format!(", barcode {version}"));
    }
    if let Some(reason) = &state.reason {
        text.push_str(&format!(", reason {reason}"));
    }
    if state.show_deleted_ticket {
        text.push_str(", shown deleted");
    }
    text
}

/// A run of a `RECONCILE` function: compare, list each difference in the run log, and with
/// `repair` send what makes both sides agree. An operator's request replaces the settings.
pub async fn run(ctx: &mut RunCtx<'_>, settings: &ReconcileSettings) -> Result<(), Failure> {
    let asked = ctx.options.reconcile.clone();
    let (event, repair) = match &asked {
        Some(request) => (request.event.clone(), request.repair),
        None => (settings.event.clone(), settings.repair),
    };
    let event = check_event("event", event.as_deref()).map_err(|e| Failure::Stopped(e.to_string()))?;
    let functions = Functions::of(
        list_functions(&ctx.db, ctx.interface.id).await.map_err(|e| Failure::Stopped(format!("functions: {e}")))?,
    );
    let (expected, compared) = match check(&ctx.db, &ctx.client, ctx.interface, &functions, event.as_deref()).await {
        Ok(found) => found,
        Err(CompareError::UnknownEvent(e)) if asked.is_some() => {
            return Err(Failure::NotFound { field: "event", message: format!("no event {e:?}") });
        }
        Err(CompareError::UnknownEvent(e)) => {
            return Err(Failure::Stopped(format!("settings.event: no event {e:?} in the box office or the wallet")));
        }
        Err(CompareError::Call(e)) => return Err(e.into()),
        Err(CompareError::Sql(e)) => return Err(e.into()),
    };
    ctx.run.counts.reconcile = Some(counts(&expected, &compared));
    ctx.run.counts.selected = compared.pairs.len() as u64;
    let outcomes = if repair && !compared.pairs.is_empty() {
        Some(repair::repair(ctx, &expected, &functions, &compared.pairs).await?)
    } else {
        None
    };
    let mut list = Vec::with_capacity(compared.pairs.len());
    for (k, pair) in compared.pairs.iter().enumerate() {
        let outcome = outcomes.as_ref().map(|all| &all[k]);
        let found = found(&expected, pair, outcome);
        let mut line = format!(
            "{}: box office {}; wallet {}",
            pair.class.as_str(),
            describe(found.box_office.as_ref()),
            describe(found.wallet.as_ref())
        );
        if let Some(note) = &found.repair {
            line.push_str(&format!(" — {note}"));
        }
        ctx.run.note(Some(&found.ticket_id), line);
        list.push(found);
    }
    ctx.report = Some(json!({ "event": event, "repair": repair, "differences": list }));
    Ok(())
}
