//! Deciding, before touching the database, which tickets of a batch are well-formed.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tixbridge_domain::inject::{ValidTicket, validate_ticket};

use crate::results::TicketResult;

/// A valid ticket and the hash of its content (the event stands in it by id only, so an
/// event change alone never counts as a change of every ticket).
pub(crate) struct Candidate {
    pub ticket: ValidTicket,
    pub content_hash: Vec<u8>,
    pub body_text: String,
}

/// One position of the batch, in the order it was sent.
pub(crate) enum Slot {
    Refused(TicketResult),
    Valid(Box<Candidate>),
}

pub(crate) fn plan(items: Vec<Value>, now: DateTime<Utc>) -> Vec<Slot> {
    let mut seen = HashSet::with_capacity(items.len());
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let id_hint = tixbridge_domain::inject::ticket_id_of(&item).map(str::to_owned);
            (i, id_hint, validate_ticket(item, now))
        })
        .map(|(i, id_hint, validated)| match validated {
            Err(rejection) => {
                let id = id_hint.unwrap_or_else(|| format!("[{i}]"));
                Slot::Refused(TicketResult::rejected(id, rejection.to_string()))
            }
            Ok(ticket) if !seen.insert(ticket.ticket_id.clone()) => Slot::Refused(TicketResult::rejected(
                ticket.ticket_id,
                "ticketId: appears more than once in this batch",
            )),
            Ok(ticket) => Slot::Valid(Box::new(candidate(ticket))),
        })
        .collect()
}

fn candidate(mut ticket: ValidTicket) -> Candidate {
    // hash the ticket with its event standing in by id only (swapped, not copied)
    let event = std::mem::replace(&mut ticket.body["event"], Value::String(ticket.event.id.clone()));
    let content_hash = Sha256::digest(ticket.body.to_string().as_bytes()).to_vec();
    ticket.body["event"] = event;
    let body_text = ticket.body.to_string();
    Candidate { ticket, content_hash, body_text }
}
