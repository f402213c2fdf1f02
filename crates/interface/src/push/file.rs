//! "File to upload" on a push: a wallet batch answer (`{"results": [...]}`) obtained out of
//! band, processed as if the wallet had just returned it. A file is the operator's word, not
//! the wallet's, so it may only name tickets this function would select now (this
//! organization's, in the pushed status, injected or exported, not yet processed); anything else refuses
//! the whole file before a mark is written.

use std::collections::{HashMap, HashSet};

use tixbridge_boxoffice::wallet_side::push_selection::push_candidates_among;

use super::record_answers;
use super::select::Selection;
use crate::client::TicketAnswer;
use crate::runs::{Failure, RunCtx};

pub(super) async fn process_answer_file(
    ctx: &mut RunCtx<'_>,
    file: &str,
    selection: &Selection,
) -> Result<(), Failure> {
    #[derive(serde::Deserialize)]
    struct AnswerFile {
        results: Vec<TicketAnswer>,
    }
    let parsed: AnswerFile = serde_json::from_str(file)
        .map_err(|e| Failure::FileRefused(format!("not a wallet batch answer ({{\"results\": [...]}}): {e}")))?;
    let mut ids = Vec::with_capacity(parsed.results.len());
    for answer in &parsed.results {
        let id = answer
            .ticket_id
            .parse::<i64>()
            .map_err(|_| Failure::FileRefused(format!("ticket {:?}: not a ticket id", answer.ticket_id)))?;
        ids.push(id);
    }
    let selectable = selectable(ctx, selection, &ids).await?;
    let what = selection.statuses();
    let mut reasons = HashMap::new();
    for (answer, id) in parsed.results.iter().zip(&ids) {
        let Some(reason) = selectable.get(id) else {
            return Err(Failure::FileRefused(format!(
                "ticket {id}: not a ticket this function would select (a ticket of this organization, {what}, \
                 on one of its shipment modes, injected by this interface or exported to the away club, and not yet \
                 processed by this function)"
            )));
        };
        reasons.insert(answer.ticket_id.clone(), (*id, reason.clone()));
    }
    ctx.run.counts.selected = parsed.results.len() as u64;
    record_answers(ctx, &parsed.results, &reasons).await
}

/// Which of `ids` the function would select now, with their invalidation reasons.
async fn selectable(
    ctx: &RunCtx<'_>,
    selection: &Selection,
    ids: &[i64],
) -> Result<HashMap<i64, Option<String>>, Failure> {
    let unique: Vec<i64> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    let rows = push_candidates_among(&mut ctx.db.reader().await?, &selection.filter(), &unique).await?;
    Ok(rows.into_iter().map(|row| (row.id, row.invalidation_reason)).collect())
}
