//! Applying organizer requests to stored tickets in one transaction per batch, with one
//! multi-row UPDATE for all the tickets that changed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, Tx, sql};

use super::Request;
use crate::log_rows::{ChainHead, Change, LogRow, insert_log_rows, lock_feed, store_feed_seq};
use crate::results::TicketResult;

const CHUNK: usize = 1_000;

#[derive(sqlx::FromRow, Clone)]
struct Current {
    id: i64,
    ticket_id: String,
    status: String,
    /// Devices that fetched the ticket and have not released it.
    holders: i64,
    log_len: i64,
    last_hash: Vec<u8>,
    deletion_reason: Option<String>,
    show_deleted_ticket: Option<bool>,
    notify_spectator: Option<bool>,
}

/// The new state of one changed ticket; `None` fields keep their stored value.
pub(crate) struct TicketUpdate {
    pub pk: i64,
    pub status: &'static str,
    pub change_seq: i64,
    pub log_len: i64,
    pub last_hash: Vec<u8>,
    pub controlled_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub deletion_reason: Option<String>,
    pub show_deleted_ticket: Option<bool>,
    pub notify_spectator: Option<bool>,
}

/// Writes `updates` with multi-row `UPDATE … FROM (VALUES …)`, which both backends understand
/// (their VALUES columns are both named `column1…`).
async fn apply_ticket_updates(tx: &mut Tx, updates: &[TicketUpdate]) -> Result<(), sqlx::Error> {
    for part in updates.chunks(1_000) {
        let mut update =
            sql("UPDATE wallet_tickets SET status = v.column2, change_seq = v.column3, log_len = v.column4,
                 last_hash = v.column5,
                 controlled_at = COALESCE(v.column6, wallet_tickets.controlled_at),
                 deleted_at = COALESCE(v.column7, wallet_tickets.deleted_at),
                 deletion_reason = COALESCE(v.column8, wallet_tickets.deletion_reason),
                 show_deleted_ticket = COALESCE(v.column9, wallet_tickets.show_deleted_ticket),
                 notify_spectator = COALESCE(v.column10, wallet_tickets.notify_spectator)
             FROM (");
        update.push_values(part, |row, u| {
            row.bind(u.pk)
                .bind(u.status)
                .bind(u.change_seq)
                .bind(u.log_len)
                .bind(u.last_hash.as_slice())
                .bind(u.controlled_at)
                .bind(u.deleted_at)
                .bind(u.deletion_reason.as_deref())
                .bind(u.show_deleted_ticket)
                .bind(u.notify_spectator);
        });
        update.push(") AS v WHERE wallet_tickets.id = v.column1");
        update.execute(tx).await?;
    }
    Ok(())
}

pub(crate) async fn apply(
    db: &Db,
    organizer: i64,
    requests: Vec<(String, Result<Request, TicketResult>)>,
    now: DateTime<Utc>,
) -> Result<Vec<TicketResult>, sqlx::Error> {
    let at = crate::millis(now);
    let mut results = Vec::with_capacity(requests.len());
    let mut tx = db.begin_write().await?;
    let mut feed_seq = lock_feed(&mut tx, organizer).await?;
    let mut current: HashMap<String, Current> = HashMap::with_capacity(requests.len());
    for chunk in requests.chunks(CHUNK) {
        let mut select = sql("SELECT id, ticket_id, status, log_len, last_hash, deletion_reason, show_deleted_ticket,
                 notify_spectator,
                 (SELECT COUNT(*) FROM wallet_device_tickets h
                  WHERE h.ticket_pk = wallet_tickets.id AND h.released_at IS NULL) AS holders
             FROM wallet_tickets WHERE organizer_id = ");
        select.push_bind(organizer).push(" AND ticket_id IN ");
        select.push_list(chunk.iter().map(|(id, _)| id.as_str()));
        let rows: Vec<Current> = select.fetch_all(&mut tx).await?;
        current.extend(rows.into_iter().map(|row| (row.ticket_id.clone(), row)));
    }

    let mut updates: HashMap<i64, TicketUpdate> = HashMap::new();
    let mut log = Vec::new();
    for (ticket_id, request) in requests {
        let request = match request {
            Ok(request) => request,
            Err(refused) => {
                results.push(refused);
                continue;
            }
        };
        let Some(row) = current.get_mut(&ticket_id) else {
            results.push(TicketResult::rejected(&ticket_id, "ticketId: no such ticket for this organizer"));
            continue;
        };
        let from: WalletStatus = match row.status.parse() {
            Ok(status) => status,
            Err(err) => {
                results.push(TicketResult::rejected(&ticket_id, err.to_string()));
                continue;
            }
        };
        if already_so(row, &request, from) {
            // the same request again: nothing to change, and nothing refused either
            results.push(TicketResult::accepted(&ticket_id, from));
            continue;
        }
        let (action, what, detail) = match &request {
            Request::Delete { reason, show_deleted_ticket } if from.is_deleted() => (
                WalletAction::AmendDeletion,
                "delete",
                json!({ "reason": reason, "showDeletedTicket": show_deleted_ticket, "amended": true }),
            ),
            Request::Delete { reason, show_deleted_ticket } => (
                WalletAction::Delete { held_by_device: row.holders > 0 },
                "delete",
                json!({ "reason": reason, "showDeletedTicket": show_deleted_ticket }),
            ),
            Request::Control { notify_spectator, .. } if from == WalletStatus::Controlled => {
                (WalletAction::AmendControl, "control", json!({ "notifySpectator": notify_spectator, "amended": true }))
            }
            Request::Control { at, notify_spectator } => (
                WalletAction::Control,
                "control",
                json!({ "controlledAt": at.to_rfc3339(), "notifySpectator": notify_spectator }),
            ),
        };
        let next = match from.transition(action) {
            Ok(next) => next,
            Err(_) => {
                results.push(TicketResult::refused_move(&ticket_id, what, from));
                continue;
            }
        };
        feed_seq += 1;
        let entry = LogRow::chained(
            &ChainHead { ticket_pk: row.id, ticket_id: &ticket_id, log_len: row.log_len, last_hash: &row.last_hash },
            Change {
                feed_seq,
                at,
                status: next.as_str(),
                action: if what == "delete" { "DELETE" } else { "CONTROL" },
                actor: "organizer",
                detail: detail.to_string(),
            },
        );
        let update = updates.entry(row.id).or_insert_with(|| TicketUpdate {
            pk: row.id,
            status: next.as_str(),
            change_seq: feed_seq,
            log_len: 0,
            last_hash: Vec::new(),
            controlled_at: None,
            deleted_at: None,
            deletion_reason: None,
            show_deleted_ticket: None,
            notify_spectator: None,
        });
        update.status = next.as_str();
        update.change_seq = feed_seq;
        update.log_len = row.log_len + 1;
        update.last_hash = entry.hash.clone();
        match request {
            Request::Delete { reason, show_deleted_ticket } => {
                if !from.is_deleted() {
                    update.deleted_at = Some(at);
                }
                row.deletion_reason = reason.clone().or(row.deletion_reason.take());
                row.show_deleted_ticket = Some(show_deleted_ticket);
                update.deletion_reason = reason;
                update.show_deleted_ticket = Some(show_deleted_ticket);
            }
            Request::Control { at: controlled, notify_spectator } => {
                if from != WalletStatus::Controlled {
                    update.controlled_at = Some(crate::millis(controlled));
                }
                row.notify_spectator = Some(notify_spectator);
                update.notify_spectator = Some(notify_spectator);
            }
        }
        row.status = next.as_str().to_owned();
        row.log_len += 1;
        row.last_hash = entry.hash.clone();
        log.push(entry);
        results.push(TicketResult::accepted(&ticket_id, next));
    }
    let updates: Vec<TicketUpdate> = updates.into_values().collect();
    apply_ticket_updates(&mut tx, &updates).await?;
    insert_log_rows(&mut tx, &log).await?;
    store_feed_seq(&mut tx, organizer, feed_seq).await?;
    tx.commit().await?;
    Ok(results)
}

/// Whether the ticket already is what `request` asks: controlled (and its spectator told, when
/// asked), or deleted with this reason and visibility. Such a request is answered `ACCEPTED`
/// without a change or a log entry, so a push sent twice is never refused; a deletion with
/// another reason or visibility, or a control now asking to tell the spectator, is not the
/// same request and is recorded as an amendment.
fn already_so(row: &Current, request: &Request, from: WalletStatus) -> bool {
    match request {
        Request::Control { notify_spectator, .. } => {
            from == WalletStatus::Controlled && (!notify_spectator || row.notify_spectator == Some(true))
        }
        Request::Delete { reason, show_deleted_ticket } => {
            from.is_deleted()
                && (reason.is_none() || *reason == row.deletion_reason)
                && row.show_deleted_ticket == Some(*show_deleted_ticket)
        }
    }
}
