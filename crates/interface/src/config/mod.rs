//! The external printing interface of an organization (docs/interface.md#configuration):
//! validated configuration, its storage with the wallet API key sealed under the server
//! key, and the rules that span interfaces (one per organization, only in the inventory
//! owner).

mod store;
mod url;

use serde::{Deserialize, Serialize};

use crate::params::CustomParameters;

pub use store::{
    InterfaceError, create_interface, create_interface_in, load_interface, load_interface_of_org,
    sealed_secrets_open_with, store_organization_id, update_interface,
};
pub use url::{WALLET_HOSTS_VAR, WalletHosts, check_url};

/// `TIXNGO`, or `TIXNGO_WITH_TEMPLATE` (a ticket template may override injected fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InterfaceType {
    Tixngo,
    TixngoWithTemplate,
}

impl InterfaceType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tixngo => "TIXNGO",
            Self::TixngoWithTemplate => "TIXNGO_WITH_TEMPLATE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "TIXNGO" => Some(Self::Tixngo),
            "TIXNGO_WITH_TEMPLATE" => Some(Self::TixngoWithTemplate),
            _ => None,
        }
    }
}

/// What an operator sends to create or change an interface. On update, an absent password
/// keeps the stored one (it is never shown back, so it cannot be round-tripped) — unless the
/// URL or the login changes: the stored key never follows a new destination by itself.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterfaceInput {
    #[schema(max_length = 128)]
    pub name: String,
    #[serde(rename = "type")]
    /// `TIXNGO` or `TIXNGO_WITH_TEMPLATE`
    pub kind: String,
    /// http(s), no user info, query or fragment, path ending with /organizer/tickets, host among TIXBRIDGE_WALLET_HOSTS when set
    pub url: String,
    /// the wallet organizer admin's e-mail
    pub login: String,
    /// the wallet API key; never shown back
    #[schema(write_only)]
    pub password: Option<String>,
    #[serde(default)]
    /// comma-separated
    pub notification_emails: String,
    #[serde(default)]
    /// key=value lines (docs/interface.md#custom-parameters)
    pub custom_parameters: String,
}

/// A configured interface, password opened (kept in memory only; never serialized).
#[derive(Clone)]
pub struct Interface {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub kind: InterfaceType,
    pub url: String,
    pub login: String,
    pub password: String,
    pub notification_emails: Vec<String>,
    pub custom_parameters_text: String,
    pub params: CustomParameters,
}

impl std::fmt::Debug for Interface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interface").field("id", &self.id).field("name", &self.name).field("url", &self.url).finish()
    }
}

impl Interface {
    /// The configuration as shown to operators: everything but the password.
    pub fn public_view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "organizationId": self.organization_id,
            "name": self.name,
            "type": self.kind.as_str(),
            "url": self.url,
            "login": self.login,
            "passwordSet": !self.password.is_empty(),
            "notificationEmails": self.notification_emails.join(","),
            "customParameters": self.custom_parameters_text,
        })
    }
}

/// A refused configuration: the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ConfigError {
    pub field: String,
    pub rule: String,
}

fn refuse(field: &str, rule: impl Into<String>) -> ConfigError {
    ConfigError { field: field.to_owned(), rule: rule.into() }
}

/// The checked parts of an [`InterfaceInput`].
pub(crate) struct ValidInput {
    pub name: String,
    pub kind: InterfaceType,
    pub url: String,
    pub login: String,
    pub password: Option<String>,
    pub notification_emails: Vec<String>,
    pub custom_parameters: String,
}

pub(crate) fn is_email(text: &str) -> bool {
    matches!(text.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !text.contains(char::is_whitespace) && !domain.contains('@'))
}

/// Checks every field rule; `hosts` limits where the URL may point. Every broken rule is
/// returned, not only the first (docs/errors.md).
pub(crate) fn validate(
    input: InterfaceInput,
    creating: bool,
    hosts: &WalletHosts,
) -> Result<ValidInput, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        errors.push(refuse("name", "is required, at most 128 characters"));
    }
    let kind = InterfaceType::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(refuse("type", "must be TIXNGO or TIXNGO_WITH_TEMPLATE"));
    }
    let url = check_url(&input.url, hosts).unwrap_or_else(|err| {
        errors.push(err);
        String::new()
    });
    let login = input.login.trim().to_lowercase();
    if !is_email(&login) {
        errors.push(refuse("login", "is required: the wallet organizer admin's e-mail"));
    }
    let password = match input.password.map(|p| p.trim().to_owned()) {
        Some(p) if !p.is_empty() => Some(p),
        _ if creating => {
            errors.push(refuse("password", "is required: the wallet API key"));
            None
        }
        _ => None,
    };
    let mut notification_emails = Vec::new();
    for email in input.notification_emails.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if is_email(email) {
            notification_emails.push(email.to_owned());
        } else {
            errors.push(refuse("notificationEmails", format!("{email:?} is not an e-mail address")));
        }
    }
    if let Err(e) = CustomParameters::parse(&input.custom_parameters) {
        errors.push(refuse("customParameters", e.to_string()));
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidInput {
            name,
            kind,
            url,
            login,
            password,
            notification_emails,
            custom_parameters: input.custom_parameters.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> InterfaceInput {
        InterfaceInput {
            name: "Wallet".into(),
            kind: "TIXNGO".into(),
            url: "http://127.0.0.1:8080/api/organizer/tickets".into(),
            login: "Admin@Club.org".into(),
            password: Some("tbk_x".into()),
            notification_emails: "ops@club.org, it@club.org".into(),
            custom_parameters: "ticketIterationSize=100".into(),
        }
    }

    #[test]
    fn a_complete_input_is_valid() {
        let valid = validate(input(), true, &WalletHosts::any()).unwrap();
        assert_eq!(valid.login, "admin@club.org");
        assert_eq!(valid.notification_emails.len(), 2);
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let broken = InterfaceInput { name: String::new(), login: "nobody".into(), password: None, ..input() };
        let errors = validate(broken, true, &WalletHosts::any()).err().unwrap();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "login", "password"]);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        type Edit = fn(&mut InterfaceInput);
        let cases: [(&str, Edit); 6] = [
            ("url", |i| i.url = "http://127.0.0.1:8080/api/organizer".into()),
            ("url", |i| i.url = "not a url".into()),
            ("login", |i| i.login = "nobody".into()),
            ("password", |i| i.password = None),
            ("notificationEmails", |i| i.notification_emails = "ops@club.org, oops".into()),
            ("customParameters", |i| i.custom_parameters = "bogus=1".into()),
        ];
        for (field, edit) in cases {
            let mut broken = input();
            edit(&mut broken);
            let errors = validate(broken, true, &WalletHosts::any()).err().unwrap();
            assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), [field]);
        }
    }
}
