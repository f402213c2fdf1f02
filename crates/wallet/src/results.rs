//! The per-ticket answer of every batch call: `ACCEPTED`, or `REJECTED` with a reason that
//! names the field or rule and, for a refused state change, the ticket's current status.

use serde::Serialize;
use tixbridge_domain::WalletStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TicketOutcome {
    Accepted,
    Rejected,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketResult {
    pub ticket_id: String,
    pub status: TicketOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The ticket's status after the call (absent for an unknown ticket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<WalletStatus>,
}

impl TicketResult {
    pub fn accepted(ticket_id: impl Into<String>, status: WalletStatus) -> Self {
        Self {
            ticket_id: ticket_id.into(),
            status: TicketOutcome::Accepted,
            reason: None,
            current_status: Some(status),
        }
    }

    pub fn rejected(ticket_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            ticket_id: ticket_id.into(),
            status: TicketOutcome::Rejected,
            reason: Some(reason.into()),
            current_status: None,
        }
    }

    /// A refused state change: the reason carries the current status, as
    /// docs/wallet-api.md#the-organizer-api describes.
    pub fn refused_move(ticket_id: impl Into<String>, what: &str, current: WalletStatus) -> Self {
        Self {
            current_status: Some(current),
            ..Self::rejected(ticket_id, format!("{what} is not allowed: ticket is {current}"))
        }
    }
}

/// The body of every batch answer.
#[derive(Debug, Serialize)]
pub struct BatchAnswer {
    pub results: Vec<TicketResult>,
}
