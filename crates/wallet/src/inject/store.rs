//! Writing an injection batch: spectators, events, tickets and their first log rows, in one
//! transaction per batch.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, on_writer};

use super::plan::{Candidate, Slot};
use crate::log_rows::{ChainHead, Change, LogRow, insert_log_rows, lock_feed, store_feed_seq};
use crate::results::TicketResult;
use crate::spectator_rows::upsert_spectators;

/// New tickets since the wallet's statistics were last refreshed, in this process.
static INSERTED_SINCE_ANALYZE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// How many new tickets make the statistics worth refreshing.
const ANALYZE_EVERY: usize = 20_000;

/// A large injection is a bulk load: refresh the planner's statistics in the background
/// every [`ANALYZE_EVERY`] new tickets, so lookups keep using their indexes as tables grow.
fn note_bulk_insert(db: &Db, inserted: usize) {
    use std::sync::atomic::Ordering;
    let total = INSERTED_SINCE_ANALYZE.fetch_add(inserted, Ordering::Relaxed) + inserted;
    if total >= ANALYZE_EVERY && INSERTED_SINCE_ANALYZE.swap(0, Ordering::Relaxed) >= ANALYZE_EVERY {
        let db = db.clone();
        tokio::spawn(async move {
            let tables = ["wallet_tickets", "wallet_ticket_log", "wallet_spectators", "wallet_events"];
            if let Err(err) = db.refresh_statistics(&tables).await {
                tracing::warn!(error = %err, "could not refresh the wallet's statistics");
            }
        });
    }
}

/// Rows per multi-row statement (at most ~25 binds each: far under both bind limits).
const CHUNK: usize = 1_000;

/// What the database already knows of a ticket of the batch.
#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    ticket_id: String,
    status: String,
    content_hash: Vec<u8>,
    log_len: i64,
    last_hash: Vec<u8>,
}

/// What to do with one valid ticket.
enum Decision {
    Insert,
    Update(Existing),
    Unchanged(WalletStatus),
    Refuse(TicketResult),
}

fn decide(candidate: &Candidate, existing: Option<Existing>) -> Decision {
    let Some(existing) = existing else { return Decision::Insert };
    let status: WalletStatus = match existing.status.parse() {
        Ok(status) => status,
        Err(err) => return Decision::Refuse(TicketResult::rejected(&existing.ticket_id, err.to_string())),
    };
    if existing.content_hash == candidate.content_hash {
        return Decision::Unchanged(status);
    }
    match status.transition(WalletAction::Update) {
        Ok(_) => Decision::Update(existing),
        Err(_) => Decision::Refuse(TicketResult::refused_move(
            &existing.ticket_id,
            "changing the content of a ticket already on a device or no longer active",
            status,
        )),
    }
}

