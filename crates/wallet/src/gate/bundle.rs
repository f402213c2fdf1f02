//! The offline bundle: everything a gate needs to check one event's codes without the network
//! (the event's code key, each live ticket with the devices holding it and when it activates,
//! and the revoked tickets), signed with Ed25519 so a gate can tell it came from this wallet.
//! [`verify_offline`] checks one scan against it; [`OfflineGate`] adds replay memory.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tixbridge_domain::WalletStatus;
use tixbridge_store::{Db, on_reader};
use tixbridge_vault::ServerKey;

use super::verify::{GateResult, Verdict};
use crate::entry::activation::plan;
use crate::entry::{ScannedCode, device_secret, event_code_key};
use crate::error::WalletError;
use crate::settings::load_settings;

/// The signing key of bundles, derived from the server key (so it is never stored).
pub fn signing_key(key: &ServerKey) -> SigningKey {
    SigningKey::from_bytes(&key.derive("wallet-gate-bundle-signing"))
}

/// A bundle as served: the payload's JSON text in base64 and its signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedBundle {
    pub payload: String,
    pub signature: String,
}

/// What a bundle holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundlePayload {
    pub format: String,
    pub event_id: String,
    pub generated_at: String,
    pub period_seconds: i64,
    /// Base64 of the event's code key: device secrets derive from it.
    pub code_key: String,
    pub tickets: Vec<BundleTicket>,
    pub revoked: Vec<RevokedTicket>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleTicket {
    pub ticket_id: String,
    pub barcode: String,
    pub activated: bool,
    /// Milliseconds UTC from which the ticket counts as active without a recorded activation.
    pub activates_at: i64,
    pub devices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedTicket {
    pub ticket_id: String,
    pub barcode: String,
    pub status: WalletStatus,
}

const FORMAT: &str = "tixbridge-gate-bundle/1";

/// Builds and signs the bundle of `event_id`; `None` when the organizer has no such event.
pub async fn build_bundle(
    db: &Db,
    key: &ServerKey,
    organizer: i64,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedBundle>, WalletError> {
    let loaded = on_reader!(db, |pool| {
        let mut tx = pool.begin().await?;
        let event: Option<(i64, String)> =
            sqlx::query_as("SELECT id, start_time FROM wallet_events WHERE organizer_id = $1 AND event_id = $2")
                .bind(organizer)
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?;
        match event {
            None => None,
            Some((event_pk, start)) => {
                let settings = load_settings!(&mut *tx, event_pk);
                let tickets: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT id, ticket_id, barcode, status, body FROM wallet_tickets WHERE event_pk = $1 ORDER BY id",
                )
                .bind(event_pk)
                .fetch_all(&mut *tx)
                .await?;
                let holdings: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT h.ticket_pk, d.device_id FROM wallet_device_tickets h
                     JOIN wallet_devices d ON d.id = h.device_pk JOIN wallet_tickets t ON t.id = h.ticket_pk
                     WHERE t.event_pk = $1 AND h.released_at IS NULL AND d.spectator_id = t.owner_id",
                )
                .bind(event_pk)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Some((event_pk, start, settings, tickets, holdings))
            }
        }
    });
    let Some((event_pk, start, settings, rows, holdings)) = loaded else { return Ok(None) };
    let mut payload = BundlePayload {
        format: FORMAT.into(),
        event_id: event_id.to_owned(),
        generated_at: crate::rfc3339(crate::millis(now)),
        period_seconds: settings.code_period_seconds,
        code_key: STANDARD.encode(event_code_key(key, event_pk)),
        tickets: Vec::new(),
        revoked: Vec::new(),
    };
    for (pk, ticket_id, barcode, status, body) in rows {
        let status: WalletStatus = status.parse().unwrap_or(WalletStatus::Deleted);
        if status.is_deleted() || status == WalletStatus::Controlled {
            payload.revoked.push(RevokedTicket { ticket_id, barcode, status });
            continue;
        }
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let due = plan(body.get("activationParameters").unwrap_or(&Value::Null), &start, &settings);
        let devices = holdings.iter().filter(|(t, _)| *t == pk).map(|(_, d)| d.clone()).collect();
        payload.tickets.push(BundleTicket {
            ticket_id,
            barcode,
            activated: status.is_activated(),
            activates_at: due.at,
            devices,
        });
    }
    let text = serde_json::to_vec(&payload).map_err(|err| WalletError::Refused(err.to_string()))?;
    let signature = signing_key(key).sign(&text);
    Ok(Some(SignedBundle { payload: STANDARD.encode(&text), signature: STANDARD.encode(signature.to_bytes()) }))
}

