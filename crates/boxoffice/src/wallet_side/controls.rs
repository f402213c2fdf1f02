//! Bringing back the controls the wallet reports (docs/products-and-statuses.md#box-office-moves):
//! a gate that checked codes against the wallet's offline bundle uploads its scans later, and
//! only the wallet hears of them. Feedback hands the tickets the wallet reports `CONTROLLED`
//! to [`control_reported`], inside its page's transaction.

use std::collections::HashSet;

use tixbridge_domain::{TicketAction, TicketId, TicketStatus};
use tixbridge_store::{Tx, sql};

/// The most ids one statement lists.
const CHUNK: usize = 1_000;

/// What became of the controls the wallet reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedControls {
    /// Tickets now `CONTROLLED` in the box office.
    pub controlled: Vec<TicketId>,
    /// Tickets the box office may not control, with their status: cancelled or invalidated
    /// here while the wallet let them in.
    pub refused: Vec<(TicketId, TicketStatus)>,
}

/// Controls `ids` inside `tx`: each ticket takes the status the state machine gives its
/// current status for [`TicketAction::Control`] (`NOT_PRINTED` or `PRINTED` →
/// `CONTROLLED`). A ticket already `CONTROLLED` is left as it is (the wallet repeats what it
/// reported); one the machine refuses otherwise stays as it is and is returned in `refused`.
/// The change is announced to other processes when the transaction commits; the caller
/// signals this one after the commit.
pub async fn control_reported(tx: &mut Tx, ids: &[i64], now: i64) -> Result<ReportedControls, sqlx::Error> {
    let mut outcome = ReportedControls::default();
    if ids.is_empty() {
        return Ok(outcome);
    }
    let moves: Vec<(TicketStatus, TicketStatus)> = TicketStatus::ALL
        .into_iter()
        .filter_map(|from| from.transition(&TicketAction::Control).ok().map(|to| (from, to)))
        .collect();
    let cases: String = moves.iter().map(|(from, to)| format!(" WHEN '{from}' THEN '{to}'")).collect();
    let froms = moves.iter().map(|(from, _)| format!("'{from}'")).collect::<Vec<_>>().join(", ");
    for chunk in ids.chunks(CHUNK) {
        let mut update = sql(format!("UPDATE bo_tickets SET status = CASE status{cases} END, status_changed_at = "));
        update.push_bind(now).push(&format!(" WHERE status IN ({froms}) AND id IN "));
        update.push_list(chunk.iter().copied()).push(" RETURNING id");
        let controlled: HashSet<i64> = update.scalars(tx).await?.into_iter().collect();
        outcome.controlled.extend(controlled.iter().copied().map(TicketId::new));
        let rest: Vec<i64> = chunk.iter().copied().filter(|id| !controlled.contains(id)).collect();
        if rest.is_empty() {
            continue;
        }
        let mut select = sql("SELECT id, status FROM bo_tickets WHERE id IN ");
        select.push_list(rest.iter().copied());
        for (id, status) in select.fetch_all::<(i64, String)>(tx).await? {
            let Ok(status) = status.parse::<TicketStatus>() else { continue };
            if status != TicketStatus::Controlled {
                outcome.refused.push((TicketId::new(id), status));
            }
        }
    }
    if !outcome.controlled.is_empty() {
        tx.announce_change().await?;
    }
    Ok(outcome)
}