pub(crate) async fn inject(
    db: &Db,
    organizer: i64,
    slots: Vec<Slot>,
    now: DateTime<Utc>,
) -> Result<Vec<TicketResult>, sqlx::Error> {
    let candidates: Vec<&Candidate> = slots
        .iter()
        .filter_map(|slot| match slot {
            Slot::Valid(c) => Some(c.as_ref()),
            Slot::Refused(_) => None,
        })
        .collect();
    let at = crate::millis(now);
    let mut decided: HashMap<String, TicketResult> = HashMap::with_capacity(candidates.len());

    if !candidates.is_empty() {
        on_writer!(db, |pool| {
            let mut tx = pool.begin().await?;
            let mut feed_seq = lock_feed!(tx, organizer);

            // Spectators: created on first sight of their e-mail.
            let spectator_ids = upsert_spectators!(tx, candidates.iter().map(|c| &c.ticket.spectator), at);

            // Events: created on a new event.id, updated when their description changed.
            let mut events: HashMap<&str, &Candidate> = HashMap::new();
            for c in &candidates {
                events.insert(c.ticket.event.id.as_str(), c);
            }
            let mut event_ids: HashMap<String, i64> = HashMap::with_capacity(events.len());
            for (event_id, c) in &events {
                let known: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, body FROM wallet_events WHERE organizer_id = $1 AND event_id = $2")
                        .bind(organizer)
                        .bind(*event_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let event = &c.ticket.event;
                let event_text = c.ticket.body["event"].to_string();
                let pk = match known {
                    Some((pk, body)) if body == event_text => pk,
                    Some((pk, _)) => {
                        sqlx::query(
                            "UPDATE wallet_events SET name = $1, start_time = $2, expiration_date = $3, body = $4
                             WHERE id = $5",
                        )
                        .bind(&event.name)
                        .bind(&event.start_time)
                        .bind(&event.expiration_date)
                        .bind(&event_text)
                        .bind(pk)
                        .execute(&mut *tx)
                        .await?;
                        pk
                    }
                    None => sqlx::query_scalar(
                        "INSERT INTO wallet_events (organizer_id, event_id, name, start_time, expiration_date, body)
                             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(organizer)
                    .bind(*event_id)
                    .bind(&event.name)
                    .bind(&event.start_time)
                    .bind(&event.expiration_date)
                    .bind(&event_text)
                    .fetch_one(&mut *tx)
                    .await?,
                };
                event_ids.insert((*event_id).to_owned(), pk);
            }

            // Tickets already known.
            let mut existing: HashMap<String, Existing> = HashMap::new();
            for chunk in candidates.chunks(CHUNK) {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT id, ticket_id, status, content_hash, log_len, last_hash FROM wallet_tickets
                     WHERE organizer_id = ",
                );
                select.push_bind(organizer).push(" AND ticket_id IN (");
                let mut list = select.separated(", ");
                for c in chunk {
                    list.push_bind(c.ticket.ticket_id.as_str());
                }
                select.push(")");
                let rows: Vec<Existing> = select.build_query_as().fetch_all(&mut *tx).await?;
                existing.extend(rows.into_iter().map(|row| (row.ticket_id.clone(), row)));
            }

            let mut inserts: Vec<(&Candidate, i64)> = Vec::new();
            let mut log: Vec<LogRow> = Vec::new();
            for c in &candidates {
                let id = c.ticket.ticket_id.as_str();
                let owner = spectator_ids[&c.ticket.spectator.email];
                let event_pk = event_ids[&c.ticket.event.id];
                match decide(c, existing.remove(id)) {
                    Decision::Insert => {
                        feed_seq += 1;
                        inserts.push((c, feed_seq));
                    }
                    Decision::Unchanged(status) => {
                        decided.insert(id.to_owned(), TicketResult::accepted(id, status));
                    }
                    Decision::Refuse(result) => {
                        decided.insert(id.to_owned(), result);
                    }
                    Decision::Update(row) => {
                        feed_seq += 1;
                        let entry = LogRow::chained(
                            &ChainHead {
                                ticket_pk: row.id,
                                ticket_id: id,
                                log_len: row.log_len,
                                last_hash: &row.last_hash,
                            },
                            Change {
                                feed_seq,
                                at,
                                status: WalletStatus::Injected.as_str(),
                                action: "UPDATE",
                                actor: "organizer",
                                detail: json!({ "eventId": c.ticket.event.id, "owner": c.ticket.spectator.email })
                                    .to_string(),
                            },
                        );
                        sqlx::query(
                            "UPDATE wallet_tickets SET event_pk = $1, body = $2, content_hash = $3, barcode = $4,
                                 initial_owner_id = $5, owner_id = $5, change_seq = $6, log_len = $7, last_hash = $8
                             WHERE id = $9",
                        )
                        .bind(event_pk)
                        .bind(&c.body_text)
                        .bind(&c.content_hash)
                        .bind(&c.ticket.barcode)
                        .bind(owner)
                        .bind(feed_seq)
                        .bind(row.log_len + 1)
                        .bind(&entry.hash)
                        .bind(row.id)
                        .execute(&mut *tx)
                        .await?;
                        log.push(entry);
                        decided.insert(id.to_owned(), TicketResult::accepted(id, WalletStatus::Injected));
                    }
                }
            }

            // New tickets: their first log row is chained before the insert (the hash covers
            // the ticket id, not the row id), so each row is written once, head included.
            let genesis = tixbridge_domain::chain::GENESIS;
            for chunk in inserts.chunks(CHUNK) {
                let mut first_rows: Vec<LogRow> = chunk
                    .iter()
                    .map(|(c, seq)| {
                        LogRow::chained(
                            &ChainHead {
                                ticket_pk: 0,
                                ticket_id: &c.ticket.ticket_id,
                                log_len: 0,
                                last_hash: &genesis,
                            },
                            Change {
                                feed_seq: *seq,
                                at,
                                status: WalletStatus::Injected.as_str(),
                                action: "INJECT",
                                actor: "organizer",
                                detail: json!({ "eventId": c.ticket.event.id, "owner": c.ticket.spectator.email })
                                    .to_string(),
                            },
                        )
                    })
                    .collect();
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO wallet_tickets (organizer_id, ticket_id, event_pk, status, body, content_hash,
                         barcode, initial_owner_id, owner_id, injected_at, change_seq, log_len, last_hash) ",
                );
                insert.push_values(chunk.iter().zip(&first_rows), |mut row, ((c, seq), first)| {
                    let owner = spectator_ids[&c.ticket.spectator.email];
                    row.push_bind(organizer)
                        .push_bind(c.ticket.ticket_id.as_str())
                        .push_bind(event_ids[&c.ticket.event.id])
                        .push_bind(WalletStatus::Injected.as_str())
                        .push_bind(c.body_text.as_str())
                        .push_bind(c.content_hash.as_slice())
                        .push_bind(c.ticket.barcode.as_str())
                        .push_bind(owner)
                        .push_bind(owner)
                        .push_bind(at)
                        .push_bind(*seq)
                        .push_bind(1_i64)
                        .push_bind(first.hash.as_slice());
                });
                insert.push(" RETURNING id, ticket_id");
                let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                let pk_of: HashMap<String, i64> = ids.into_iter().map(|(pk, id)| (id, pk)).collect();
                for ((c, _), first) in chunk.iter().zip(first_rows.iter_mut()) {
                    let id = c.ticket.ticket_id.as_str();
                    first.ticket_pk = pk_of[id];
                    decided.insert(id.to_owned(), TicketResult::accepted(id, WalletStatus::Injected));
                }
                log.append(&mut first_rows);
            }
            insert_log_rows!(tx, log);
            store_feed_seq!(tx, organizer, feed_seq);
            tx.commit().await?;
            note_bulk_insert(db, inserts.len());
        });
    }

    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Refused(result) => result,
            Slot::Valid(c) => decided
                .remove(&c.ticket.ticket_id)
                .unwrap_or_else(|| TicketResult::rejected(&c.ticket.ticket_id, "internal: ticket was not processed")),
        })
        .collect())
}
