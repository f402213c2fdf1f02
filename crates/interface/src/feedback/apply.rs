//! Writing one feed page onto the box office, in one transaction with the new cursor.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use tixbridge_store::on_writer;

use super::FeedTicket;
use super::contacts::{OwnershipChange, mirror_ownership};
use crate::engine::{Failure, RunCtx, now_ms};

#[derive(sqlx::FromRow)]
struct Known {
    id: i64,
    organization_id: i64,
    tax_number: Option<String>,
}

/// What one feed ticket becomes in the box office.
struct Mirror<'a> {
    id: i64,
    organization_id: i64,
    feed: &'a FeedTicket,
    owner_email: Option<String>,
    holder: Option<String>,
}

/// What became of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageOutcome {
    /// Every ticket was applied, skipped or logged as failed; the new key is stored.
    Done,
    /// A ticket failed while failures must hold the cursor: the tickets before it were
    /// applied, the key was not moved, and the next run reads this page again.
    HeldAt,
}

/// Applies `page`; `next_key`, when given, is stored with it. With `stop_at_failure` the
/// first ticket that cannot be applied ends the page there and the key stays where it was.
pub(super) async fn apply_page(
    ctx: &mut RunCtx<'_>,
    page: &[FeedTicket],
    skip_tax_numbers: &[String],
    next_key: Option<&str>,
    stop_at_failure: bool,
) -> Result<PageOutcome, Failure> {
    let mut examined = 0_u64;
    let organization = ctx.interface.organization_id;
    let distribute = ctx.interface.params.enable_ticket_distribution_to_cultural_contact;
    let function_id = ctx.function.id;
    let now = now_ms();
    let ids: Vec<i64> = page.iter().filter_map(|t| t.ticket_id.parse().ok()).collect();
    let mut notes: Vec<(String, String)> = Vec::new();
    let (mut skipped, mut failed) = (0_u64, 0_u64);
    let mut held = false;
    let applied = on_writer!(&ctx.engine.db, |pool| {
        let mut tx = pool.begin().await?;
        let mut known: HashMap<i64, Known> = HashMap::new();
        for chunk in ids.chunks(1_000) {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT t.id, t.organization_id, t.tax_number FROM bo_tickets t
                 JOIN bo_products p ON p.id = t.product_id WHERE p.organization_id = ",
            );
            q.push_bind(organization).push(" AND t.id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            let rows: Vec<Known> = q.build_query_as().fetch_all(&mut *tx).await?;
            known.extend(rows.into_iter().map(|k| (k.id, k)));
        }
        let mut mirrors = Vec::with_capacity(page.len());
        for feed in page {
            examined += 1;
            let Some(found) = feed.ticket_id.parse::<i64>().ok().and_then(|id| known.get(&id)) else {
                failed += 1;
                if stop_at_failure {
                    notes.push((
                        feed.ticket_id.clone(),
                        "not a ticket of this box office: the cursor stays before it".into(),
                    ));
                    held = true;
                    break;
                }
                notes.push((feed.ticket_id.clone(), "not a ticket of this box office: skipped".into()));
                continue;
            };
            if found.tax_number.as_ref().is_some_and(|t| skip_tax_numbers.contains(t)) {
                skipped += 1;
                continue;
            }
            mirrors.push(Mirror {
                id: found.id,
                organization_id: found.organization_id,
                feed,
                owner_email: feed.owner.as_ref().and_then(|o| o["email"].as_str()).map(str::to_lowercase),
                holder: feed.holder.as_ref().filter(|h| !h.is_null()).map(Value::to_string),
            });
        }
        for part in mirrors.chunks(1_000) {
            let mut update = sqlx::QueryBuilder::new(
                "UPDATE bo_tickets SET mobile_status = v.column2, wallet_owner_email = v.column3,
                     wallet_holder = v.column4, forward_transfers = v.column5, backward_transfers = v.column6,
                     wallet_synced_at = v.column7 FROM (",
            );
            update.push_values(part, |mut row, m| {
                row.push_bind(m.id)
                    .push_bind(m.feed.status.as_str())
                    .push_bind(m.owner_email.as_deref())
                    .push_bind(m.holder.as_deref())
                    .push_bind(m.feed.forward_transfers)
                    .push_bind(m.feed.backward_transfers)
                    .push_bind(now);
            });
            update.push(") AS v WHERE bo_tickets.id = v.column1");
            update.build().execute(&mut *tx).await?;
        }
        let mut fresh: HashSet<EntryKey> = HashSet::new();
        let history: Vec<(i64, &Value)> =
            mirrors.iter().flat_map(|m| m.feed.history.iter().map(move |h| (m.id, h))).collect();
        for part in history.chunks(1_000) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO bo_ticket_mobile_history (ticket_id, at, status, action, detail) ",
            );
            insert.push_values(part, |mut row, (id, h)| {
                row.push_bind(*id)
                    .push_bind(h["at"].as_str().unwrap_or_default().to_owned())
                    .push_bind(h["status"].as_str().unwrap_or_default().to_owned())
                    .push_bind(h["action"].as_str().unwrap_or_default().to_owned())
                    .push_bind(h["detail"].to_string());
            });
            insert.push(
                " ON CONFLICT (ticket_id, at, status, action) DO NOTHING RETURNING ticket_id, at, status, action",
            );
            let rows: Vec<EntryKey> = insert.build_query_as().fetch_all(&mut *tx).await?;
            fresh.extend(rows);
        }
        if distribute {
            for m in &mirrors {
                // only entries seen for the first time: the wallet repeats a ticket's earlier
                // entries each time it reports the ticket, and replaying an old offer would
                // undo the transfer that followed it
                for entry in m.feed.history.iter().filter(|h| fresh.contains(&entry_key(m.id, h))) {
                    let change = OwnershipChange::from_entry(entry, m.feed);
                    if let Some(change) = change {
                        mirror_ownership!(tx, m.organization_id, m.id, change, now);
                    }
                }
            }
        }
        if let Some(key) = next_key.filter(|_| !held) {
            sqlx::query("UPDATE itf_functions SET pagination_key = $1 WHERE id = $2")
                .bind(key)
                .bind(function_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        mirrors.len() as u64
    });
    // a held page counts only the tickets up to the failing one: the rest were not looked at
    ctx.run.counts.selected += examined;
    ctx.run.counts.accepted += applied;
    ctx.run.counts.written += applied;
    ctx.run.counts.skipped += skipped;
    ctx.run.counts.rejected += failed;
    for (ticket, message) in notes {
        ctx.run.note(Some(&ticket), message);
    }
    Ok(if held { PageOutcome::HeldAt } else { PageOutcome::Done })
}

/// A history entry as the box office keys it: ticket, `at`, status, action.
type EntryKey = (i64, String, String, String);

fn entry_key(ticket: i64, entry: &Value) -> EntryKey {
    let text = |field: &str| entry[field].as_str().unwrap_or_default().to_owned();
    (ticket, text("at"), text("status"), text("action"))
}
