//! The offline bundle: everything a gate needs to check one event's codes without the network
//! (the event's code key, each live ticket with the devices holding it — their code references —
//! and when it activates, and the revoked tickets), signed with Ed25519 so a gate can tell it
//! came from this wallet. It carries no barcodes: codes name tickets by reference only.
//! [`verify_offline`] checks one scan against it; [`OfflineGate`] adds replay memory.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tixbridge_domain::WalletStatus;
use tixbridge_store::{Db, sql};
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
    pub activated: bool,
    /// Milliseconds UTC from which the ticket counts as active without a recorded activation.
    pub activates_at: i64,
    /// The devices holding it now (the owner's).
    pub devices: Vec<BundleDevice>,
}

/// One device's holding of a ticket: the device (its secret derives from the code key) and the
/// reference its codes carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleDevice {
    pub device_id: String,
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedTicket {
    pub ticket_id: String,
    pub status: WalletStatus,
    /// Every device that ever held it, so its codes are named as revoked rather than unknown.
    pub devices: Vec<BundleDevice>,
}

const FORMAT: &str = "tixbridge-gate-bundle/2";

/// Builds and signs the bundle of `event_id`; `None` when the organizer has no such event.
pub async fn build_bundle(
    db: &Db,
    key: &ServerKey,
    organizer: i64,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedBundle>, WalletError> {
    let mut tx = db.begin_read().await?;
    let event: Option<(i64, String)> =
        sql("SELECT id, start_time FROM wallet_events WHERE organizer_id = $1 AND event_id = $2")
            .bind(organizer)
            .bind(event_id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((event_pk, start)) = event else { return Ok(None) };
    let settings = load_settings(&mut tx, event_pk).await?;
    let rows: Vec<(i64, String, String, String)> =
        sql("SELECT id, ticket_id, status, body FROM wallet_tickets WHERE event_pk = $1 ORDER BY id")
            .bind(event_pk)
            .fetch_all(&mut tx)
            .await?;
    let holdings: Vec<(i64, String, String, bool)> =
        sql("SELECT h.ticket_pk, d.device_id, h.code_ref, (h.released_at IS NULL AND d.spectator_id = t.owner_id)
         FROM wallet_device_tickets h
         JOIN wallet_devices d ON d.id = h.device_pk JOIN wallet_tickets t ON t.id = h.ticket_pk
         WHERE t.event_pk = $1 AND h.code_ref IS NOT NULL ORDER BY h.ticket_pk, d.device_id")
        .bind(event_pk)
        .fetch_all(&mut tx)
        .await?;
    tx.commit().await?;
    let mut payload = BundlePayload {
        format: FORMAT.into(),
        event_id: event_id.to_owned(),
        generated_at: crate::rfc3339(crate::millis(now)),
        period_seconds: settings.code_period_seconds,
        code_key: STANDARD.encode(event_code_key(key, event_pk)),
        tickets: Vec::new(),
        revoked: Vec::new(),
    };
    let devices_of = |pk: i64, only_held: bool| -> Vec<BundleDevice> {
        holdings
            .iter()
            .filter(|(t, _, _, held)| *t == pk && (*held || !only_held))
            .map(|(_, device_id, reference, _)| BundleDevice {
                device_id: device_id.clone(),
                reference: reference.clone(),
            })
            .collect()
    };
    for (pk, ticket_id, status, body) in rows {
        let status: WalletStatus = status.parse().unwrap_or(WalletStatus::Deleted);
        if status.is_deleted() || status == WalletStatus::Controlled {
            payload.revoked.push(RevokedTicket { ticket_id, status, devices: devices_of(pk, false) });
            continue;
        }
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let due = plan(body.get("activationParameters").unwrap_or(&Value::Null), &start, &settings);
        let devices = devices_of(pk, true);
        payload.tickets.push(BundleTicket {
            ticket_id,
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
    Ok(check(&payload, ScannedCode::parse(code).as_ref(), now))
}

/// The device holding named by `reference` in `devices`, if its code was signed by it.
fn signed_holding<'a>(
    devices: &'a [BundleDevice],
    scanned: &ScannedCode,
    code_key: &[u8],
    ticket_id: &str,
) -> Option<&'a BundleDevice> {
    devices
        .iter()
        .find(|d| d.reference == scanned.reference)
        .filter(|d| scanned.signed_by(&device_secret(code_key, ticket_id, &d.device_id)))
}

fn check(payload: &BundlePayload, scanned: Option<&ScannedCode>, now: DateTime<Utc>) -> Verdict {
    let Some(scanned) = scanned else { return Verdict::unknown() };
    let Ok(code_key) = STANDARD.decode(&payload.code_key) else { return Verdict::unknown() };
    let named = |ticket_id: &str, result| Verdict {
        result,
        ticket_id: Some(ticket_id.to_owned()),
        event_id: Some(payload.event_id.clone()),
    };
    if let Some(revoked) =
        payload.revoked.iter().find(|r| signed_holding(&r.devices, scanned, &code_key, &r.ticket_id).is_some())
    {
        let result = if revoked.status == WalletStatus::Controlled {
            GateResult::AlreadyControlled
        } else {
            GateResult::Deleted
        };
        return named(&revoked.ticket_id, result);
    }
    let Some(ticket) =
        payload.tickets.iter().find(|t| signed_holding(&t.devices, scanned, &code_key, &t.ticket_id).is_some())
    else {
        return Verdict::unknown();
    };
    let at = crate::millis(now);
    let result = if !(ticket.activated || at >= ticket.activates_at) {
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
    /// Canonical forms of the codes accepted (only an accepted scan uses a code up).
    used_codes: HashSet<String>,
    entered: HashSet<String>,
}

impl OfflineGate {
    pub fn open(bundle: &SignedBundle, public_key: &VerifyingKey) -> Result<Self, BundleError> {
        Ok(Self { payload: open_bundle(bundle, public_key)?, used_codes: HashSet::new(), entered: HashSet::new() })
    }

    /// Verifies a scan; a code already accepted (however it is spelled) is `REPLAYED`, a second
    /// entry with another code `ALREADY_CONTROLLED`.
    pub fn scan(&mut self, code: &str, now: DateTime<Utc>) -> Verdict {
        let scanned = ScannedCode::parse(code);
        let mut verdict = check(&self.payload, scanned.as_ref(), now);
        let Some(scanned) = scanned else { return verdict };
        if self.used_codes.contains(&scanned.canonical()) {
            verdict.result = GateResult::Replayed;
        } else if verdict.result == GateResult::Accepted
            && let Some(ticket) = &verdict.ticket_id
        {
            if self.entered.insert(ticket.clone()) {
                self.used_codes.insert(scanned.canonical());
            } else {
                verdict.result = GateResult::AlreadyControlled;
            }
        }
        verdict
    }
}
