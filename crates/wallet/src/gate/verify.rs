//! Online verification of a scanned code: one write transaction under the organizer's feed
//! lock, so two gates scanning the same ticket at once cannot both let it in. Every scan is
//! recorded (the SHA-256 of its canonical form, never the code); an accepted one makes the
//! ticket `CONTROLLED` and uses the code up. Other results leave it usable, so a scan at the
//! wrong gate does not lock a fan out of the right one.
//!
//! Several scans may share one transaction ([`verify_scans`]: the gate's group commit,
//! `queue.rs`, and the offline upload): they are verified one after the other under the same
//! lock, and each is answered as if it had been alone.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, Tx, sql};
use tixbridge_vault::ServerKey;

use crate::change::{ChangeBatch, TicketHead};
use crate::entry::{ScannedCode, code_hash, device_secret, event_code_key};
use crate::error::WalletError;
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

/// Where a scan came from, as recorded.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Online,
    Offline,
}

/// One scan to verify: the text read, when it was read, the event the gate expects (if any).
#[derive(Debug, Clone)]
pub struct Scan {
    pub code: String,
    pub scanned_at: DateTime<Utc>,
    pub event: Option<String>,
    pub source: Source,
}

/// The holding a code reference names, with its ticket (as a change needs it), its device,
/// and whether an accepted scan already used this code up.
#[derive(sqlx::FromRow)]
struct Candidate {
    #[sqlx(flatten)]
    head: TicketHead,
    event_id: String,
    device_id: String,
    /// Still on the device, and the device is the current owner's.
    held: bool,
    replayed: bool,
}

/// The candidate of one code reference, read after the feed lock: one statement per scan.
const CANDIDATE: &str = "SELECT t.id, t.organizer_id, t.ticket_id, t.event_pk, t.status, t.owner_id,
        t.previous_owner_id, t.forward_transfers, t.activated_at, t.log_len, t.last_hash,
        e.event_id, d.device_id, (h.released_at IS NULL AND d.spectator_id = t.owner_id) AS held,
        EXISTS (SELECT 1 FROM wallet_gate_scans s
                WHERE s.organizer_id = $2 AND s.code_hash = $3 AND s.result = 'ACCEPTED') AS replayed
     FROM wallet_device_tickets h JOIN wallet_devices d ON d.id = h.device_pk
     JOIN wallet_tickets t ON t.id = h.ticket_pk JOIN wallet_events e ON e.id = t.event_pk
     WHERE h.code_ref = $1 AND t.organizer_id = $2";

/// Verifies `code` as scanned at `scanned_at` for `organizer`, optionally expecting `event`,
/// in a transaction of its own.
pub async fn verify(
    db: &Db,
    key: &ServerKey,
    organizer: i64,
    code: &str,
    scanned_at: DateTime<Utc>,
    event: Option<&str>,
    source: Source,
) -> Result<Verdict, WalletError> {
    let scan = Scan { code: code.to_owned(), scanned_at, event: event.map(str::to_owned), source };
    let mut verdicts = verify_scans(db, key, organizer, std::slice::from_ref(&scan)).await?;
    Ok(verdicts.pop().unwrap_or_else(Verdict::unknown))
}

/// Verifies `scans` of `organizer` in order, in one transaction under one feed lock: each
/// gets its own verdict, exactly as if verified one after the other (a code accepted earlier
/// in the list is `REPLAYED` later in it), and every scan is recorded. Nothing is written when
/// it fails.
pub async fn verify_scans(
    db: &Db,
    key: &ServerKey,
    organizer: i64,
    scans: &[Scan],
) -> Result<Vec<Verdict>, sqlx::Error> {
    let now = crate::millis(Utc::now());
    let mut tx = db.begin_write().await?;
    let mut batch = Batch {
        key,
        organizer,
        now,
        changes: ChangeBatch::lock(&mut tx, organizer).await?,
        periods: HashMap::new(),
        used_up: HashSet::new(),
        records: Vec::with_capacity(scans.len()),
    };
    let mut verdicts = Vec::with_capacity(scans.len());
    for scan in scans {
        verdicts.push(batch.verify_one(&mut tx, scan).await?);
    }
    batch.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(verdicts)
}

