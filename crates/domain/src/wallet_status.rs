//! A ticket's lifecycle in the wallet (docs/products-and-statuses.md#wallet-statuses) and
//! the single function that moves it.
//!
//! Every status change in the wallet, whoever causes it (organizer, spectator, gate, timer),
//! goes through [`WalletStatus::transition`], so an illegal move is refused in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The status names feedback returns, exactly as
/// docs/products-and-statuses.md#wallet-statuses spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WalletStatus {
    Injected,
    Downloaded,
    Assigned,
    PendingTransfer,
    FailureTransfer,
    Failure,
    Transferred,
    OnlineActivated,
    OfflineActivated,
    ManualActivated,
    BtActivated,
    Controlled,
    DeletionPending,
    Deleted,
}

/// How an entry code was revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivationMethod {
    Online,
    Offline,
    Manual,
    Bluetooth,
}

/// Something that happens to a ticket; the machine decides the status it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletAction {
    /// The organizer re-injected the ticket with changed content.
    Update,
    /// First fetch on a device.
    Download,
    /// The owner named a holder.
    Assign,
    OfferTransfer,
    /// The recipient rejected, or the sender cancelled.
    RejectTransfer,
    /// The offer expired, or the organizer cancelled it.
    FailTransfer,
    AcceptTransfer,
    Activate(ActivationMethod),
    Control,
    /// Organizer deletion; `held_by_device` decides between pending and done.
    Delete {
        held_by_device: bool,
    },
    /// The last device holding a deleted ticket confirmed it is gone.
    ReleaseFromDevices,
    /// The organizer deleted an already deleted ticket again with another reason or
    /// visibility: the status stays, the new reason is recorded. A box office whose
    /// cancellation reason changed must be able to say so.
    AmendDeletion,
    /// The organizer controlled an already controlled ticket again, now asking that the
    /// spectator be told: the status stays, the request is recorded.
    AmendControl,
}

/// A refused move: the action and the status the ticket is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed from status {from}")]
pub struct IllegalTransition {
    pub from: WalletStatus,
    pub action: WalletAction,
}

impl WalletStatus {
    pub const ALL: [WalletStatus; 14] = [
        Self::Injected,
        Self::Downloaded,
        Self::Assigned,
        Self::PendingTransfer,
        Self::FailureTransfer,
        Self::Failure,
        Self::Transferred,
        Self::OnlineActivated,
        Self::OfflineActivated,
        Self::ManualActivated,
        Self::BtActivated,
        Self::Controlled,
        Self::DeletionPending,
        Self::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Injected => "INJECTED",
            Self::Downloaded => "DOWNLOADED",
            Self::Assigned => "ASSIGNED",
            Self::PendingTransfer => "PENDING_TRANSFER",
            Self::FailureTransfer => "FAILURE_TRANSFER",
            Self::Failure => "FAILURE",
            Self::Transferred => "TRANSFERRED",
            Self::OnlineActivated => "ONLINE_ACTIVATED",
            Self::OfflineActivated => "OFFLINE_ACTIVATED",
            Self::ManualActivated => "MANUAL_ACTIVATED",
            Self::BtActivated => "BT_ACTIVATED",
            Self::Controlled => "CONTROLLED",
            Self::DeletionPending => "DELETION_PENDING",
            Self::Deleted => "DELETED",
        }
    }

    /// On a spectator's device and in their hands: may be shown, assigned, offered.
    pub fn is_held(self) -> bool {
        matches!(self, Self::Downloaded | Self::Assigned | Self::FailureTransfer | Self::Failure | Self::Transferred)
    }

    pub fn is_activated(self) -> bool {
        matches!(self, Self::OnlineActivated | Self::OfflineActivated | Self::ManualActivated | Self::BtActivated)
    }

    /// Deleted or on its way out: nothing but device release may happen.
    pub fn is_deleted(self) -> bool {
        matches!(self, Self::DeletionPending | Self::Deleted)
    }

    /// The one place that decides where an action leads.
    pub fn transition(self, action: WalletAction) -> Result<WalletStatus, IllegalTransition> {
        use WalletAction as A;
        let next = match action {
            A::Update if self == Self::Injected => Some(Self::Injected),
            A::Download if matches!(self, Self::Injected | Self::Transferred) => Some(Self::Downloaded),
            A::Assign if self.is_held() => Some(Self::Assigned),
            A::OfferTransfer if self.is_held() || self.is_activated() => Some(Self::PendingTransfer),
            A::RejectTransfer if self == Self::PendingTransfer => Some(Self::FailureTransfer),
            A::FailTransfer if self == Self::PendingTransfer => Some(Self::Failure),
            A::AcceptTransfer if self == Self::PendingTransfer => Some(Self::Transferred),
            A::Activate(method) if self.is_held() => Some(match method {
                ActivationMethod::Online => Self::OnlineActivated,
                ActivationMethod::Offline => Self::OfflineActivated,
                ActivationMethod::Manual => Self::ManualActivated,
                ActivationMethod::Bluetooth => Self::BtActivated,
            }),
            A::Control if !self.is_deleted() && self != Self::Controlled => Some(Self::Controlled),
            A::Delete { held_by_device } if !self.is_deleted() => {
                Some(if held_by_device { Self::DeletionPending } else { Self::Deleted })
            }
            A::ReleaseFromDevices if self == Self::DeletionPending => Some(Self::Deleted),
            A::AmendDeletion if self.is_deleted() => Some(self),
            A::AmendControl if self == Self::Controlled => Some(self),
            _ => None,
        };
        next.ok_or(IllegalTransition { from: self, action })
    }
}

