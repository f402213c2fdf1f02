//! What a device keeps, once its ticket is activated on it, to show the rotating entry code
//! with no network (docs/offline-entry-code.md): the code reference of its holding, the
//! secret of that ticket on that device (derived from the event's code key, never the key
//! itself, so it makes the codes of one ticket on one device only), the period, and when the
//! codes end — the event's `expirationDate`, after which the event is unusable. The wallet
//! page embeds it for its script; `GET /api/spectator/tickets/{id}/offline-code` answers it to
//! an app.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::WalletState;
use crate::entry::{device_secret, event_code_key, rotating_code};
use crate::error::WalletError;
use crate::spectator::session::SpectatorSession;
use crate::spectator::tickets::{read_own, ticket_plan};

/// The name and version of the bundle's shape and of the code algorithm it is for.
pub const FORMAT: &str = "tixbridge-offline-code/1";

/// One ticket's entry code material on one device.
#[derive(Debug, Clone)]
pub(crate) struct OfflineEntry {
    pub ticket: i64,
    pub ticket_id: String,
    pub event_id: String,
    pub device_id: String,
    pub reference: String,
    pub secret: [u8; 32],
    pub period_seconds: i64,
    /// Milliseconds UTC: when the ticket was activated (or was due to be).
    pub codes_from: i64,
    /// Milliseconds UTC: the event's expiration, after which no code is made; `None` when the
    /// event's expiration date cannot be read.
    pub codes_end: Option<i64>,
}

/// The end of an event's codes: its `expirationDate` (RFC 3339, as injection checked it).
pub(crate) fn codes_end(expiration_date: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(expiration_date).ok().map(|at| at.timestamp_millis())
}

impl OfflineEntry {
    /// The code this material makes at `at_ms` (what the page's script computes too), or
    /// `None` once the codes have ended.
    pub fn code_at(&self, at_ms: i64) -> Option<String> {
        self.codes_end
            .is_none_or(|end| at_ms < end)
            .then(|| rotating_code(&self.secret, &self.reference, self.period_seconds, at_ms))
    }

    /// The bundle as a device stores it.
    pub fn to_json(&self) -> Value {
        json!({
            "format": FORMAT,
            "id": self.ticket,
            "ticketId": self.ticket_id,
            "eventId": self.event_id,
            "deviceId": self.device_id,
            "codeReference": self.reference,
            "deviceSecret": STANDARD.encode(self.secret),
            "periodSeconds": self.period_seconds,
            "codesFrom": crate::rfc3339(self.codes_from),
            "codesEnd": self.codes_end.map(crate::rfc3339),
            "algorithm": "HMAC-SHA256",
        })
    }
}

/// The material of own ticket `pk` for the session's device: only once the ticket is
/// activated and held by this device, and before the event's expiration.
pub(crate) async fn offline_entry(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<OfflineEntry, WalletError> {
    let entry = entry_of(state, session, pk).await?;
    if entry.codes_end.is_some_and(|end| crate::millis(Utc::now()) >= end) {
        let ended = entry.codes_end.map(crate::rfc3339).unwrap_or_default();
        return Err(WalletError::Refused(format!("the event expired at {ended}: it has no entry code any more")));
    }
    Ok(entry)
}

/// Like [`offline_entry`], expired or not: the ticket page says itself that codes have ended.
pub(crate) async fn entry_of(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<OfflineEntry, WalletError> {
    let (ticket, settings) = read_own(state, session, pk).await?;
    let status = ticket.status();
    if !status.is_activated() {
        return Err(WalletError::status("keeping the entry code on this device", status));
    }
    let reference: Option<Option<String>> = sql(
        "SELECT code_ref FROM wallet_device_tickets WHERE device_pk = $1 AND ticket_pk = $2 AND released_at IS NULL",
    )
    .bind(session.device_pk)
    .bind(pk)
    .scalar_optional(&mut state.db.reader().await?)
    .await?;
    let Some(reference) = reference.flatten() else {
        return Err(WalletError::Refused("fetch the ticket on this device first".into()));
    };
    let codes_end = codes_end(&ticket.expiration_date);
    let codes_from = ticket.activated_at.unwrap_or_else(|| ticket_plan(&ticket, &settings).at);
    Ok(OfflineEntry {
        ticket: pk,
        secret: device_secret(&event_code_key(&state.key, ticket.event_pk), &ticket.ticket_id, &session.device_id),
        ticket_id: ticket.ticket_id,
        event_id: ticket.event_id,
        device_id: session.device_id.clone(),
        reference,
        period_seconds: settings.code_period_seconds,
        codes_from,
        codes_end,
    })
}

#[utoipa::path(
    get,
    path = "/api/spectator/tickets/{id}/offline-code",
    summary = "What this device keeps to make its rotating entry code without the network (activated tickets only)",
    params(("id" = i64, Path, description = "the wallet's ticket id")),
    responses(
        (status = 200, description = "the offline code bundle of this ticket on this device", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_offline_code(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(offline_entry(&state, &session, id).await?.to_json()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(codes_end: Option<i64>) -> OfflineEntry {
        OfflineEntry {
            ticket: 1,
            ticket_id: "T1".into(),
            event_id: "EV1".into(),
            device_id: "dev".into(),
            reference: "00112233445566778899aabbccddeeff".into(),
            secret: device_secret(&[3; 32], "T1", "dev"),
            period_seconds: 15,
            codes_from: 0,
            codes_end,
        }
    }

    #[test]
    fn codes_are_made_until_the_event_expires_and_not_after() {
        let end = codes_end("2030-01-01T00:00:00+01:00").unwrap();
        let e = entry(Some(end));
        let code = e.code_at(end - 1).unwrap();
        assert!(crate::entry::ScannedCode::parse(&code).unwrap().signed_by(&e.secret));
        assert_eq!(e.code_at(end), None);
        assert!(entry(None).code_at(i64::MAX / 2).is_some());
    }
}
