//! A box-office ticket's status (docs/products-and-statuses.md#box-office-ticket-statuses)
//! and the single function that moves it.
//!
//! Issuing, printing (injection into the wallet), checking in, scanning, cancelling,
//! invalidating and reprinting all go through [`TicketStatus::transition`], so an illegal move
//! (controlling a cancelled ticket, cancelling it twice) is refused in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The box-office status names, exactly as
/// docs/products-and-statuses.md#box-office-ticket-statuses spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TicketStatus {
    NotPrinted,
    Printed,
    Controlled,
    Invalidated,
    Cancelled,
}

/// Why a ticket was invalidated or cancelled: a code such as `CANCELLATION`, `REPRINT`,
/// `RESALE`, `MOBILE_TAKE_BACK`. Free text, but a code: 1–64 characters of `A-Z 0-9 _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct InvalidationReason(String);

/// A reason code that breaks the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalidation reason {0:?} must be 1 to 64 characters of A-Z, 0-9 and _")]
pub struct BadReason(pub String);

impl InvalidationReason {
    pub const MAX_LEN: usize = 64;

    pub fn parse(code: &str) -> Result<Self, BadReason> {
        let ok = !code.is_empty()
            && code.len() <= Self::MAX_LEN
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if ok { Ok(Self(code.to_owned())) } else { Err(BadReason(code.to_owned())) }
    }

    /// The reason a reprint gives the ticket it replaces.
    pub fn reprint() -> Self {
        Self("REPRINT".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InvalidationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something that happens to a box-office ticket; the machine decides where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAction {
    /// Printed, or injected into the wallet (an external printing system).
    Print,
    /// Scanned at a gate or checked in at the back office.
    Control,
    /// Invalidation: reprint, resale, take-back…
    Invalidate {
        reason: InvalidationReason,
    },
    Cancel {
        reason: InvalidationReason,
    },
    /// Change the reason of a ticket already invalidated or cancelled (push-cancelled
    /// functions re-send a ticket whose reason changed).
    AmendReason {
        reason: InvalidationReason,
    },
}

impl TicketAction {
    /// The invalidation reason the action carries, if any.
    pub fn reason(&self) -> Option<&InvalidationReason> {
        match self {
            Self::Invalidate { reason } | Self::Cancel { reason } | Self::AmendReason { reason } => Some(reason),
            Self::Print | Self::Control => None,
        }
    }

    /// A short verb for messages: `print`, `control`, `invalidate`, `cancel`, `amend`.
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Print => "print",
            Self::Control => "control",
            Self::Invalidate { .. } => "invalidate",
            Self::Cancel { .. } => "cancel",
            Self::AmendReason { .. } => "amend the invalidation reason of",
        }
    }
}

/// A refused move: what was tried and the status the ticket is in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a ticket that is {from}", action.verb())]
pub struct IllegalTicketMove {
    pub from: TicketStatus,
    pub action: TicketAction,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] =
        [Self::NotPrinted, Self::Printed, Self::Controlled, Self::Invalidated, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotPrinted => "NOT_PRINTED",
            Self::Printed => "PRINTED",
            Self::Controlled => "CONTROLLED",
            Self::Invalidated => "INVALIDATED",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// Invalidated or cancelled: the ticket is no longer valid for entry and never will be.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Invalidated | Self::Cancelled)
    }

