//! Online verification of a scanned code: one write transaction under the organizer's feed
//! lock, so two gates scanning the same ticket at once cannot both let it in. Every scan is
//! recorded (the SHA-256 of its canonical form, never the code); an accepted one makes the
//! ticket `CONTROLLED` and uses the code up. Other results leave it usable, so a scan at the
//! wrong gate does not lock a fan out of the right one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, sql};
use tixbridge_vault::ServerKey;

use crate::change::{HEAD_COLUMNS, TicketHead, record_change};
use crate::entry::{ScannedCode, code_hash, device_secret, event_code_key};
use crate::error::WalletError;
use crate::log_rows::lock_feed;
use crate::settings::load_settings;

/// What a gate is told about a scanned code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GateResult {
    Accepted,
    Unknown,
    NotActive,
    ExpiredCode,
    Replayed,
    Deleted,
    AlreadyControlled,
    WrongEvent,
}

impl GateResult {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::Unknown => "UNKNOWN",
            Self::NotActive => "NOT_ACTIVE",
            Self::ExpiredCode => "EXPIRED_CODE",
            Self::Replayed => "REPLAYED",
            Self::Deleted => "DELETED",
            Self::AlreadyControlled => "ALREADY_CONTROLLED",
            Self::WrongEvent => "WRONG_EVENT",
        }
    }
}

/// A gate's answer: the result, and the ticket and event when the code named one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub result: GateResult,
    pub ticket_id: Option<String>,
    pub event_id: Option<String>,
}

impl Verdict {
    pub fn unknown() -> Self {
        Self { result: GateResult::Unknown, ticket_id: None, event_id: None }
    }
}

/// The holding a code reference names, with its ticket and device.
#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    ticket_id: String,
    event_pk: i64,
    event_id: String,
    status: String,
    device_id: String,
    /// Still on the device, and the device is the current owner's.
    held: bool,
}

/// Where a scan came from, as recorded.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Online,
    Offline,
}

/// Verifies `code` as scanned at `scanned_at` for `organizer`, optionally expecting `event`.
pub async fn verify(
    db: &Db,
    key: &ServerKey,
    organizer: i64,
    code: &str,
    scanned_at: DateTime<Utc>,
    event: Option<&str>,
    source: Source,
) -> Result<Verdict, WalletError> {
    let scanned = ScannedCode::parse(code);
    let hash = code_hash(scanned.as_ref(), code);
    let at = crate::millis(scanned_at);
    let now = crate::millis(Utc::now());
    let mut tx = db.begin_write().await?;
    lock_feed(&mut tx, organizer).await?;
    let mut verdict = Verdict::unknown();
    let mut ticket_pk = None;
    if let Some(scanned) = scanned {
        let candidate: Option<Candidate> =
            sql("SELECT t.id, t.ticket_id, t.event_pk, e.event_id, t.status, d.device_id,
                    (h.released_at IS NULL AND d.spectator_id = t.owner_id) AS held
             FROM wallet_device_tickets h JOIN wallet_devices d ON d.id = h.device_pk
             JOIN wallet_tickets t ON t.id = h.ticket_pk JOIN wallet_events e ON e.id = t.event_pk
             WHERE h.code_ref = $1 AND t.organizer_id = $2")
            .bind(&scanned.reference)
            .bind(organizer)
            .fetch_optional(&mut tx)
            .await?;
        let found = candidate.filter(|c| {
            scanned.signed_by(&device_secret(&event_code_key(key, c.event_pk), &c.ticket_id, &c.device_id))
        });
        if let Some(c) = found {
            ticket_pk = Some(c.id);
            verdict.ticket_id = Some(c.ticket_id.clone());
            verdict.event_id = Some(c.event_id.clone());
            let status: WalletStatus = c.status.parse().unwrap_or(WalletStatus::Deleted);
            // only an accepted scan uses a code up
            let replayed: Option<i64> = sql(
                "SELECT id FROM wallet_gate_scans WHERE organizer_id = $1 AND code_hash = $2 AND result = $3 LIMIT 1",
            )
            .bind(organizer)
            .bind(&hash)
            .bind(GateResult::Accepted.as_str())
            .scalar_optional(&mut tx)
            .await?;
            let period = load_settings(&mut tx, c.event_pk).await?.code_period_seconds;
            verdict.result = if event.is_some_and(|e| e != c.event_id) {
                GateResult::WrongEvent
            } else if replayed.is_some() {
                GateResult::Replayed
            } else if status.is_deleted() {
                GateResult::Deleted
            } else if status == WalletStatus::Controlled {
                GateResult::AlreadyControlled
            } else if !c.held {
                GateResult::Unknown
            } else if !status.is_activated() {
                GateResult::NotActive
            } else if !scanned.fresh_at(at, period) {
                GateResult::ExpiredCode
            } else {
                GateResult::Accepted
            };
            if verdict.result == GateResult::Accepted {
                let mut head: TicketHead = sql(format!("SELECT {HEAD_COLUMNS} FROM wallet_tickets WHERE id = $1"))
                    .bind(c.id)
                    .fetch_one(&mut tx)
                    .await?;
                let detail = json!({ "controlledAt": crate::rfc3339(at), "deviceId": c.device_id,
                    "source": match source { Source::Online => "online", Source::Offline => "offline" } });
                match record_change(&mut tx, &mut head, WalletAction::Control, "CONTROL", "gate", now, &detail).await? {
                    Ok(_) => {
                        sql("UPDATE wallet_tickets SET controlled_at = $1 WHERE id = $2")
                            .bind(at)
                            .bind(c.id)
                            .execute(&mut tx)
                            .await?;
                    }
                    Err(_) => verdict.result = GateResult::AlreadyControlled,
                }
            }
        }
    }
    sql("INSERT INTO wallet_gate_scans (organizer_id, ticket_pk, code_hash, result, source, scanned_at, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
    .bind(organizer)
    .bind(ticket_pk)
    .bind(&hash)
    .bind(verdict.result.as_str())
    .bind(match source {
        Source::Online => "ONLINE",
        Source::Offline => "OFFLINE",
    })
    .bind(at)
    .bind(now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(verdict)
}
