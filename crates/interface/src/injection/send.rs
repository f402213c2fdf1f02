//! Sending one page to the wallet while the run selects and builds the next ones, then
//! settling it: the run waits for the answer and prints what the wallet accepted, in one
//! transaction with the run's counts. The run settles every page it sent before it ends,
//! whatever stopped it, so nothing it started is left printing on its own after its record.

use std::time::Instant;

use serde_json::Value;

use crate::client::WalletClient;
use crate::processed::{Print, Processed, mark_processed};
use crate::runs::Phases;
use crate::runs::{Failure, RunCtx, now_ms};

/// The wallet's answer to one page.
pub struct Answered {
    sent: u64,
    accepted: Vec<Processed>,
    refused: Vec<(String, String)>,
    wallet_ms: u64,
}

/// A page in the wallet's hands.
pub type InFlight = tokio::task::JoinHandle<Result<Answered, Failure>>;

/// Where a page goes.
#[derive(Clone)]
pub struct Sender {
    pub client: WalletClient,
}

impl Sender {
    /// Starts sending `bodies` (wallet payloads of box-office tickets `ids`, in the same
    /// order) in the background.
    pub fn spawn(&self, ids: Vec<i64>, bodies: Vec<Value>) -> InFlight {
        let sender = self.clone();
        tokio::spawn(async move { sender.send(ids, bodies).await })
    }

    async fn send(self, ids: Vec<i64>, bodies: Vec<Value>) -> Result<Answered, Failure> {
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
        Phases::lap(&mut wallet_ms, started);
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
        Ok(Answered { sent: sent as u64, accepted, refused, wallet_ms })
    }
}

/// Waits for a page in flight, prints what the wallet accepted (as `point_of_sale`, the
/// function's) and folds the page into the run, in one transaction with the run's counts.
pub async fn settle(ctx: &mut RunCtx<'_>, page: InFlight, point_of_sale: i64) -> Result<(), Failure> {
    let answered = page.await.map_err(|e| Failure::Stopped(format!("sending a page failed: {e}")))??;
    let lap = Instant::now();
    let mut tx = ctx.db.begin_write().await?;
    let print = Print::Yes { point_of_sale: Some(point_of_sale) };
    let printed = mark_processed(&mut tx, ctx.function.id, ctx.run.id, &answered.accepted, print, now_ms()).await?;
    let mut counts = ctx.run.counts.clone();
    counts.sent += answered.sent;
    counts.accepted += answered.accepted.len() as u64;
    counts.rejected += answered.refused.len() as u64;
    counts.written += printed;
    ctx.commit_page(tx, counts).await?;
    let run = &mut ctx.run;
    run.phases.wallet_ms += answered.wallet_ms;
    Phases::lap(&mut run.phases.write_ms, lap);
    for (ticket, message) in answered.refused {
        run.note(Some(&ticket), message);
    }
    Ok(())
}
