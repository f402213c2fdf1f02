//! The injected ticket (docs/wallet-api.md#injected-ticket-fields): every field the wallet
//! accepts, with its limits, checked once at the edge. A ticket that passes becomes a
//! [`ValidTicket`]; one that fails names the field and the rule it broke, so the
//! organizer's per-ticket answer can say exactly that.

mod example;
mod fields;
pub mod privilege;

pub use example::example_ticket;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};

use fields::Obj;

/// Why one ticket was refused: the JSON path of the field and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct Rejection {
    pub field: String,
    pub rule: String,
}

impl Rejection {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { field: field.into(), rule: rule.into() }
    }
}

/// The wallet event a ticket belongs to, as the organizer described it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub id: String,
    /// The name to show: the text sent, or of a multilingual name its English text (else its
    /// first language's).
    pub name: String,
    /// Kept as sent, so the local offset is shown as given.
    pub start_time: String,
    pub expiration_date: String,
    pub expires_at: DateTime<FixedOffset>,
}

/// The account a ticket lands in, named by its e-mail (lower-cased).
#[derive(Debug, Clone, PartialEq)]
pub struct Spectator {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// A ticket that passed every §5.1 rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTicket {
    pub ticket_id: String,
    pub event: ValidEvent,
    pub barcode: String,
    pub spectator: Spectator,
    /// The whole ticket, canonical (sorted keys): what the content hash covers.
    pub body: Value,
}

/// Characters allowed in a `ticketId` besides ASCII letters and digits.
const TICKET_ID_PUNCTUATION: &str = " *.-_+/()";

/// Checks one ticket of an injection batch against the limits of
/// docs/wallet-api.md#injected-ticket-fields at time `now`, keeping it (moved, not copied:
/// batches are large) as the ticket's body.
pub fn validate_ticket(value: Value, now: DateTime<Utc>) -> Result<ValidTicket, Rejection> {
    let checked = check_fields(&value, now)?;
    let event = ValidEvent {
        id: checked.event.id.to_owned(),
        name: checked.event.name.to_owned(),
        start_time: checked.event.start_time.to_owned(),
        expiration_date: checked.event.expiration_date.to_owned(),
        expires_at: checked.event.expires_at,
    };
    let ticket_id = checked.ticket_id.to_owned();
    let barcode = checked.barcode.to_owned();
    let spectator = checked.spectator;
    Ok(ValidTicket { ticket_id, event, barcode, spectator, body: value })
}

/// Whether `value` would pass [`validate_ticket`], without keeping anything.
pub fn check_ticket(value: &Value, now: DateTime<Utc>) -> Result<(), Rejection> {
    check_fields(value, now).map(|_| ())
}

/// What the checks read on the way, borrowed from the ticket: only a kept ticket copies it.
struct Checked<'a> {
    ticket_id: &'a str,
    event: CheckedEvent<'a>,
    barcode: &'a str,
    spectator: Spectator,
}

struct CheckedEvent<'a> {
    id: &'a str,
    name: &'a str,
    start_time: &'a str,
    expiration_date: &'a str,
    expires_at: DateTime<FixedOffset>,
}

fn check_fields(value: &Value, now: DateTime<Utc>) -> Result<Checked<'_>, Rejection> {
    let ticket = Obj::root(value)?;
    let ticket_id = ticket.required_str("ticketId", 256)?;
    check_ticket_id(ticket_id)?;

    let event = validate_event(&ticket.required_obj("event")?, now)?;
    let barcode = ticket.required_obj("security")?.required_str("barcode", 512)?;
    let spectator = validate_spectator(&ticket.required_obj("spectatorDetails")?)?;
    validate_purchase(&ticket.required_obj("purchaseDetails")?)?;
    validate_seat(&ticket)?;
    if let Some(activation) = ticket.optional_obj("activationParameters")? {
        validate_activation(&activation)?;
    }
    if let Some(details) = ticket.optional_obj("ticketDetails")? {
        for list in ["main", "extra", "hidden"] {
            details.optional_key_value_list(list)?;
        }
    }
    Ok(Checked { ticket_id, event, barcode, spectator })
}

/// `ticketId` may only hold `A-Z a-z 0-9`, space and `* . - _ + / ( )`.
pub fn check_ticket_id(id: &str) -> Result<(), Rejection> {
    check_id_chars("ticketId", id)
}

/// The `ticketId` character rule, for any identifier field that shares it (`privilegeId`,
/// `linkedTicketIds[i]`), naming `field` when broken.
pub fn check_id_chars(field: &str, id: &str) -> Result<(), Rejection> {
    match id.chars().find(|c| !(c.is_ascii_alphanumeric() || TICKET_ID_PUNCTUATION.contains(*c))) {
        Some(bad) => Err(Rejection::new(
            field,
            format!("character {bad:?} is not allowed (only A-Z a-z 0-9, space and * . - _ + / ( ))"),
        )),
        None => Ok(()),
    }
}