impl fmt::Display for WalletStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that is not one of those in docs/products-and-statuses.md#wallet-statuses.
#[derive(Debug, thiserror::Error)]
#[error("unknown wallet status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for WalletStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|status| status.as_str() == s).ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_name_parses_back_to_itself() {
        for status in WalletStatus::ALL {
            assert_eq!(status.as_str().parse::<WalletStatus>().unwrap(), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
    }

    #[test]
    fn a_deleted_ticket_can_be_neither_controlled_nor_deleted_again() {
        for from in [WalletStatus::Deleted, WalletStatus::DeletionPending] {
            assert!(from.transition(WalletAction::Control).is_err());
            let again = WalletAction::Delete { held_by_device: false };
            assert!(from.transition(again).is_err());
        }
    }

    #[test]
    fn only_a_deleted_ticket_takes_an_amended_deletion_and_keeps_its_status() {
        for from in [WalletStatus::Deleted, WalletStatus::DeletionPending] {
            assert_eq!(from.transition(WalletAction::AmendDeletion).unwrap(), from);
        }
        assert!(WalletStatus::Injected.transition(WalletAction::AmendDeletion).is_err());
        assert!(WalletStatus::Controlled.transition(WalletAction::AmendDeletion).is_err());
    }

    #[test]
    fn only_a_controlled_ticket_takes_an_amended_control_and_keeps_its_status() {
        assert_eq!(WalletStatus::Controlled.transition(WalletAction::AmendControl).unwrap(), WalletStatus::Controlled);
        for from in [WalletStatus::Injected, WalletStatus::Deleted, WalletStatus::DeletionPending] {
            assert!(from.transition(WalletAction::AmendControl).is_err());
        }
    }

    #[test]
    fn a_controlled_ticket_refuses_transfer_but_can_still_be_deleted() {
        let controlled = WalletStatus::Controlled;
        assert!(controlled.transition(WalletAction::OfferTransfer).is_err());
        let delete = WalletAction::Delete { held_by_device: true };
        assert_eq!(controlled.transition(delete).unwrap(), WalletStatus::DeletionPending);
    }

    #[test]
    fn deletion_is_immediate_only_when_no_device_holds_the_ticket() {
        let injected = WalletStatus::Injected;
        let gone = injected.transition(WalletAction::Delete { held_by_device: false });
        assert_eq!(gone.unwrap(), WalletStatus::Deleted);
        let pending = WalletStatus::Downloaded.transition(WalletAction::Delete { held_by_device: true });
        assert_eq!(pending.unwrap(), WalletStatus::DeletionPending);
        let done = WalletStatus::DeletionPending.transition(WalletAction::ReleaseFromDevices);
        assert_eq!(done.unwrap(), WalletStatus::Deleted);
    }

    #[test]
    fn a_transfer_ends_in_one_of_three_ways() {
        let pending = WalletStatus::Downloaded.transition(WalletAction::OfferTransfer).unwrap();
        assert_eq!(pending, WalletStatus::PendingTransfer);
        let outcomes = [
            (WalletAction::AcceptTransfer, WalletStatus::Transferred),
            (WalletAction::RejectTransfer, WalletStatus::FailureTransfer),
            (WalletAction::FailTransfer, WalletStatus::Failure),
        ];
        for (action, expected) in outcomes {
            assert_eq!(pending.transition(action).unwrap(), expected);
        }
    }

    #[test]
    fn only_a_ticket_not_yet_downloaded_accepts_changed_content() {
        assert!(WalletStatus::Injected.transition(WalletAction::Update).is_ok());
        assert!(WalletStatus::Downloaded.transition(WalletAction::Update).is_err());
    }
}
