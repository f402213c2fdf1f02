//! The functions of an interface (docs/interface.md#functions): what each moves, when it
//! runs, its settings.

pub mod schedule;
pub mod settings;
mod store;

use serde::{Deserialize, Serialize};

pub use settings::Settings;
pub use store::{
    create_function, create_function_in, list_functions, load_function, page_functions, set_pagination_key,
    update_function,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FunctionKind {
    Injection,
    Feedback,
    PushCancelled,
    PushControlled,
    Privileges,
    /// Compares the box office with the wallet, and with `repair` makes them agree
    /// (docs/interface.md#reconcile).
    Reconcile,
}

impl FunctionKind {
    pub const ALL: [FunctionKind; 6] =
        [Self::Injection, Self::Feedback, Self::PushCancelled, Self::PushControlled, Self::Privileges, Self::Reconcile];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Injection => "INJECTION",
            Self::Feedback => "FEEDBACK",
            Self::PushCancelled => "PUSH_CANCELLED",
            Self::PushControlled => "PUSH_CONTROLLED",
            Self::Privileges => "PRIVILEGES",
            Self::Reconcile => "RECONCILE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// What a function's settings need of its interface: a ticket template only on an interface
/// of type `TIXNGO_WITH_TEMPLATE` (docs/interface.md#ticket-templates). Checked when the
/// function is saved and again when a run starts, as the interface may have changed since.
pub fn fits_interface(
    settings: &Settings,
    interface: &crate::config::Interface,
) -> Result<(), crate::config::ConfigError> {
    match settings {
        Settings::Injection(s)
            if s.template_id.is_some() && interface.kind != crate::config::InterfaceType::TixngoWithTemplate =>
        {
            Err(crate::config::ConfigError {
                field: "settings.templateId".into(),
                rule: format!(
                    "a ticket template needs an interface of type TIXNGO_WITH_TEMPLATE, and this interface is {}",
                    interface.kind.as_str()
                ),
            })
        }
        _ => Ok(()),
    }
}

/// How runs start: by an operator, on a schedule, or as soon as there is work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Launch {
    Manual,
    Automatic,
    Continuous,
}

impl Launch {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "MANUAL",
            Self::Automatic => "AUTOMATIC",
            Self::Continuous => "CONTINUOUS",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Manual, Self::Automatic, Self::Continuous].into_iter().find(|l| l.as_str() == text)
    }
}

/// What an operator sends to create or change a function.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionInput {
    /// INJECTION, FEEDBACK, PUSH_CANCELLED, PUSH_CONTROLLED, PRIVILEGES or RECONCILE
    pub kind: String,
    pub name: String,
    #[serde(default = "manual")]
    /// MANUAL (the default), AUTOMATIC or CONTINUOUS (not for RECONCILE)
    pub launch: String,
    #[schema(minimum = 1)]
    pub frequency_minutes: Option<u32>,
    /// RFC 3339.
    pub start: Option<String>,
    pub end: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    /// the kind's fields (docs/interface.md#functions), camelCase
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// Feedback only: where the feed resumes (empty: from the beginning).
    pub pagination_key: Option<String>,
}

fn manual() -> String {
    "MANUAL".into()
}

fn yes() -> bool {
    true
}

/// A stored function.
#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub id: i64,
    pub interface_id: i64,
    pub kind: FunctionKind,
    pub name: String,
    pub launch: Launch,
    pub frequency_seconds: Option<i64>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub active: bool,
    pub settings: Settings,
    pub pagination_key: String,
    pub next_run_at: Option<i64>,
    /// When the last run that ended `OK` or `WARNING` started.
    pub last_success_at: Option<i64>,
    /// Pushes: when the `dateFrom` now set was set, while no successful run has applied it
    /// yet (a one-off recovery); `None` once applied, or when no `dateFrom` is set.
    pub date_from_armed_at: Option<i64>,
}

impl FunctionDef {
    pub fn view(&self) -> serde_json::Value {
        let rfc = |ms: Option<i64>| ms.and_then(chrono::DateTime::from_timestamp_millis).map(|t| t.to_rfc3339());
        serde_json::json!({
            "id": self.id,
            "interfaceId": self.interface_id,
            "kind": self.kind.as_str(),
            "name": self.name,
            "launch": self.launch.as_str(),
            "frequencyMinutes": self.frequency_seconds.map(|s| s / 60),
            "start": rfc(self.start_at),
            "end": rfc(self.end_at),
            "active": self.active,
            "settings": self.settings.to_json(),
            "paginationKey": self.pagination_key,
            "nextRunAt": rfc(self.next_run_at),
            "lastSuccessfulRunAt": rfc(self.last_success_at),
            "dateFromPending": self.date_from_armed_at.is_some(),
        })
    }
}
