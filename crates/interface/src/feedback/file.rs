//! "File to upload" on feedback: a diff page (`{"tickets": [...]}`) processed as if the wallet
//! had returned it. A file is the operator's word, not the wallet's, so it may only change
//! tickets this organization injected through its interface or exported to the away club;
//! anything else refuses the whole file before a row is written.

use std::collections::HashSet;

use serde::Deserialize;
use tixbridge_boxoffice::wallet_side::feedback::organization_tickets_where;

use super::FeedTicket;
use crate::processed::injected_by_interface;
use crate::runs::{Failure, RunCtx};

/// Parses the file and checks every ticket it names.
pub(super) async fn checked_page(ctx: &RunCtx<'_>, file: &str) -> Result<Vec<FeedTicket>, Failure> {
    #[derive(Deserialize)]
    struct Page {
        tickets: Vec<FeedTicket>,
    }
    let page = serde_json::from_str::<Page>(file)
        .map_err(|e| Failure::FileRefused(format!("not a diff page ({{\"tickets\": [...]}}): {e}")))?
        .tickets;
    let mut ids = Vec::with_capacity(page.len());
    for ticket in &page {
        let id = ticket
            .ticket_id
            .parse::<i64>()
            .map_err(|_| Failure::FileRefused(format!("ticket {:?}: not a ticket id", ticket.ticket_id)))?;
        ids.push(id);
    }
    let injected = injected_here(ctx, &ids).await?;
    if let Some(id) = ids.iter().find(|id| !injected.contains(id)) {
        return Err(Failure::FileRefused(format!(
            "ticket {id}: not a ticket this organization injected (a ticket of this organization, \
             processed by an injection function of this interface or exported to the away club)"
        )));
    }
    Ok(page)
}

/// Which of `ids` are tickets of the interface's organization that one of its injection
/// functions processed, or that the away export listed.
async fn injected_here(ctx: &RunCtx<'_>, ids: &[i64]) -> Result<HashSet<i64>, Failure> {
    let unique: Vec<i64> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    let injected = injected_by_interface(ctx.interface.id).or_away_exported();
    let mut conn = ctx.db.reader().await?;
    Ok(organization_tickets_where(
        &mut conn,
        tixbridge_domain::OrganizationId::new(ctx.interface.organization_id),
        &unique,
        &injected,
    )
    .await?)
}
