//! Reading tickets and their status log back as the JSON the organizer API answers with.

use std::collections::HashMap;

use serde_json::{Value, json};
use tixbridge_store::{Tx, sql};

use crate::rfc3339;

/// The columns every ticket view reads, joined with its event and spectators. The owner's
/// details are those the owner gave in their profile, else — names only — those this
/// ticket's organizer gave (never another organizer's).
pub(crate) const TICKET_SELECT: &str = "SELECT t.id, t.ticket_id, t.status, t.barcode, t.body, t.holder,
        t.forward_transfers, t.backward_transfers, t.injected_at, t.downloaded_at, t.assigned_at,
        t.activated_at, t.controlled_at, t.deleted_at, t.deletion_reason, t.show_deleted_ticket,
        t.notify_spectator, t.change_seq, e.event_id, e.body AS event_body,
        o.email AS owner_email, COALESCE(op.first_name, n.first_name) AS owner_first_name,
        COALESCE(op.last_name, n.last_name) AS owner_last_name,
        op.title AS owner_title, op.phone AS owner_phone, op.birth_date AS owner_birth_date,
        op.nationality AS owner_nationality, op.id_number AS owner_id_number,
        op.country_code AS owner_country_code, op.language AS owner_language,
        op.consent_marketing AS owner_consent_marketing, op.consent_third_party AS owner_consent_third_party,
        io.email AS initial_owner_email, po.email AS previous_owner_email
    FROM wallet_tickets t
    JOIN wallet_events e ON e.id = t.event_pk
    JOIN wallet_spectators o ON o.id = t.owner_id
    LEFT JOIN wallet_spectator_names n ON n.organizer_id = t.organizer_id AND n.spectator_id = t.owner_id
    LEFT JOIN wallet_spectator_profiles op ON op.spectator_id = t.owner_id
    JOIN wallet_spectators io ON io.id = t.initial_owner_id
    LEFT JOIN wallet_spectators po ON po.id = t.previous_owner_id";

/// [`TICKET_SELECT`] without the injected content and the event, which the diff does not
/// show: they are most of a row's bytes.
pub(crate) fn diff_select() -> String {
    TICKET_SELECT.replace("t.body,", "'' AS body,").replace("e.body AS event_body", "'' AS event_body")
}

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    pub id: i64,
    ticket_id: String,
    status: String,
    barcode: String,
    body: String,
    holder: Option<String>,
    forward_transfers: i64,
    backward_transfers: i64,
    injected_at: i64,
    downloaded_at: Option<i64>,
    assigned_at: Option<i64>,
    activated_at: Option<i64>,
    controlled_at: Option<i64>,
    deleted_at: Option<i64>,
    deletion_reason: Option<String>,
    show_deleted_ticket: Option<bool>,
    notify_spectator: Option<bool>,
    pub change_seq: i64,
    event_id: String,
    event_body: String,
    owner_email: String,
    owner_first_name: Option<String>,
    owner_last_name: Option<String>,
    owner_title: Option<String>,
    owner_phone: Option<String>,
    owner_birth_date: Option<String>,
    owner_nationality: Option<String>,
    owner_id_number: Option<String>,
    owner_country_code: Option<String>,
    owner_language: Option<String>,
    owner_consent_marketing: Option<bool>,
    owner_consent_third_party: Option<bool>,
    initial_owner_email: String,
    previous_owner_email: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    ticket_pk: i64,
    position: i64,
    pub feed_seq: i64,
    at: i64,
    status: String,
    action: String,
    actor: String,
    detail: String,
    hash: Vec<u8>,
}

/// Loads the log rows of `tickets` past feed position `after`.
pub(crate) async fn load_history(
    tx: &mut Tx,
    tickets: &[TicketRow],
    after: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let mut history: Vec<HistoryRow> = Vec::new();
    for chunk in tickets.chunks(1_000) {
        let mut select = sql("SELECT ticket_pk, position, feed_seq, at, status, action, actor, detail, hash
             FROM wallet_ticket_log WHERE feed_seq > ");
        select.push_bind(after).push(" AND ticket_pk IN ");
        select.push_list(chunk.iter().map(|ticket| ticket.id));
        select.push(" ORDER BY ticket_pk, position");
        history.extend(select.fetch_all::<HistoryRow>(tx).await?);
    }
    Ok(history)
}

pub(crate) fn group_history(rows: Vec<HistoryRow>) -> HashMap<i64, Vec<HistoryRow>> {
    let mut grouped: HashMap<i64, Vec<HistoryRow>> = HashMap::new();
    for row in rows {
        grouped.entry(row.ticket_pk).or_default().push(row);
    }
    grouped
}

pub(crate) fn history_json(rows: Vec<&HistoryRow>) -> Value {
    Value::Array(
        rows.into_iter()
            .map(|h| {
                json!({
                    "position": h.position,
                    "at": rfc3339(h.at),
                    "status": h.status,
                    "action": h.action,
                    "actor": h.actor,
                    "detail": serde_json::from_str::<Value>(&h.detail).unwrap_or(Value::Null),
                    "hash": hex::encode(&h.hash),
                })
            })
            .collect(),
    )
}

fn parse_or_null(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

/// The current owner: the e-mail, and what the owner said about themselves (names also from
/// the organizer's injection); consents are `null` until the owner gave a profile.
fn owner_json(t: &TicketRow) -> Value {
    json!({
        "email": t.owner_email,
        "title": t.owner_title,
        "firstName": t.owner_first_name,
        "lastName": t.owner_last_name,
        "phone": t.owner_phone,
        "birthDate": t.owner_birth_date,
        "nationality": t.owner_nationality,
        "idNumber": t.owner_id_number,
        "countryCode": t.owner_country_code,
        "language": t.owner_language,
        "consentMarketing": t.owner_consent_marketing,
        "consentThirdParty": t.owner_consent_third_party,
    })
}

/// A ticket as the organizer sees it; `whole` adds the injected content and the event.
pub(crate) fn ticket_json(t: &TicketRow, whole: bool) -> Value {
    let mut item = json!({
        "ticketId": t.ticket_id,
        "status": t.status,
        "barcode": t.barcode,
        "eventId": t.event_id,
        "owner": owner_json(t),
        "initialOwner": { "email": t.initial_owner_email },
        "previousOwner": t.previous_owner_email.as_ref().map(|email| json!({ "email": email })),
        "holder": parse_or_null(t.holder.as_deref()),
        "forwardTransfers": t.forward_transfers,
        "backwardTransfers": t.backward_transfers,
        "injectedAt": rfc3339(t.injected_at),
        "downloadedAt": t.downloaded_at.map(rfc3339),
        "assignedAt": t.assigned_at.map(rfc3339),
        "activatedAt": t.activated_at.map(rfc3339),
        "controlledAt": t.controlled_at.map(rfc3339),
        "deletedAt": t.deleted_at.map(rfc3339),
        "deletionReason": t.deletion_reason,
        "showDeletedTicket": t.show_deleted_ticket,
        "notifySpectator": t.notify_spectator,
    });
    if whole {
        item["event"] = parse_or_null(Some(&t.event_body));
        item["ticket"] = parse_or_null(Some(&t.body));
    }
    item
}
