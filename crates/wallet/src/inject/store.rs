//! Writing an injection batch: spectators, events, tickets and their first log rows, in one
//! transaction per batch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, Tx, sql};

use super::plan::{Candidate, Slot};
use crate::log_rows::{ChainHead, Change, LogRow, insert_log_rows, lock_feed, store_feed_seq};
use crate::results::TicketResult;
use crate::spectator_rows::upsert_spectators;

/// New tickets injected by this process.
static INSERTED: AtomicUsize = AtomicUsize::new(0);
/// How many new tickets in all make the statistics worth refreshing next.
static NEXT_ANALYZE: AtomicUsize = AtomicUsize::new(FIRST_ANALYZE);
/// The first refresh: statistics matter most while the tables are young.
const FIRST_ANALYZE: usize = 20_000;

/// A large injection is a bulk load: refresh the planner's statistics in the background each
/// time the tickets this process injected double (20,000, 40,000, 80,000 …), so lookups keep
/// using their indexes as the tables grow. A fixed step refreshed a million-ticket load fifty
/// times, each refresh reading the whole tables again while the load waited for the cores.
fn note_bulk_insert(db: &Db, inserted: usize) {
    let total = INSERTED.fetch_add(inserted, Ordering::Relaxed) + inserted;
    let due = NEXT_ANALYZE.load(Ordering::Relaxed);
    if total < due
        || NEXT_ANALYZE.compare_exchange(due, total.saturating_mul(2), Ordering::Relaxed, Ordering::Relaxed).is_err()
    {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        let tables = ["wallet_tickets", "wallet_ticket_log", "wallet_spectators", "wallet_events"];
        if let Err(err) = db.refresh_statistics(&tables).await {
            tracing::warn!(error = %err, "could not refresh the wallet's statistics");
        }
    });
}

/// Rows per multi-row statement (at most ~25 binds each: far under both bind limits).
const CHUNK: usize = 1_000;

