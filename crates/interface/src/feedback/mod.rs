//! Retrieve ticket status (feedback): wallet → box office. Pages the wallet's diff feed from
//! the stored pagination key and, per page in ONE transaction, writes the mobile status,
//! owner, holder, counters and history onto the box-office tickets, mirrors ownership changes
//! on contacts (docs/interface.md#contacts-and-distribution), brings back the controls only
//! the wallet heard of (offline gate scans), and stores the next key — so a crash replays at
//! most one page, whose writes are idempotent. Entries of tickets that reached the wallet
//! outside the interface are matched to the away tickets they were exported from, or passed
//! by with a warning (docs/interface.md#retrieve-ticket-status).

mod apply;
mod contacts;
mod file;
mod matching;

use serde::Deserialize;
use serde_json::Value;

use crate::functions::settings::FeedbackSettings;
use crate::runs::{Failure, RunCtx};

/// One ticket of the feed, as the wallet reports it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedTicket {
    pub ticket_id: String,
    pub status: String,
    /// The barcode the ticket was injected with.
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default)]
    pub owner: Option<Value>,
    #[serde(default)]
    pub holder: Option<Value>,
    #[serde(default)]
    pub forward_transfers: i64,
    #[serde(default)]
    pub backward_transfers: i64,
    #[serde(default)]
    pub history: Vec<Value>,
}

/// Sets the feedback lag (docs/observability.md): how far the wallet's feed is ahead of
/// the key this page brings the function to. The keys are the wallet's feed positions.
fn record_lag(ctx: &RunCtx<'_>, page: &crate::client::DiffPage) {
    if let (Some(position), Ok(key)) = (page.feed_position, page.next_pagination_key.parse::<i64>()) {
        ctx.db.metrics().feedback_lag(ctx.function.id, position - key);
    }
}

/// The wallet caps a diff page at this many tickets.
const MAX_PAGE: usize = 10_000;

pub async fn run(ctx: &mut RunCtx<'_>, settings: &FeedbackSettings) -> Result<(), Failure> {
    let skip = settings.skip();
    if let Some(file) = ctx.options.file.clone() {
        let page = file::checked_page(ctx, &file).await?;
        apply::apply_page(ctx, &page, &skip, None, false).await?;
        return Ok(());
    }
    let mut key = ctx.function.pagination_key.clone();
    loop {
        let mut page = ctx.client.diff(&key, settings.batch_size.min(MAX_PAGE)).await?;
        record_lag(ctx, &page);
        if page.tickets.is_empty() {
            break;
        }
        // the entry's content is not quoted: it came from the configured URL, not necessarily the wallet
        let tickets: Vec<FeedTicket> = std::mem::take(&mut page.tickets)
            .into_iter()
            .enumerate()
            .map(|(i, entry)| {
                serde_json::from_str(entry.get()).map_err(|_| {
                    Failure::Call(crate::client::CallError::BadAnswer(format!("diff entry {i}: not a wallet ticket")))
                })
            })
            .collect::<Result<_, _>>()?;
        let hold = !ctx.interface.params.do_continue_in_case_of_sync_error;
        let outcome = apply::apply_page(ctx, &tickets, &skip, Some(&page.next_pagination_key), hold).await?;
        if outcome == apply::PageOutcome::HeldAt {
            return Err(Failure::Stopped(
                "a ticket failed to sync and doContinueInCaseOfSyncError=false: the cursor stays before it".into(),
            ));
        }
        key = page.next_pagination_key;
        ctx.keep_lease().await?;
    }
    Ok(())
}
