//! Sending one page to the wallet and printing what it accepted, detached from the run so
//! the next page is selected and built while this one is in the wallet's hands. Each page's
//! outcome still commits in its own transaction right after the wallet answers.

use std::time::Instant;

use serde_json::Value;
use tixbridge_store::Db;

use crate::client::WalletClient;
use crate::processed::{Print, Processed, mark_processed};
use crate::runs::Phases;
use crate::runs::{Failure, RunCtx, now_ms};

/// What one page did, to fold into the run record.
pub struct PageOutcome {
    sent: u64,
    accepted: u64,
    printed: u64,
    refused: Vec<(String, String)>,
    wallet_ms: u64,
    write_ms: u64,
}

/// Where a page goes.
#[derive(Clone)]
pub struct Sender {
    pub client: WalletClient,
    pub db: Db,
    pub function_id: i64,
    pub run_id: i64,
    /// The point of sale the printing is done as (the function's `pointOfSale`).
    pub point_of_sale: i64,
}

impl Sender {
    /// Starts sending `bodies` (wallet payloads of box-office tickets `ids`, in the same
    /// order) in the background.
    pub fn spawn(&self, ids: Vec<i64>, bodies: Vec<Value>) -> tokio::task::JoinHandle<Result<PageOutcome, Failure>> {
        let sender = self.clone();
        tokio::spawn(async move { sender.send(ids, bodies).await })
    }

    async fn send(self, ids: Vec<i64>, bodies: Vec<Value>) -> Result<PageOutcome, Failure> {
        let started = Instant::now();
        let sent = bodies.len();
        let ticket_ids: Vec<Option<String>> =
            bodies.iter().map(|body| body["ticketId"].as_str().map(str::to_owned)).collect();
        // a page is a megabyte of JSON: serialized off the async workers, which meanwhile keep
        // the wallet's and the box office's transactions moving
        let body = tokio::task::spawn_blocking(move || serde_json::to_vec(&bodies))
            .await
            .map_err(|e| Failure::Stopped(format!("serializing a page failed: {e}")))?
            .map_err(|e| Failure::Stopped(format!("serializing a page failed: {e}")))?;
        let answers = self.client.inject(body, sent).await?;
        let mut wallet_ms = 0;
        let lap = Phases::lap(&mut wallet_ms, started);
        let mut accepted = Vec::with_capacity(answers.len());
        let mut refused = Vec::new();
        // the wallet answers one result per ticket, in the order sent (the client checks the count)
        for ((id, ticket_id), answer) in ids.iter().zip(&ticket_ids).zip(&answers) {
            let same_ticket = ticket_id.as_deref() == Some(answer.ticket_id.as_str());
            match same_ticket && answer.accepted() {
                true => accepted.push(Processed { ticket_id: *id, invalidation_reason: None }),
                false => refused.push((
                    answer.ticket_id.clone(),
                    format!("wallet REJECTED: {}", answer.reason.as_deref().unwrap_or("no reason given")),
                )),
            }
        }
        let print = Print::Yes { point_of_sale: Some(self.point_of_sale) };
        let printed = mark_processed(&self.db, self.function_id, self.run_id, &accepted, print, now_ms()).await?;
        let mut write_ms = 0;
        Phases::lap(&mut write_ms, lap);
        Ok(PageOutcome { sent: sent as u64, accepted: accepted.len() as u64, printed, refused, wallet_ms, write_ms })
    }
}

/// Waits for a page in flight, folds its outcome into the run, then stops the run when the
/// refusals pass `killRatio` and keeps its lease.
pub async fn settle(
    ctx: &mut RunCtx<'_>,
    page: tokio::task::JoinHandle<Result<PageOutcome, Failure>>,
) -> Result<(), Failure> {
    fold(ctx, page).await?;
    ctx.check_kill_ratio()?;
    ctx.keep_lease().await
}

/// Waits for a page in flight and folds its outcome into the run.
pub async fn fold(
    ctx: &mut RunCtx<'_>,
    page: tokio::task::JoinHandle<Result<PageOutcome, Failure>>,
) -> Result<(), Failure> {
    let outcome = page.await.map_err(|e| Failure::Stopped(format!("sending a page failed: {e}")))??;
    let run = &mut ctx.run;
    run.counts.sent += outcome.sent;
    run.counts.accepted += outcome.accepted;
    run.counts.rejected += outcome.refused.len() as u64;
    run.counts.written += outcome.printed;
    run.phases.wallet_ms += outcome.wallet_ms;
    run.phases.write_ms += outcome.write_ms;
    for (ticket, message) in outcome.refused {
        run.note(Some(&ticket), message);
    }
    Ok(())
}
