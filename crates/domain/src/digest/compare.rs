//! How two views of one ticket differ: the cause classes a reconcile reports
//! (docs/interface.md#reconcile).

use serde::{Deserialize, Serialize};

use super::{DigestStatus, TicketState};

/// Why a ticket's two views differ. When several fields differ, the first that applies
/// names it: presence, then status, then barcode, then the deletion's reason and visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Difference {
    /// The box office believes the wallet holds it; the wallet does not.
    MissingInWallet,
    /// The wallet holds it; the box office believes it does not.
    UnknownToBoxOffice,
    StatusDiffers,
    BarcodeDiffers,
    /// Both deleted, with another reason or visibility.
    ReasonDiffers,
}

impl Difference {
    pub const ALL: [Difference; 5] = [
        Self::MissingInWallet,
        Self::UnknownToBoxOffice,
        Self::StatusDiffers,
        Self::BarcodeDiffers,
        Self::ReasonDiffers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingInWallet => "MISSING_IN_WALLET",
            Self::UnknownToBoxOffice => "UNKNOWN_TO_BOX_OFFICE",
            Self::StatusDiffers => "STATUS_DIFFERS",
            Self::BarcodeDiffers => "BARCODE_DIFFERS",
            Self::ReasonDiffers => "REASON_DIFFERS",
        }
    }
}

/// How the box office's view (`expected`) and the wallet's (`held`) of one ticket differ,
/// if they do.
pub fn compare(expected: Option<&TicketState>, held: Option<&TicketState>) -> Option<Difference> {
    let (expected, held) = match (expected, held) {
        (None, None) => return None,
        (Some(_), None) => return Some(Difference::MissingInWallet),
        (None, Some(_)) => return Some(Difference::UnknownToBoxOffice),
        (Some(expected), Some(held)) => (expected, held),
    };
    if expected.status != held.status {
        Some(Difference::StatusDiffers)
    } else if expected.barcode_version != held.barcode_version {
        Some(Difference::BarcodeDiffers)
    } else if expected.status == DigestStatus::Deleted
        && (expected.reason != held.reason || expected.show_deleted_ticket != held.show_deleted_ticket)
    {
        Some(Difference::ReasonDiffers)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_names_its_own_class() {
        let valid = TicketState::new("1", DigestStatus::Valid, "BC", None, None);
        let deleted = TicketState::new("1", DigestStatus::Deleted, "BC", Some("FRAUD"), Some(false));
        assert_eq!(compare(Some(&valid), None), Some(Difference::MissingInWallet));
        assert_eq!(compare(None, Some(&valid)), Some(Difference::UnknownToBoxOffice));
        assert_eq!(compare(Some(&deleted), Some(&valid)), Some(Difference::StatusDiffers));
        let other_barcode = TicketState::new("1", DigestStatus::Valid, "BC2", None, None);
        assert_eq!(compare(Some(&valid), Some(&other_barcode)), Some(Difference::BarcodeDiffers));
        let shown = TicketState::new("1", DigestStatus::Deleted, "BC", Some("FRAUD"), Some(true));
        assert_eq!(compare(Some(&deleted), Some(&shown)), Some(Difference::ReasonDiffers));
        assert_eq!(compare(Some(&deleted), Some(&deleted.clone())), None);
    }
}