/// Inside transaction `tx`, the ids of organizer `organizer`'s events named by `events` (a map
/// from event id to a candidate describing it), by event id: looked up in one query, created
/// when new, updated when their description changed.
async fn upsert_events(
    tx: &mut Tx,
    organizer: i64,
    events: &HashMap<&str, &Candidate>,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let mut lookup = sql("SELECT event_id, id, body FROM wallet_events WHERE organizer_id = ");
    lookup.push_bind(organizer).push(" AND event_id IN ");
    lookup.push_list(events.keys().copied());
    let known: Vec<(String, i64, String)> = lookup.fetch_all(tx).await?;
    let mut known: HashMap<String, (i64, String)> =
        known.into_iter().map(|(event_id, pk, body)| (event_id, (pk, body))).collect();
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(events.len());
    for (event_id, c) in events {
        let event = &c.ticket.event;
        let event_text = c.event_text.as_str();
        let pk = match known.remove(*event_id) {
            Some((pk, body)) if body == event_text => pk,
            Some((pk, _)) => {
                sql("UPDATE wallet_events SET name = $1, start_time = $2, expiration_date = $3, body = $4
                     WHERE id = $5")
                .bind(&event.name)
                .bind(&event.start_time)
                .bind(&event.expiration_date)
                .bind(event_text)
                .bind(pk)
                .execute(tx)
                .await?;
                pk
            }
            None => {
                sql("INSERT INTO wallet_events (organizer_id, event_id, name, start_time, expiration_date, body)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(organizer)
                .bind(*event_id)
                .bind(&event.name)
                .bind(&event.start_time)
                .bind(&event.expiration_date)
                .bind(event_text)
                .scalar(tx)
                .await?
            }
        };
        ids.insert((*event_id).to_owned(), pk);
    }
    Ok(ids)
}

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
    // each slot's answer, by position; the valid ones are decided in the transaction
    let mut answers: Vec<Option<TicketResult>> = Vec::with_capacity(slots.len());
    let mut candidates: Vec<(usize, Candidate)> = Vec::with_capacity(slots.len());
    for (position, slot) in slots.into_iter().enumerate() {
        match slot {
            Slot::Refused(result) => answers.push(Some(result)),
            Slot::Valid(candidate) => {
                answers.push(None);
                candidates.push((position, *candidate));
            }
        }
    }
    if !candidates.is_empty() {
        write_batch(db, organizer, &mut candidates, &mut answers, crate::millis(now)).await?;
    }
    Ok(answers
        .into_iter()
        .enumerate()
        .map(|(position, answer)| {
            answer.unwrap_or_else(|| {
                let id = candidates.iter().find(|(p, _)| *p == position).map(|(_, c)| c.ticket.ticket_id.as_str());
                TicketResult::rejected(id.unwrap_or("?"), "internal: ticket was not processed")
            })
        })
        .collect())
}

/// Writes the valid tickets of a batch in one transaction, filling in their answers.
async fn write_batch(
    db: &Db,
    organizer: i64,
    candidates: &mut [(usize, Candidate)],
    answers: &mut [Option<TicketResult>],
    at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let mut feed_seq = lock_feed(&mut tx, organizer).await?;

    // Spectators: created on first sight of their e-mail.
    let spectator_ids =
        upsert_spectators(&mut tx, organizer, candidates.iter().map(|(_, c)| &c.ticket.spectator), at).await?;

    // Events: created on a new event.id, updated when their description changed.
    let mut events: HashMap<&str, &Candidate> = HashMap::new();
    for (_, c) in candidates.iter() {
        events.insert(c.ticket.event.id.as_str(), c);
    }
    let event_ids = upsert_events(&mut tx, organizer, &events).await?;

    // Tickets already known.
    let mut existing: HashMap<String, Existing> = HashMap::new();
    for chunk in candidates.chunks(CHUNK) {
        let mut select = sql("SELECT id, ticket_id, status, content_hash, log_len, last_hash FROM wallet_tickets
             WHERE organizer_id = ");
        select.push_bind(organizer).push(" AND ticket_id IN ");
        select.push_list(chunk.iter().map(|(_, c)| c.ticket.ticket_id.as_str()));
        let rows: Vec<Existing> = select.fetch_all(&mut tx).await?;
        existing.extend(rows.into_iter().map(|row| (row.ticket_id.clone(), row)));
    }

    // New tickets keep their precomputed first log row; changed ones chain a new row.
    let mut inserts: Vec<(usize, &mut Candidate)> = Vec::new();
    let mut log: Vec<LogRow> = Vec::new();
    for (position, c) in candidates.iter_mut() {
        let id = c.ticket.ticket_id.as_str();
        match decide(c, existing.remove(id)) {
            Decision::Insert => {
                feed_seq += 1;
                c.first_log.feed_seq = feed_seq;
                inserts.push((*position, c));
            }
            Decision::Unchanged(status) => answers[*position] = Some(TicketResult::accepted(id, status)),
            Decision::Refuse(result) => answers[*position] = Some(result),
            Decision::Update(row) => {
                feed_seq += 1;
                let entry = LogRow::chained(
                    &ChainHead { ticket_pk: row.id, ticket_id: id, log_len: row.log_len, last_hash: &row.last_hash },
                    Change {
                        feed_seq,
                        at,
                        status: WalletStatus::Injected.as_str(),
                        action: "UPDATE",
                        actor: "organizer",
                        detail: c.first_log.detail.clone(),
                    },
                );
                sql("UPDATE wallet_tickets SET event_pk = $1, body = $2, content_hash = $3, barcode = $4,
                         initial_owner_id = $5, owner_id = $5, change_seq = $6, log_len = $7, last_hash = $8
                     WHERE id = $9")
                .bind(event_ids[&c.ticket.event.id])
                .bind(&c.body_text)
                .bind(&c.content_hash)
                .bind(&c.ticket.barcode)
                .bind(spectator_ids[&c.ticket.spectator.email])
                .bind(feed_seq)
                .bind(row.log_len + 1)
                .bind(&entry.hash)
                .bind(row.id)
                .execute(&mut tx)
                .await?;
                log.push(entry);
                answers[*position] = Some(TicketResult::accepted(id, WalletStatus::Injected));
            }
        }
    }

    for chunk in inserts.chunks_mut(CHUNK) {
        let mut insert =
            sql("INSERT INTO wallet_tickets (organizer_id, ticket_id, event_pk, status, body, content_hash,
                 barcode, initial_owner_id, owner_id, injected_at, change_seq, log_len, last_hash) ");
        insert.push_values(chunk.iter(), |row, (_, c)| {
            let owner = spectator_ids[&c.ticket.spectator.email];
            row.bind(organizer)
                .bind(c.ticket.ticket_id.as_str())
                .bind(event_ids[&c.ticket.event.id])
                .bind(WalletStatus::Injected.as_str())
                .bind(c.body_text.as_str())
                .bind(c.content_hash.as_slice())
                .bind(c.ticket.barcode.as_str())
                .bind(owner)
                .bind(owner)
                .bind(at)
                .bind(c.first_log.feed_seq)
                .bind(1_i64)
                .bind(c.first_log.hash.as_slice());
        });
        insert.push(" RETURNING id, ticket_id");
        let ids: Vec<(i64, String)> = insert.fetch_all(&mut tx).await?;
        let pk_of: HashMap<String, i64> = ids.into_iter().map(|(pk, id)| (id, pk)).collect();
        for (position, c) in chunk.iter_mut() {
            let id = c.ticket.ticket_id.as_str();
            c.first_log.ticket_pk = pk_of[id];
            answers[*position] = Some(TicketResult::accepted(id, WalletStatus::Injected));
        }
    }
    insert_log_rows(&mut tx, log.iter().chain(inserts.iter().map(|(_, c)| &c.first_log))).await?;
    store_feed_seq(&mut tx, organizer, feed_seq).await?;
    tx.commit().await?;
    note_bulk_insert(db, inserts.len());
    Ok(())
}