fn validate_event<'a>(event: &Obj<'a>, now: DateTime<Utc>) -> Result<CheckedEvent<'a>, Rejection> {
    let id = event.required_str("id", 256)?;
    let name = event.required_text("name", 128)?;
    let (start_time, starts_at) = event.required_datetime("startTime")?;
    let (expiration_date, expires_at) = event.required_datetime("expirationDate")?;
    if expires_at <= starts_at {
        return Err(event.rejection("expirationDate", "must be after event.startTime"));
    }
    if expires_at <= now {
        return Err(event.rejection("expirationDate", "the event has expired"));
    }
    if let Some(address) = event.optional_obj("address")? {
        address.optional_text("site", 200)?;
        for key in ["city", "line1", "line2", "line3"] {
            address.optional_text(key, 256)?;
        }
        address.optional_str("zip", 256)?;
        address.optional_str("countryCode", 3)?;
    }
    event.optional_str("website", 512)?;
    event.optional_str("imageUrl", 256)?;
    // the zone the wallet writes the event's times in for people (else startTime's offset)
    if let Some(zone) = event.optional_str("timeZone", 64)?
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(event.rejection("timeZone", "must be an IANA time zone name, such as Europe/Paris"));
    }
    if let Some(group) = event.optional_obj("group")? {
        group.optional_text("name", 128)?;
        group.optional_str("image", 512)?;
    }
    Ok(CheckedEvent { id, name, start_time, expiration_date, expires_at })
}

fn validate_spectator(details: &Obj<'_>) -> Result<Spectator, Rejection> {
    let email = details.required_str("email", 256)?;
    check_email(email).map_err(|rule| details.rejection("email", rule))?;
    let first_name = details.optional_str("firstName", 50)?;
    let last_name = details.optional_str("lastName", 100)?;
    details.optional_one_of("gender", &["M", "F", "U", "X"])?;
    details.optional_str("title", 50)?;
    details.optional_date("birthDate")?;
    for key in ["nationality", "countryCode"] {
        details.optional_str(key, 3)?;
    }
    for key in ["idNumber", "birthRegion", "birthPlace"] {
        details.optional_str(key, 256)?;
    }
    details.optional_bool("mainApplicant")?;
    Ok(Spectator {
        email: email.to_lowercase(),
        first_name: first_name.map(str::to_owned),
        last_name: last_name.map(str::to_owned),
    })
}

fn check_email(email: &str) -> Result<(), &'static str> {
    let (local, domain) = email.split_once('@').ok_or("must be an e-mail address (no @)")?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err("must be an e-mail address of the form name@domain");
    }
    if email.chars().any(char::is_whitespace) {
        return Err("must not contain spaces");
    }
    Ok(())
}

fn validate_purchase(purchase: &Obj<'_>) -> Result<(), Rejection> {
    purchase.optional_datetime("purchaseDate")?;
    purchase.optional_str("fileNumber", 256)?;
    purchase.optional_number("price")?;
    purchase.optional_str("currency", 20)?;
    purchase.optional_text("category", 512)?;
    purchase.optional_str("taxNumber", 256)?;
    for key in ["tariffId", "seatCategoryId", "contingentId"] {
        purchase.optional_id(key)?;
    }
    Ok(())
}

/// Seat fields may sit at the ticket's top level or in a `seat` object.
fn validate_seat(ticket: &Obj<'_>) -> Result<(), Rejection> {
    let nested = match ticket.map().get("seat") {
        Some(Value::Object(_)) => ticket.optional_obj("seat")?,
        _ => None,
    };
    for holder in std::iter::once(ticket).chain(nested.as_ref()) {
        for flag in ["seated", "numbered"] {
            holder.optional_bool(flag)?;
        }
        for key in ["gate", "level", "area", "block", "row", "seat", "externalEntrance"] {
            if key == "seat" && holder.map().get("seat").is_some_and(Value::is_object) {
                continue;
            }
            holder.optional_str(key, 128)?;
        }
    }
    Ok(())
}

fn validate_activation(activation: &Obj<'_>) -> Result<(), Rejection> {
    activation.optional_one_of("method", &["online", "offline"])?;
    activation.optional_datetime("time")?;
    activation.optional_str("groupId", 50)?;
    activation.optional_str("instanceId", 128)?;
    Ok(())
}

/// Reads a JSON object as a ticket batch element, for callers that only need the id.
pub fn ticket_id_of(value: &Value) -> Option<&str> {
    value.as_object().and_then(|m: &Map<String, Value>| m.get("ticketId")).and_then(Value::as_str)
}

#[cfg(test)]
mod tests;
