//! The secure entry code (SPEC §7.5). A device receives its ticket's barcode sealed
//! (ChaCha20-Poly1305 under its activation group's key) and the key only at activation. Once
//! active it shows a rotating code: the barcode plus an HMAC-SHA256 of the current time step
//! under a secret bound to the ticket and the device, so a copied code dies within seconds.
//!
//! No key is stored: group keys and per-event code keys are derived from the server key, and a
//! device's secret from its event's code key, so a gate holding an event's code key (the
//! offline bundle) can check any device's code without the network.

pub(crate) mod activation;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tixbridge_vault::ServerKey;

/// The rotation period when the event sets none.
pub const DEFAULT_PERIOD_SECONDS: i64 = 15;
/// The first word of every rotating code: names the format.
const CODE_PREFIX: &str = "TB1";
/// Hex characters of the time-based value in a code.
const MAC_HEX_LEN: usize = 16;

/// The key of one activation group (`activationParameters.groupId`; one per event by default).
pub(crate) fn group_key(key: &ServerKey, organizer: i64, event_id: &str, group_id: &str) -> [u8; 32] {
    key.derive(&format!("wallet-group-key:{organizer}:{}:{event_id}:{group_id}", event_id.len()))
}

/// The key every device secret of one event derives from; what an offline gate receives.
pub(crate) fn event_code_key(key: &ServerKey, event_pk: i64) -> [u8; 32] {
    key.derive(&format!("wallet-event-code-key:{event_pk}"))
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The secret of one ticket on one device, derived from the event's code key.
pub fn device_secret(event_code_key: &[u8], ticket_id: &str, device_id: &str) -> [u8; 32] {
    hmac(event_code_key, &[b"device-secret", ticket_id.as_bytes(), device_id.as_bytes()])
}

/// Seals `barcode` under a group key; the ticket id is bound in, so a sealed barcode cannot
/// be moved to another ticket. Base64 of nonce and ciphertext.
pub(crate) fn seal_barcode(group_key: &[u8; 32], ticket_id: &str, barcode: &str) -> String {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let sealed = ChaCha20Poly1305::new(group_key.into())
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: barcode.as_bytes(), aad: ticket_id.as_bytes() })
        .expect("ChaCha20-Poly1305 encryption cannot fail for in-memory data");
    STANDARD.encode([nonce.as_slice(), &sealed].concat())
}

/// Opens a sealed barcode with its group key (both base64), as a device does after activation.
pub fn open_sealed_barcode(key_b64: &str, ticket_id: &str, sealed_b64: &str) -> Option<String> {
    let key: [u8; 32] = STANDARD.decode(key_b64).ok()?.try_into().ok()?;
    let sealed = STANDARD.decode(sealed_b64).ok()?;
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, data) = sealed.split_at(12);
    let plain = ChaCha20Poly1305::new((&key).into())
        .decrypt(Nonce::from_slice(nonce), Payload { msg: data, aad: ticket_id.as_bytes() })
        .ok()?;
    String::from_utf8(plain).ok()
}

/// The time step a moment (ms) falls in.
pub fn step_at(at_ms: i64, period_seconds: i64) -> i64 {
    at_ms.div_euclid(period_seconds.max(1) * 1000)
}

fn code_mac(secret: &[u8], step: i64, barcode: &str) -> String {
    hex::encode(&hmac(secret, &[b"rotating-code", &step.to_be_bytes(), barcode.as_bytes()])[..MAC_HEX_LEN / 2])
}

/// The code a device shows at `at_ms`: `TB1:<deviceId>:<step>:<value>:<barcode>`.
pub fn rotating_code(secret: &[u8], device_id: &str, barcode: &str, period_seconds: i64, at_ms: i64) -> String {
    let step = step_at(at_ms, period_seconds);
    format!("{CODE_PREFIX}:{device_id}:{step}:{}:{barcode}", code_mac(secret, step, barcode))
}

/// A scanned code split into its parts (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCode {
    pub device_id: String,
    pub step: i64,
    pub value: String,
    pub barcode: String,
}

impl ScannedCode {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(5, ':');
        if parts.next()? != CODE_PREFIX {
            return None;
        }
        let device_id = parts.next()?.to_owned();
        let step = parts.next()?.parse().ok()?;
        let value = parts.next()?.to_owned();
        let barcode = parts.next()?.to_owned();
        (!device_id.is_empty() && value.len() == MAC_HEX_LEN && !barcode.is_empty()).then_some(Self {
            device_id,
            step,
            value,
            barcode,
        })
    }

    /// Whether the time-based value was made with `secret`; constant time.
    pub fn signed_by(&self, secret: &[u8]) -> bool {
        bool::from(code_mac(secret, self.step, &self.barcode).as_bytes().ct_eq(self.value.as_bytes()))
    }

    /// Fresh when made in the current step or the one before (a code older than two periods
    /// is refused), or one step ahead to forgive a slightly fast phone clock.
    pub fn fresh_at(&self, at_ms: i64, period_seconds: i64) -> bool {
        let age = step_at(at_ms, period_seconds) - self.step;
        (-1..=1).contains(&age)
    }
}

/// The SHA-256 a scanned code is remembered by (replay detection without storing codes).
pub(crate) fn code_hash(code: &str) -> Vec<u8> {
    use sha2::Digest;
    Sha256::digest(code.trim().as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_with_its_secret_only_and_expires_after_two_periods() {
        let secret = device_secret(&[7; 32], "T1", "dev1");
        let code = rotating_code(&secret, "dev1", "BC:with:colons", 15, 1_000_000);
        let scanned = ScannedCode::parse(&code).unwrap();
        assert_eq!(scanned.barcode, "BC:with:colons");
        assert!(scanned.signed_by(&secret));
        assert!(!scanned.signed_by(&device_secret(&[7; 32], "T1", "dev2")));
        assert!(scanned.fresh_at(1_000_000 + 14_000, 15));
        assert!(!scanned.fresh_at(1_000_000 + 45_000, 15));
        assert!(ScannedCode::parse("BC-123").is_none());
    }

    #[test]
    fn a_sealed_barcode_opens_with_its_group_key_and_ticket_only() {
        let key = [3u8; 32];
        let sealed = seal_barcode(&key, "T1", "BC-1");
        assert!(!sealed.contains("BC-1"));
        let key_b64 = STANDARD.encode(key);
        assert_eq!(open_sealed_barcode(&key_b64, "T1", &sealed).as_deref(), Some("BC-1"));
        assert!(open_sealed_barcode(&key_b64, "T2", &sealed).is_none());
        assert!(open_sealed_barcode(&STANDARD.encode([4u8; 32]), "T1", &sealed).is_none());
    }
}