/// A scan as recorded in `wallet_gate_scans`.
struct ScanRecord {
    ticket_pk: Option<i64>,
    hash: Vec<u8>,
    result: GateResult,
    source: Source,
    at: i64,
}

/// What a transaction of scans keeps between them.
struct Batch<'k> {
    key: &'k ServerKey,
    organizer: i64,
    now: i64,
    changes: ChangeBatch,
    /// Each event's code period, read once.
    periods: HashMap<i64, i64>,
    /// The codes accepted in this transaction (not yet in `wallet_gate_scans`).
    used_up: HashSet<Vec<u8>>,
    records: Vec<ScanRecord>,
}

impl Batch<'_> {
    async fn verify_one(&mut self, tx: &mut Tx, scan: &Scan) -> Result<Verdict, sqlx::Error> {
        let scanned = ScannedCode::parse(&scan.code);
        let hash = code_hash(scanned.as_ref(), &scan.code);
        let at = crate::millis(scan.scanned_at);
        let mut verdict = Verdict::unknown();
        let mut ticket_pk = None;
        if let Some(scanned) = scanned {
            let candidate: Option<Candidate> = sql(CANDIDATE)
                .bind(&scanned.reference)
                .bind(self.organizer)
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await?;
            let found = candidate.filter(|c| {
                let secret = device_secret(&event_code_key(self.key, c.head.event_pk), &c.head.ticket_id, &c.device_id);
                scanned.signed_by(&secret)
            });
            if let Some(mut c) = found {
                ticket_pk = Some(c.head.id);
                verdict.ticket_id = Some(c.head.ticket_id.clone());
                verdict.event_id = Some(c.event_id.clone());
                let status = c.head.status();
                let period = self.period(tx, c.head.event_pk).await?;
                // only an accepted scan uses a code up
                let replayed = c.replayed || self.used_up.contains(&hash);
                verdict.result = if scan.event.as_deref().is_some_and(|e| e != c.event_id) {
                    GateResult::WrongEvent
                } else if replayed {
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
                    let detail = json!({ "controlledAt": crate::rfc3339(at), "deviceId": c.device_id,
                        "source": match scan.source { Source::Online => "online", Source::Offline => "offline" } });
                    let changed = self
                        .changes
                        .record(tx, &mut c.head, WalletAction::Control, "CONTROL", "gate", self.now, &detail, Some(at))
                        .await?;
                    match changed {
                        Ok(_) => {
                            self.used_up.insert(hash.clone());
                        }
                        Err(_) => verdict.result = GateResult::AlreadyControlled,
                    }
                }
            }
        }
        self.records.push(ScanRecord { ticket_pk, hash, result: verdict.result, source: scan.source, at });
        Ok(verdict)
    }

    /// The code period of event `event_pk`.
    async fn period(&mut self, tx: &mut Tx, event_pk: i64) -> Result<i64, sqlx::Error> {
        if let Some(period) = self.periods.get(&event_pk) {
            return Ok(*period);
        }
        let period = load_settings(tx, event_pk).await?.code_period_seconds;
        self.periods.insert(event_pk, period);
        Ok(period)
    }

    /// Writes the changes' log rows and feed position, and every scan's record.
    async fn finish(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        self.changes.finish(tx).await?;
        for chunk in self.records.chunks(RECORD_CHUNK) {
            let mut insert = sql(
                "INSERT INTO wallet_gate_scans (organizer_id, ticket_pk, code_hash, result, source, scanned_at, recorded_at) ",
            );
            insert.push_values(chunk, |row, record| {
                row.bind(self.organizer)
                    .bind(record.ticket_pk)
                    .bind(record.hash.as_slice())
                    .bind(record.result.as_str())
                    .bind(match record.source {
                        Source::Online => "ONLINE",
                        Source::Offline => "OFFLINE",
                    })
                    .bind(record.at)
                    .bind(self.now);
            });
            insert.execute(tx).await?;
        }
        Ok(())
    }
}

/// Scan records per multi-row `INSERT` (7 arguments each).
const RECORD_CHUNK: usize = 1_000;
