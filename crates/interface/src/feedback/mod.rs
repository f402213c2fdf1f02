//! Retrieve ticket status (feedback): wallet → box office. Pages the wallet's diff feed from
//! the stored pagination key and, per page in ONE transaction, writes the mobile status,
//! owner, holder, counters and history onto the box-office tickets, mirrors ownership changes
//! on contacts (SPEC §7.1), and stores the next key — so a crash replays at most one page,
//! whose writes are idempotent.

mod apply;
mod contacts;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::{Failure, RunCtx};
use crate::functions::settings::FeedbackSettings;

/// One ticket of the feed, as the wallet reports it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedTicket {
    pub ticket_id: String,
    pub status: String,
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

/// The wallet caps a diff page at this many tickets.
const MAX_PAGE: usize = 10_000;

pub async fn run(ctx: &mut RunCtx<'_>, settings: &FeedbackSettings) -> Result<(), Failure> {
    let skip = settings.skip();
    if let Some(file) = ctx.options.file.clone() {
        let page: Vec<FeedTicket> = parse_page(&file)?;
        return apply::apply_page(ctx, &page, &skip, None).await;
    }
    let mut key = ctx.function.pagination_key.clone();
    loop {
        let page = ctx.client.diff(&key, settings.batch_size.min(MAX_PAGE)).await?;
        if page.tickets.is_empty() {
            break;
        }
        let tickets: Vec<FeedTicket> =
            page.tickets
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<_, _>>()
                .map_err(|e| Failure::Call(crate::client::CallError::BadAnswer(format!("diff entry: {e}"))))?;
        let rejected_before = ctx.run.counts.rejected;
        apply::apply_page(ctx, &tickets, &skip, Some(&page.next_pagination_key)).await?;
        if ctx.run.counts.rejected > rejected_before && !ctx.interface.params.do_continue_in_case_of_sync_error {
            return Err(Failure::Stopped(
                "a ticket failed to sync and doContinueInCaseOfSyncError=false: the cursor stays before it".into(),
            ));
        }
        key = page.next_pagination_key;
        ctx.keep_lease().await?;
    }
    Ok(())
}

/// "File to upload": a diff page (`{"tickets": [...]}`) processed as if the wallet returned it.
fn parse_page(file: &str) -> Result<Vec<FeedTicket>, Failure> {
    #[derive(Deserialize)]
    struct Page {
        tickets: Vec<FeedTicket>,
    }
    serde_json::from_str::<Page>(file)
        .map(|p| p.tickets)
        .map_err(|e| Failure::Stopped(format!("file to upload: not a diff page ({{\"tickets\": [...]}}): {e}")))
}
