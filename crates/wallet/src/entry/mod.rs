//! The secure entry code. Once a ticket is activated its device shows a rotating code:
//! `TB2:<reference>:<step>:<value>`, where the reference is an opaque random name of the
//! ticket on that device (never the barcode, so a screenshot carries nothing a gate reading
//! plain barcodes would take) and the value an HMAC-SHA256 of the time step and the reference
//! under a secret bound to the ticket and the device, so a copied code dies within seconds.
//!
//! No key is stored: per-event code keys derive from the server key, and a device's secret from
//! its event's code key, so a gate holding an event's code key (the offline bundle) can check
//! any device's code without the network. Replays are told apart on the parsed code
//! ([`ScannedCode::canonical`]), not on the scanned text.

pub(crate) mod activation;
pub(crate) mod manual;
pub(crate) mod offline;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tixbridge_vault::ServerKey;

/// The rotation period when the event sets none.
pub const DEFAULT_PERIOD_SECONDS: i64 = 15;
/// The first word of every rotating code: names the format.
const CODE_PREFIX: &str = "TB2";
/// Bytes of the time-based value in a code (shown as hex).
const MAC_BYTES: usize = 8;
/// Bytes of a code reference (shown as hex).
const REFERENCE_BYTES: usize = 16;

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

/// A new code reference for one ticket on one device: random, so it says nothing about the
/// ticket, its barcode or its holder; the wallet stores it with the holding.
pub(crate) fn new_reference() -> String {
    let mut bytes = [0u8; REFERENCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The time step a moment (ms) falls in.
pub fn step_at(at_ms: i64, period_seconds: i64) -> i64 {
    at_ms.div_euclid(period_seconds.max(1) * 1000)
}

fn code_mac(secret: &[u8], step: i64, reference: &str) -> [u8; MAC_BYTES] {
    let full = hmac(secret, &[b"rotating-code/2", &step.to_be_bytes(), reference.as_bytes()]);
    full[..MAC_BYTES].try_into().expect("a 32-byte HMAC holds 8 bytes")
}

/// The code a device shows at `at_ms`: `TB2:<reference>:<step>:<value>`.
pub fn rotating_code(secret: &[u8], reference: &str, period_seconds: i64, at_ms: i64) -> String {
    let step = step_at(at_ms, period_seconds);
    format!("{CODE_PREFIX}:{reference}:{step}:{}", hex::encode(code_mac(secret, step, reference)))
}

/// A scanned code split into its parts (not yet checked). Parsing is lenient on spelling
/// (case of the hex, `+` or leading zeros in the step, surrounding whitespace) but every
/// spelling of one code has the same [`canonical`](Self::canonical) form, which is what replay
/// detection remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCode {
    /// Lower-case hex, as stored with the holding.
    pub reference: String,
    pub step: i64,
    value: [u8; MAC_BYTES],
}

fn hex_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    (text.len() == 2 * N && text.bytes().all(|b| b.is_ascii_hexdigit())).then_some(())?;
    hex::decode(text).ok()?.try_into().ok()
}

impl ScannedCode {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split(':');
        let (prefix, reference, step, value) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !prefix.eq_ignore_ascii_case(CODE_PREFIX) {
            return None;
        }
        let reference = hex::encode(hex_exact::<REFERENCE_BYTES>(reference)?);
        let step = step.parse().ok()?;
        let value = hex_exact::<MAC_BYTES>(value)?;
        Some(Self { reference, step, value })
    }

    /// The one spelling of this code: the same for `+N`, leading zeros, upper-case hex or
    /// whitespace, so a respelled code is still the code already used.
    pub fn canonical(&self) -> String {
        format!("{CODE_PREFIX}:{}:{}:{}", self.reference, self.step, hex::encode(self.value))
    }

    /// Whether the time-based value was made with `secret`; constant time.
    pub fn signed_by(&self, secret: &[u8]) -> bool {
        bool::from(code_mac(secret, self.step, &self.reference).ct_eq(&self.value))
    }

    /// Fresh when made in the current step or the one before (a code older than two periods
    /// is refused), or one step ahead to forgive a slightly fast phone clock.
    pub fn fresh_at(&self, at_ms: i64, period_seconds: i64) -> bool {
        let age = step_at(at_ms, period_seconds) - self.step;
        (-1..=1).contains(&age)
    }
}

/// The SHA-256 a scan is remembered by (replay detection without storing codes): of the
/// canonical form when the code parses, else of the trimmed text.
pub(crate) fn code_hash(scanned: Option<&ScannedCode>, text: &str) -> Vec<u8> {
    use sha2::Digest;
    match scanned {
        Some(code) => Sha256::digest(code.canonical().as_bytes()).to_vec(),
        None => Sha256::digest(text.trim().as_bytes()).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_with_its_secret_only_and_expires_after_two_periods() {
        let secret = device_secret(&[7; 32], "T1", "dev1");
        let reference = new_reference();
        let code = rotating_code(&secret, &reference, 15, 1_000_000);
        let scanned = ScannedCode::parse(&code).unwrap();
        assert_eq!(scanned.reference, reference);
        assert!(scanned.signed_by(&secret));
        assert!(!scanned.signed_by(&device_secret(&[7; 32], "T1", "dev2")));
        assert!(scanned.fresh_at(1_000_000 + 14_000, 15));
        assert!(!scanned.fresh_at(1_000_000 + 45_000, 15));
        assert!(ScannedCode::parse("BC-123").is_none());
    }

    #[test]
    fn every_spelling_of_a_code_has_one_canonical_form() {
        let secret = device_secret(&[7; 32], "T1", "dev1");
        let code = rotating_code(&secret, &new_reference(), 15, 1_000_000);
        let canonical = ScannedCode::parse(&code).unwrap().canonical();
        assert_eq!(canonical, code);
        let (head, rest) = code.split_at(4 + 2 * REFERENCE_BYTES + 1);
        let (step, value) = rest.split_once(':').unwrap();
        for spelling in [
            format!("{head}+{step}:{value}"),
            format!("{head}000{step}:{value}"),
            code.to_uppercase(),
            format!("  {code}\n"),
        ] {
            let parsed = ScannedCode::parse(&spelling).unwrap_or_else(|| panic!("{spelling}"));
            assert_eq!(parsed.canonical(), canonical, "{spelling}");
            assert!(parsed.signed_by(&secret));
        }
        assert!(ScannedCode::parse(&format!("{code}:BC-1")).is_none(), "nothing may ride along");
    }
}
