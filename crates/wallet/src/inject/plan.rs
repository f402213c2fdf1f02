//! Deciding, before touching the database, which tickets of a batch are well-formed — and
//! doing every per-ticket computation a new ticket needs (content hash, first log row) here,
//! outside the write transaction, so the one SQLite writer is held only for writing.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use tixbridge_domain::inject::{ValidTicket, validate_ticket};
use tixbridge_domain::{WalletStatus, chain};

use crate::log_rows::{ChainHead, Change, LogRow};
use crate::results::TicketResult;

/// One ticket of a batch: its value, and its JSON text, which becomes the stored body as it
/// came (a batch of a thousand tickets is not serialized again).
pub(crate) struct BatchItem {
    pub value: Value,
    pub text: String,
}

impl BatchItem {
    /// A ticket built in memory (a CSV row): its text is its serialization.
    pub fn from_value(value: Value) -> Self {
        let text = value.to_string();
        Self { value, text }
    }

    /// A ticket as sent in a request body, `raw` being one element of its array.
    pub fn from_raw(raw: &RawValue) -> Result<Self, serde_json::Error> {
        Ok(Self { value: serde_json::from_str(raw.get())?, text: raw.get().to_owned() })
    }
}

/// A valid ticket, the hash of its content (the event stands in it by id only, so an event
/// change alone never counts as a change of every ticket), and its first log row should it
/// be new (chained from the genesis: its hash covers the ticket id, not the row id).
///
/// The ticket's JSON tree is dropped here once hashed (`ticket.body` is left `null`): freeing
/// a thousand trees is real work, better done on the blocking thread that built them.
pub(crate) struct Candidate {
    pub ticket: ValidTicket,
    pub content_hash: Vec<u8>,
    pub body_text: String,
    /// The ticket's `event` object as text, which the event row is compared with and stores.
    pub event_text: String,
    pub first_log: LogRow,
}

/// One position of the batch, in the order it was sent.
pub(crate) enum Slot {
    Refused(TicketResult),
    Valid(Box<Candidate>),
}

pub(crate) fn plan(items: Vec<BatchItem>, now: DateTime<Utc>) -> Vec<Slot> {
    let mut seen = HashSet::with_capacity(items.len());
    let at = crate::millis(now);
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let id_hint = tixbridge_domain::inject::ticket_id_of(&item.value).map(str::to_owned);
            (i, id_hint, validate_ticket(item.value, now), item.text)
        })
        .map(|(i, id_hint, validated, text)| match validated {
            Err(rejection) => {
                let id = id_hint.unwrap_or_else(|| format!("[{i}]"));
                Slot::Refused(TicketResult::rejected(id, rejection.to_string()))
            }
            Ok(ticket) if !seen.insert(ticket.ticket_id.clone()) => Slot::Refused(TicketResult::rejected(
                ticket.ticket_id,
                "ticketId: appears more than once in this batch",
            )),
            Ok(ticket) => Slot::Valid(Box::new(candidate(ticket, text, at))),
        })
        .collect()
}

/// What an injection records in a ticket's log: the event and the owner it landed with.
fn log_detail(ticket: &ValidTicket) -> String {
    serde_json::json!({ "eventId": ticket.event.id, "owner": ticket.spectator.email }).to_string()
}

fn candidate(mut ticket: ValidTicket, body_text: String, at: i64) -> Candidate {
    // hash the ticket with its event standing in by id only (swapped, not copied), streamed
    // into the hasher rather than through a string
    let event = std::mem::replace(&mut ticket.body["event"], Value::String(ticket.event.id.clone()));
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, &ticket.body).expect("a JSON value always serializes");
    let content_hash = hasher.finalize().to_vec();
    let event_text = event.to_string();
    drop((event, std::mem::take(&mut ticket.body)));
    let first_log = LogRow::chained(
        &ChainHead { ticket_pk: 0, ticket_id: &ticket.ticket_id, log_len: 0, last_hash: &chain::GENESIS },
        Change {
            feed_seq: 0,
            at,
            status: WalletStatus::Injected.as_str(),
            action: "INJECT",
            actor: "organizer",
            detail: log_detail(&ticket),
        },
    );
    Candidate { ticket, content_hash, body_text, event_text, first_log }
}
