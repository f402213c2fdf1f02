//! The answers of the privilege calls: one result per definition and per instance sent, in
//! order, `ACCEPTED` or `REJECTED` with a reason naming the field or rule
//! (docs/wallet-api.md#the-organizer-api).

use serde::Serialize;

use crate::results::TicketOutcome;

/// What an accepted item did to the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Change {
    Created,
    Updated,
    Unchanged,
}

/// A privilege instance's status: a card is active until it is marked used, for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum PrivilegeStatus {
    Active,
    Used,
}

impl PrivilegeStatus {
    pub fn of(used_at: Option<i64>) -> Self {
        if used_at.is_some() { Self::Used } else { Self::Active }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Used => "USED",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DefinitionResult {
    pub definition_id: String,
    pub status: TicketOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

impl DefinitionResult {
    pub fn accepted(definition_id: impl Into<String>, change: Change) -> Self {
        Self {
            definition_id: definition_id.into(),
            status: TicketOutcome::Accepted,
            reason: None,
            change: Some(change),
        }
    }

    pub fn rejected(definition_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            definition_id: definition_id.into(),
            status: TicketOutcome::Rejected,
            reason: Some(reason.into()),
            change: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivilegeResult {
    pub privilege_id: String,
    pub status: TicketOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// The privilege's status after the call (absent for an unknown privilege).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<PrivilegeStatus>,
}

impl PrivilegeResult {
    pub fn accepted(privilege_id: impl Into<String>, change: Option<Change>, current: PrivilegeStatus) -> Self {
        Self {
            privilege_id: privilege_id.into(),
            status: TicketOutcome::Accepted,
            reason: None,
            change,
            current_status: Some(current),
        }
    }

    pub fn rejected(privilege_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            privilege_id: privilege_id.into(),
            status: TicketOutcome::Rejected,
            reason: Some(reason.into()),
            change: None,
            current_status: None,
        }
    }

    /// A refused move: the reason names the privilege's current status.
    pub fn refused_move(privilege_id: impl Into<String>, what: &str, current: PrivilegeStatus) -> Self {
        Self {
            current_status: Some(current),
            ..Self::rejected(privilege_id, format!("{what} is not allowed: privilege is {}", current.as_str()))
        }
    }
}

/// `POST …/privileges`: one entry per definition and per instance sent, in order.
#[derive(Debug, Serialize)]
pub(crate) struct InjectAnswer {
    pub definitions: Vec<DefinitionResult>,
    pub results: Vec<PrivilegeResult>,
}

/// `POST …/privileges/use`: one entry per privilege sent, in order.
#[derive(Debug, Serialize)]
pub(crate) struct UseAnswer {
    pub results: Vec<PrivilegeResult>,
}