    /// The one place that decides where an action leads.
    pub fn transition(self, action: &TicketAction) -> Result<TicketStatus, IllegalTicketMove> {
        use TicketAction as A;
        let next = match action {
            A::Print if self == Self::NotPrinted => Some(Self::Printed),
            A::Control if matches!(self, Self::NotPrinted | Self::Printed) => Some(Self::Controlled),
            A::Invalidate { .. } if !self.is_final() => Some(Self::Invalidated),
            A::Cancel { .. } if !self.is_final() => Some(Self::Cancelled),
            A::AmendReason { .. } if self.is_final() => Some(self),
            _ => None,
        };
        next.ok_or_else(|| IllegalTicketMove { from: self, action: action.clone() })
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that is not one of those in
/// docs/products-and-statuses.md#box-office-ticket-statuses.
#[derive(Debug, thiserror::Error)]
#[error("unknown ticket status {0:?} (known: NOT_PRINTED, PRINTED, CONTROLLED, INVALIDATED, CANCELLED)")]
pub struct UnknownTicketStatus(pub String);

impl FromStr for TicketStatus {
    type Err = UnknownTicketStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|status| status.as_str() == s).ok_or_else(|| UnknownTicketStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(code: &str) -> InvalidationReason {
        InvalidationReason::parse(code).unwrap()
    }

    #[test]
    fn every_status_name_parses_back_to_itself() {
        for status in TicketStatus::ALL {
            assert_eq!(status.as_str().parse::<TicketStatus>().unwrap(), status);
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{status}\""));
        }
        assert!("printed".parse::<TicketStatus>().is_err());
    }

    #[test]
    fn printing_happens_once_and_only_before_control() {
        assert_eq!(TicketStatus::NotPrinted.transition(&TicketAction::Print).unwrap(), TicketStatus::Printed);
        for from in [TicketStatus::Printed, TicketStatus::Controlled, TicketStatus::Cancelled] {
            assert!(from.transition(&TicketAction::Print).is_err(), "{from}");
        }
    }

    #[test]
    fn a_valid_ticket_can_be_controlled_once() {
        for from in [TicketStatus::NotPrinted, TicketStatus::Printed] {
            assert_eq!(from.transition(&TicketAction::Control).unwrap(), TicketStatus::Controlled);
        }
        let again = TicketStatus::Controlled.transition(&TicketAction::Control).unwrap_err();
        assert_eq!(again.from, TicketStatus::Controlled);
    }

    #[test]
    fn a_cancelled_or_invalidated_ticket_refuses_every_move_but_a_reason_change() {
        for from in [TicketStatus::Cancelled, TicketStatus::Invalidated] {
            let moves = [
                TicketAction::Print,
                TicketAction::Control,
                TicketAction::Cancel { reason: reason("CANCELLATION") },
                TicketAction::Invalidate { reason: reason("RESALE") },
            ];
            for action in moves {
                let err = from.transition(&action).unwrap_err();
                assert_eq!(err.from, from);
                assert!(err.to_string().contains(from.as_str()), "{err}");
            }
            let amend = TicketAction::AmendReason { reason: reason("MOBILE_TAKE_BACK") };
            assert_eq!(from.transition(&amend).unwrap(), from);
        }
        let amend = TicketAction::AmendReason { reason: reason("RESALE") };
        assert!(TicketStatus::Printed.transition(&amend).is_err());
    }

    #[test]
    fn any_live_ticket_can_be_cancelled_or_invalidated_with_a_reason() {
        for from in [TicketStatus::NotPrinted, TicketStatus::Printed, TicketStatus::Controlled] {
            let cancel = TicketAction::Cancel { reason: reason("CANCELLATION") };
            assert_eq!(from.transition(&cancel).unwrap(), TicketStatus::Cancelled);
            assert_eq!(cancel.reason().unwrap().as_str(), "CANCELLATION");
            let invalidate = TicketAction::Invalidate { reason: InvalidationReason::reprint() };
            assert_eq!(from.transition(&invalidate).unwrap(), TicketStatus::Invalidated);
        }
    }

    #[test]
    fn reason_codes_are_upper_case_codes_of_at_most_64_characters() {
        for good in ["CANCELLATION", "REPRINT", "MOBILE_TAKE_BACK", "R2", &"X".repeat(64)] {
            assert!(InvalidationReason::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "cancellation", "MOBILE TAKE BACK", "RE-PRINT", "É", &"X".repeat(65)] {
            assert!(InvalidationReason::parse(bad).is_err(), "{bad:?}");
        }
    }
}
