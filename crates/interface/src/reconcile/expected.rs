//! The box office's side of a reconcile: what it believes the wallet holds — each ticket an
//! injection of this interface sent or feedback has seen, in the state the functions lead it
//! to (its box-office status, the barcode as injected, the deletion as push cancelled sends
//! it, a control the wallet reported) — plus the foreign tickets a reconcile deleted, reduced
//! by the domain's digest rule and sorted in its order.

use std::collections::HashMap;

use tixbridge_boxoffice::wallet_side::injection_catalog::Catalog;
use tixbridge_boxoffice::wallet_side::injection_selection::tickets_by_id;
use tixbridge_boxoffice::wallet_side::reconcile::{CatalogTicket, EventScope, catalog_tickets};
use tixbridge_domain::digest::{DigestStatus, TicketState};
use tixbridge_domain::{TicketStatus, WalletStatus};
use tixbridge_store::Db;

use super::foreign;
use crate::config::Interface;
use crate::functions::{FunctionDef, FunctionKind, Settings};
use crate::processed::first_processors;

/// The interface's functions, as a reconcile needs them.
pub(super) struct Functions {
    /// Injection functions by id: what they put around the barcode.
    pub injections: HashMap<i64, FunctionDef>,
    /// Push cancelled functions (id, notifySpectator), by id.
    pub push_cancelled: Vec<(i64, bool)>,
    pub push_controlled: Vec<i64>,
}

impl Functions {
    pub fn of(list: Vec<FunctionDef>) -> Self {
        let mut functions =
            Self { injections: HashMap::new(), push_cancelled: Vec::new(), push_controlled: Vec::new() };
        for f in list {
            match (&f.kind, &f.settings) {
                (FunctionKind::Injection, _) => {
                    functions.injections.insert(f.id, f);
                }
                (FunctionKind::PushCancelled, Settings::Push(s)) => {
                    functions.push_cancelled.push((f.id, s.notify_spectator))
                }
                (FunctionKind::PushControlled, _) => functions.push_controlled.push(f.id),
                _ => {}
            }
        }
        functions
    }

    fn injection_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.injections.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// The barcode injection `function` sent for a box-office `barcode`.
    fn wallet_barcode(&self, function: Option<i64>, barcode: &str) -> String {
        match function.and_then(|id| self.injections.get(&id)).map(|f| &f.settings) {
            Some(Settings::Injection(s)) => format!("{}{barcode}{}", s.barcode_prefix, s.barcode_postfix),
            _ => barcode.to_owned(),
        }
    }

    /// The `notifySpectator` of push `function`, else of the interface's first push cancelled.
    fn notify_spectator(&self, function: Option<i64>) -> bool {
        let of = |id| self.push_cancelled.iter().find(|(f, _)| *f == id).map(|(_, notify)| *notify);
        function.and_then(of).or_else(|| self.push_cancelled.first().map(|(_, notify)| *notify)).unwrap_or(false)
    }
}

/// Where the box office's view of a ticket comes from.
#[derive(Debug, Clone)]
pub(super) enum Source {
    BoxOffice(BoxOfficeTicket),
    /// Deleted in the wallet by a reconcile (or found so), never sold by the box office.
    Foreign {
        event_id: Box<str>,
    },
}

#[derive(Debug, Clone)]
pub(super) struct BoxOfficeTicket {
    pub id: i64,
    pub status: TicketStatus,
    pub status_changed_at: i64,
    /// The injection function that sent it; `None` when it reached the wallet another way.
    pub injected_by: Option<i64>,
}

/// The box office's view, sorted by ticket id, each state with its source.
pub(super) struct Expected {
    pub states: Vec<TicketState>,
    pub sources: Vec<Source>,
}

/// Which box-office tickets wallet event `event` holds; `None` when no box-office ticket can
/// be in it (an id the injection never gives).
fn scope(event: Option<&str>) -> Option<EventScope> {
    let Some(event) = event else { return Some(EventScope::All) };
    let number = |text: &str| text.parse::<i64>().ok().filter(|n| n.to_string() == text);
    if let Some(performance) = event.strip_prefix('P') {
        return number(performance).map(EventScope::Performance);
    }
    let product = event.strip_prefix('U')?.split('-').next()?;
    number(product).map(EventScope::UndatedProduct)
}

