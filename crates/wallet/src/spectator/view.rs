//! A ticket as its owner sees it. The injected body is shown without `security` and without
//! `ticketDetails.hidden`: the barcode never reaches a device, in clear or sealed. The entry
//! section carries what the device needs to make its codes (the code reference and this
//! device's secret), only once they may be revealed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::entry::activation::{Method, Plan};
use crate::rfc3339;

/// The columns the spectator views read, with the event.
pub(crate) const OWN_TICKET_SELECT: &str = "SELECT t.id, t.ticket_id, t.status, t.body, t.holder,
        t.forward_transfers, t.backward_transfers, t.downloaded_at, t.assigned_at, t.activated_at,
        t.controlled_at, t.notify_spectator, t.event_pk, e.event_id, e.name AS event_name, e.start_time, e.expiration_date, e.body AS event_body
    FROM wallet_tickets t JOIN wallet_events e ON e.id = t.event_pk";

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct OwnTicket {
    pub id: i64,
    pub ticket_id: String,
    pub status: String,
    pub body: String,
    pub holder: Option<String>,
    pub forward_transfers: i64,
    pub backward_transfers: i64,
    pub downloaded_at: Option<i64>,
    pub assigned_at: Option<i64>,
    pub activated_at: Option<i64>,
    pub controlled_at: Option<i64>,
    /// The organizer's control asked that the spectator be told.
    pub notify_spectator: Option<bool>,
    pub event_pk: i64,
    pub event_id: String,
    pub event_name: String,
    pub start_time: String,
    pub expiration_date: String,
    pub event_body: String,
}

impl OwnTicket {
    pub fn status(&self) -> tixbridge_domain::WalletStatus {
        self.status.parse().unwrap_or(tixbridge_domain::WalletStatus::Deleted)
    }

    pub fn body_json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Seat, block, row… wherever the organizer put them.
    pub fn seat_line(&self) -> String {
        let body = self.body_json();
        let seat = body.get("seat").filter(|s| s.is_object()).unwrap_or(&body);
        ["gate", "block", "row", "seat"]
            .iter()
            .filter_map(|k| seat.get(*k).and_then(Value::as_str).map(|v| format!("{k} {v}")))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// What the organizer asked to tell the spectator: that the ticket was controlled, when the
/// control came with `notifySpectator` (docs/wallet-api.md#the-organizer-api).
pub(crate) fn notice(t: &OwnTicket) -> Option<Value> {
    let at = t.controlled_at.filter(|_| t.notify_spectator == Some(true) && t.status == "CONTROLLED")?;
    Some(json!({
        "action": "CONTROL",
        "at": rfc3339(at),
        "message": format!("Your ticket was checked in by the organizer on {}.", rfc3339(at)),
    }))
}

/// The summary shown in lists.
pub(crate) fn summary_json(t: &OwnTicket) -> Value {
    let mut summary = json!({
        "id": t.id,
        "ticketId": t.ticket_id,
        "status": t.status,
        "event": { "id": t.event_id, "name": t.event_name, "startTime": t.start_time, "expirationDate": t.expiration_date },
        "seat": t.seat_line(),
        "holder": t.holder.as_deref().and_then(|h| serde_json::from_str::<Value>(h).ok()),
        "forwardTransfers": t.forward_transfers,
        "backwardTransfers": t.backward_transfers,
    });
    if let Some(notice) = notice(t) {
        summary["notice"] = notice;
    }
    summary
}

/// What a device may learn of the entry code now.
pub(crate) struct EntryView<'a> {
    pub plan: Plan,
    pub period_seconds: i64,
    pub device_id: &'a str,
    /// The code reference and device secret, when revealed.
    pub revealed: Option<(String, [u8; 32])>,
}

/// The whole ticket for its device.
pub(crate) fn ticket_json(t: &OwnTicket, entry: &EntryView<'_>) -> Value {
    let mut item = summary_json(t);
    let mut body = t.body_json();
    if let Some(map) = body.as_object_mut() {
        map.remove("security");
        if let Some(details) = map.get_mut("ticketDetails").and_then(Value::as_object_mut) {
            details.remove("hidden");
        }
    }
    item["details"] = body;
    item["event"]["details"] = serde_json::from_str(&t.event_body).unwrap_or(Value::Null);
    item["downloadedAt"] = json!(t.downloaded_at.map(rfc3339));
    item["assignedAt"] = json!(t.assigned_at.map(rfc3339));
    item["activatedAt"] = json!(t.activated_at.map(rfc3339));
    item["entry"] = json!({
        "method": match entry.plan.method { Method::Online => "online", Method::Offline => "offline" },
        "activatesAt": rfc3339(entry.plan.at),
        "groupId": entry.plan.group_id,
        "periodSeconds": entry.period_seconds,
        "deviceId": entry.device_id,
        "codeReference": entry.revealed.as_ref().map(|(reference, _)| reference),
        "deviceSecret": entry.revealed.as_ref().map(|(_, secret)| STANDARD.encode(secret)),
        "codesUntil": crate::entry::offline::codes_end(&t.expiration_date).map(rfc3339),
    });
    item
}
