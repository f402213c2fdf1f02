//! The agreement digest between the box office and the wallet (docs/wallet-api.md#digest),
//! written once for both sides: what one ticket's state is reduced to ([`TicketState`]),
//! how a range of them is hashed ([`digest`]), how a range is cut into parts a client can
//! bisect ([`parts`]) and how two views of one ticket differ ([`compare`]).
//!
//! The wallet computes it from what it holds, the box office from what it believes the
//! wallet holds; equal digests mean equal states, so only the ranges whose digests differ
//! need to be looked at ticket by ticket.

mod compare;
mod range;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::{TicketStatus, WalletStatus};

pub use compare::{Difference, compare};
pub use range::{IdRange, Part, parts};

/// A ticket's state as the digest sees it: coarser than the wallet's fourteen statuses, since
/// a spectator's moves (download, transfer, activation) are the wallet's own business and
/// change nothing the box office sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DigestStatus {
    /// In the wallet and usable at the gate.
    Valid,
    Controlled,
    /// `DELETION_PENDING` or `DELETED`.
    Deleted,
}

impl DigestStatus {
    pub const ALL: [DigestStatus; 3] = [Self::Valid, Self::Controlled, Self::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "VALID",
            Self::Controlled => "CONTROLLED",
            Self::Deleted => "DELETED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What a wallet status amounts to.
    pub fn of_wallet(status: WalletStatus) -> Self {
        match status {
            WalletStatus::Controlled => Self::Controlled,
            s if s.is_deleted() => Self::Deleted,
            _ => Self::Valid,
        }
    }

    /// What the box office expects the wallet to hold for one of its tickets in `status`,
    /// `mirror` being the wallet status feedback last reported. A cancelled or invalidated
    /// ticket is to be deleted, a controlled one controlled; otherwise the ticket is valid,
    /// unless the wallet reported it controlled — a scan at the wallet's own gate is a move
    /// the wallet makes by itself. A deletion the box office did not ask for is never taken
    /// from the mirror: only the organizer deletes.
    pub fn expected(status: TicketStatus, mirror: Option<WalletStatus>) -> Self {
        match status {
            TicketStatus::Cancelled | TicketStatus::Invalidated => Self::Deleted,
            TicketStatus::Controlled => Self::Controlled,
            TicketStatus::NotPrinted | TicketStatus::Printed => match mirror {
                Some(WalletStatus::Controlled) => Self::Controlled,
                _ => Self::Valid,
            },
        }
    }
}

impl fmt::Display for DigestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which barcode a ticket carries, without the barcode: the first 8 bytes of its SHA-256,
/// shown as 16 hex digits. Two sides agree on the barcode when they agree on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarcodeVersion(pub [u8; 8]);

impl BarcodeVersion {
    /// The version of `barcode` as the wallet holds it (prefix and postfix included).
    pub fn of(barcode: &str) -> Self {
        let hash = Sha256::digest(barcode.as_bytes());
        let mut version = [0; 8];
        version.copy_from_slice(&hash[..8]);
        Self(version)
    }
}

impl fmt::Display for BarcodeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl Serialize for BarcodeVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BarcodeVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut version = [0; 8];
        hex::decode_to_slice(&text, &mut version).map_err(serde::de::Error::custom)?;
        Ok(Self(version))
    }
}

/// One ticket as the digest covers it: `(ticketId, status, barcode version, reason,
/// visibility)`. Fields that do not matter in a status are normalized away, so two sides
/// that agree on what matters agree on the tuple: a deleted ticket has no barcode version
/// (it admits no one), a ticket not deleted has no reason and is not "shown deleted".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketState {
    pub ticket_id: Box<str>,
    pub status: DigestStatus,
    pub barcode_version: Option<BarcodeVersion>,
    /// The deletion reason; an empty one is none.
    pub reason: Option<Box<str>>,
    pub show_deleted_ticket: bool,
}

impl TicketState {
    /// The normalized state of `ticket_id`: `barcode` as the wallet holds it (or would),
    /// `reason` and `show_deleted_ticket` as the deletion sent or would send them.
    pub fn new(
        ticket_id: impl Into<Box<str>>,
        status: DigestStatus,
        barcode: &str,
        reason: Option<&str>,
        show_deleted_ticket: Option<bool>,
    ) -> Self {
        let deleted = status == DigestStatus::Deleted;
        Self {
            ticket_id: ticket_id.into(),
            status,
            barcode_version: (!deleted).then(|| BarcodeVersion::of(barcode)),
            reason: reason.filter(|r| deleted && !r.is_empty()).map(Into::into),
            show_deleted_ticket: deleted && show_deleted_ticket.unwrap_or(false),
        }
    }