/// The box office's view of `event` (every ticket when `None`).
pub(super) async fn load(
    db: &Db,
    interface: &Interface,
    functions: &Functions,
    event: Option<&str>,
) -> Result<Expected, sqlx::Error> {
    let believed = match scope(event) {
        None => Vec::new(),
        Some(scope) => believed(db, interface, functions, scope, event).await?,
    };
    let mut entries: Vec<(TicketState, Source)> =
        believed.into_iter().map(|b| (state_of(&b, interface, functions), source_of(b))).collect();
    for t in foreign::load(db, interface.id, event).await? {
        let state = TicketState::new(
            t.ticket_ref.as_str(),
            DigestStatus::Deleted,
            "",
            t.reason.as_deref(),
            Some(t.show_deleted_ticket),
        );
        entries.push((state, Source::Foreign { event_id: t.event_id.into() }));
    }
    // the digest's order; at one id the box office's own ticket wins over an old record
    entries.sort_unstable_by(|(a, x), (b, y)| {
        a.ticket_id
            .cmp(&b.ticket_id)
            .then(matches!(x, Source::Foreign { .. }).cmp(&matches!(y, Source::Foreign { .. })))
    });
    entries.dedup_by(|later, first| later.0.ticket_id == first.0.ticket_id);
    let (states, sources) = entries.into_iter().unzip();
    Ok(Expected { states, sources })
}

/// A ticket the box office believes the wallet holds: its row, and which of the interface's
/// functions sent it (injection) and deleted it (push cancelled).
struct Believed {
    row: CatalogTicket,
    injected_by: Option<i64>,
    deleted_by: Option<i64>,
}

/// The tickets of `scope` (of `event`) that an injection of the interface sent or feedback
/// has seen: the box office's tickets joined in memory with the interface's processed marks,
/// each read in one pass.
async fn believed(
    db: &Db,
    interface: &Interface,
    functions: &Functions,
    scope: EventScope,
    event: Option<&str>,
) -> Result<Vec<Believed>, sqlx::Error> {
    let rows = catalog_tickets(&mut db.reader().await?, interface.organization_id, scope).await?;
    let rows = match (scope, event) {
        (EventScope::UndatedProduct(_), Some(event)) => in_event(db, interface, rows, event).await?,
        _ => rows,
    };
    let ids = rows.iter().fold((i64::MAX, i64::MIN), |(first, last), r| (first.min(r.id), last.max(r.id)));
    let injected = first_processors(db, &functions.injection_ids(), ids).await?;
    let push_ids: Vec<i64> = functions.push_cancelled.iter().map(|(id, _)| *id).collect();
    let deleted = first_processors(db, &push_ids, ids).await?;
    let by = |marks: &[(i64, i64)], id: i64| marks.binary_search_by_key(&id, |(t, _)| *t).ok().map(|at| marks[at].1);
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let injected_by = by(&injected, row.id);
            if injected_by.is_none() && row.mobile_status.is_none() {
                return None; // never sent to the wallet, never seen there
            }
            let deleted_by = by(&deleted, row.id);
            Some(Believed { row, injected_by, deleted_by })
        })
        .collect())
}

/// The state the box office expects the wallet to hold for `b`.
fn state_of(b: &Believed, interface: &Interface, functions: &Functions) -> TicketState {
    let row = &b.row;
    let status: TicketStatus = row.status.parse().unwrap_or(TicketStatus::Printed);
    let mirror: Option<WalletStatus> = row.mobile_status.as_deref().and_then(|s| s.parse().ok());
    let expected = DigestStatus::expected(status, mirror);
    let reason = row.invalidation_reason.as_deref().unwrap_or_default();
    let notify = functions.notify_spectator(b.deleted_by);
    let show = crate::push::show_deleted_ticket(&interface.params, notify, reason);
    let barcode = functions.wallet_barcode(b.injected_by, &row.barcode);
    TicketState::new(row.id.to_string(), expected, &barcode, Some(reason), Some(show))
}

fn source_of(b: Believed) -> Source {
    Source::BoxOffice(BoxOfficeTicket {
        id: b.row.id,
        status: b.row.status.parse().unwrap_or(TicketStatus::Printed),
        status_changed_at: b.row.status_changed_at,
        injected_by: b.injected_by,
    })
}

/// Those of `rows` (tickets of one undated product) whose wallet event is `event`: their
/// event depends on their dates, computed as the injection does.
async fn in_event(
    db: &Db,
    interface: &Interface,
    rows: Vec<CatalogTicket>,
    event: &str,
) -> Result<Vec<CatalogTicket>, sqlx::Error> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut conn = db.reader().await?;
    let columns = tickets_by_id(&mut conn, interface.organization_id, &ids).await?;
    let full = Catalog::default().rows(&mut conn, columns).await?;
    let inside: std::collections::HashSet<i64> = full
        .iter()
        .filter(|row| crate::injection::payload::event_id(row, &interface.params).is_ok_and(|id| id == event))
        .map(|row| row.t.id)
        .collect();
    Ok(rows.into_iter().filter(|r| inside.contains(&r.id)).collect())
}