/// Why a bundle cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("the bundle is not well-formed")]
    Malformed,
    #[error("the bundle's signature does not match the wallet's public key")]
    BadSignature,
}

/// Checks the signature and reads the payload.
pub fn open_bundle(bundle: &SignedBundle, public_key: &VerifyingKey) -> Result<BundlePayload, BundleError> {
    let text = STANDARD.decode(&bundle.payload).map_err(|_| BundleError::Malformed)?;
    let signature: [u8; 64] =
        STANDARD.decode(&bundle.signature).ok().and_then(|s| s.try_into().ok()).ok_or(BundleError::Malformed)?;
    public_key.verify(&text, &Signature::from_bytes(&signature)).map_err(|_| BundleError::BadSignature)?;
    serde_json::from_slice(&text).map_err(|_| BundleError::Malformed)
}

/// Verifies one scan against a bundle, without the network and without replay memory.
pub fn verify_offline(
    bundle: &SignedBundle,
    public_key: &VerifyingKey,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Verdict, BundleError> {
    let payload = open_bundle(bundle, public_key)?;
    Ok(check(&payload, code, now))
}

fn check(payload: &BundlePayload, code: &str, now: DateTime<Utc>) -> Verdict {
    let Some(scanned) = ScannedCode::parse(code) else { return Verdict::unknown() };
    let Ok(code_key) = STANDARD.decode(&payload.code_key) else { return Verdict::unknown() };
    let signed = |ticket_id: &str| scanned.signed_by(&device_secret(&code_key, ticket_id, &scanned.device_id));
    let named = |ticket_id: &str, result| Verdict {
        result,
        ticket_id: Some(ticket_id.to_owned()),
        event_id: Some(payload.event_id.clone()),
    };
    if let Some(revoked) = payload.revoked.iter().find(|r| r.barcode == scanned.barcode && signed(&r.ticket_id)) {
        let result = if revoked.status == WalletStatus::Controlled {
            GateResult::AlreadyControlled
        } else {
            GateResult::Deleted
        };
        return named(&revoked.ticket_id, result);
    }
    let Some(ticket) = payload.tickets.iter().find(|t| t.barcode == scanned.barcode && signed(&t.ticket_id)) else {
        return Verdict::unknown();
    };
    let at = crate::millis(now);
    let result = if !ticket.devices.contains(&scanned.device_id) {
        GateResult::Unknown
    } else if !(ticket.activated || at >= ticket.activates_at) {
        GateResult::NotActive
    } else if !scanned.fresh_at(at, payload.period_seconds) {
        GateResult::ExpiredCode
    } else {
        GateResult::Accepted
    };
    named(&ticket.ticket_id, result)
}

/// A gate working offline: one opened bundle and the codes and tickets it already let in.
pub struct OfflineGate {
    payload: BundlePayload,
    seen_codes: HashSet<String>,
    entered: HashSet<String>,
}

impl OfflineGate {
    pub fn open(bundle: &SignedBundle, public_key: &VerifyingKey) -> Result<Self, BundleError> {
        Ok(Self { payload: open_bundle(bundle, public_key)?, seen_codes: HashSet::new(), entered: HashSet::new() })
    }

    /// Verifies a scan; the same code twice is `REPLAYED`, a second entry `ALREADY_CONTROLLED`.
    pub fn scan(&mut self, code: &str, now: DateTime<Utc>) -> Verdict {
        if !self.seen_codes.insert(code.trim().to_owned()) {
            let mut verdict = check(&self.payload, code, now);
            verdict.result = GateResult::Replayed;
            return verdict;
        }
        let mut verdict = check(&self.payload, code, now);
        if verdict.result == GateResult::Accepted
            && let Some(ticket) = &verdict.ticket_id
            && !self.entered.insert(ticket.clone())
        {
            verdict.result = GateResult::AlreadyControlled;
        }
        verdict
    }
}