    /// The bytes the digest hashes: each field length-prefixed, so no two tuples (nor two
    /// sequences of tuples) serialize alike.
    fn feed(&self, hasher: &mut Sha256) {
        let version = self.barcode_version.map(|v| v.0);
        let fields: [&[u8]; 4] = [
            self.ticket_id.as_bytes(),
            self.status.as_str().as_bytes(),
            version.as_ref().map_or(&[], |v| v.as_slice()),
            self.reason.as_deref().unwrap_or_default().as_bytes(),
        ];
        for field in fields {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        hasher.update([u8::from(self.show_deleted_ticket)]);
    }
}

/// A range's digest: how many tickets, and the SHA-256 over their tuples in ticket-id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    pub count: u64,
    pub hash: [u8; 32],
}

impl Digest {
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }
}

/// The digest of `states`, which must be sorted by ticket id ([`sort`]).
pub fn digest(states: &[TicketState]) -> Digest {
    let mut hasher = Sha256::new();
    for state in states {
        state.feed(&mut hasher);
    }
    Digest { count: states.len() as u64, hash: hasher.finalize().into() }
}

/// Sorts `states` in the digest's order: ticket ids compared byte by byte (as UTF-8), which
/// is how both databases compare text under a binary collation.
pub fn sort(states: &mut [TicketState]) {
    if !states.is_sorted_by(|a, b| a.ticket_id <= b.ticket_id) {
        states.sort_unstable_by(|a, b| a.ticket_id.cmp(&b.ticket_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(id: &str, status: DigestStatus) -> TicketState {
        TicketState::new(id, status, "BC1", Some("CANCELLATION"), Some(true))
    }

    #[test]
    fn fields_that_do_not_matter_in_a_status_are_normalized_away() {
        let valid = state("1", DigestStatus::Valid);
        assert_eq!(valid.reason, None);
        assert!(!valid.show_deleted_ticket);
        assert_eq!(valid.barcode_version, Some(BarcodeVersion::of("BC1")));
        let deleted = state("1", DigestStatus::Deleted);
        assert_eq!(deleted.barcode_version, None);
        assert_eq!(deleted.reason.as_deref(), Some("CANCELLATION"));
        let no_reason = TicketState::new("1", DigestStatus::Deleted, "x", Some(""), None);
        assert_eq!(no_reason, TicketState::new("1", DigestStatus::Deleted, "y", None, Some(false)));
    }

    #[test]
    fn the_digest_depends_on_every_field_and_on_the_order() {
        let base = [state("1", DigestStatus::Valid), state("2", DigestStatus::Deleted)];
        let same = digest(&base);
        assert_eq!(same, digest(&base.clone()));
        assert_eq!(same.count, 2);
        let mut other = base.clone();
        other[1].show_deleted_ticket = false;
        assert_ne!(digest(&other).hash, same.hash);
        let mut other = base.clone();
        other[0].barcode_version = Some(BarcodeVersion::of("BC2"));
        assert_ne!(digest(&other).hash, same.hash);
        let swapped = [base[1].clone(), base[0].clone()];
        assert_ne!(digest(&swapped).hash, same.hash);
    }

    #[test]
    fn ticket_ids_sort_byte_by_byte() {
        let mut states: Vec<TicketState> =
            ["9", "10", "A", "1"].iter().map(|id| state(id, DigestStatus::Valid)).collect();
        sort(&mut states);
        let ids: Vec<&str> = states.iter().map(|s| &*s.ticket_id).collect();
        assert_eq!(ids, ["1", "10", "9", "A"]);
    }

    #[test]
    fn the_box_office_expects_a_wallet_control_but_never_a_deletion_it_did_not_ask_for() {
        use DigestStatus as D;
        assert_eq!(D::expected(TicketStatus::Printed, Some(WalletStatus::Controlled)), D::Controlled);
        assert_eq!(D::expected(TicketStatus::Printed, Some(WalletStatus::Deleted)), D::Valid);
        assert_eq!(D::expected(TicketStatus::Cancelled, Some(WalletStatus::Downloaded)), D::Deleted);
        assert_eq!(D::of_wallet(WalletStatus::DeletionPending), D::Deleted);
        assert_eq!(D::of_wallet(WalletStatus::Transferred), D::Valid);
    }

    #[test]
    fn a_state_reads_back_from_its_json() {
        let deleted = state("7", DigestStatus::Deleted);
        let json = serde_json::to_value(&deleted).unwrap();
        assert_eq!(json["status"], "DELETED");
        assert_eq!(json["barcodeVersion"], serde_json::Value::Null);
        let valid = state("7", DigestStatus::Valid);
        let json = serde_json::to_value(&valid).unwrap();
        assert_eq!(json["barcodeVersion"].as_str().unwrap().len(), 16);
        assert_eq!(serde_json::from_value::<TicketState>(json).unwrap(), valid);
    }
}
