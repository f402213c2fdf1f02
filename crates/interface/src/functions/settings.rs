//! The fields of each function kind (docs/interface.md#functions), as operators send them
//! and as they are stored (JSON), checked once when saved.

use serde::{Deserialize, Serialize};

use super::FunctionKind;
use crate::config::ConfigError;

fn refuse(field: &str, rule: impl Into<String>) -> ConfigError {
    ConfigError { field: field.to_owned(), rule: rule.into() }
}

/// The largest batch one run may select.
pub const MAX_BATCH_SIZE: usize = 10_000_000;

/// A comma-separated list of box-office ticket references: `id:123` names a ticket id, a bare
/// value a tax number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketRefs {
    pub ids: Vec<i64>,
    pub tax_numbers: Vec<String>,
}

impl TicketRefs {
    pub fn parse(field: &str, text: &str) -> Result<Self, ConfigError> {
        let mut refs = Self::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.strip_prefix("id:") {
                Some(id) => refs.ids.push(
                    id.trim().parse().map_err(|_| refuse(field, format!("{item:?}: id: must name a ticket number")))?,
                ),
                None => refs.tax_numbers.push(item.to_owned()),
            }
        }
        Ok(refs)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.tax_numbers.is_empty()
    }
}

fn tax_numbers(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Holder fields an injection may require.
pub const HOLDER_FIELDS: [&str; 7] =
    ["FIRSTNAME", "LASTNAME", "BIRTHDATE", "ID_NUMBER", "COUNTRY_CODE", "BIRTH_REGION", "BIRTH_PLACE"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct InjectionSettings {
    pub batch_size: usize,
    /// `salesChannelCode;posCode`: printing is done "as" that point of sale.
    pub point_of_sale: String,
    pub sales_channels: Vec<String>,
    pub seasons: Vec<String>,
    pub product_families: Vec<String>,
    pub products: Vec<String>,
    pub performances: Vec<String>,
    pub tariffs: Vec<String>,
    pub seat_categories: Vec<String>,
    pub contingents: Vec<String>,
    pub file_number: Option<String>,
    pub barcode_prefix: String,
    pub barcode_postfix: String,
    pub mandatory_holder_fields: Vec<String>,
    pub main_applicant: bool,
    pub force_tickets: String,
    pub skip_tickets: String,
    pub template_id: Option<i64>,
    pub simulation: bool,
}

impl InjectionSettings {
    fn check(&self) -> Result<(), ConfigError> {
        check_batch(self.batch_size)?;
        if self.point_of_sale_codes().is_none() {
            return Err(refuse("pointOfSale", "is required, written salesChannelCode;posCode"));
        }
        let other_filters = [
            &self.sales_channels,
            &self.seasons,
            &self.product_families,
            &self.products,
            &self.performances,
            &self.tariffs,
            &self.seat_categories,
            &self.contingents,
        ];
        if self.file_number.as_deref().is_some_and(|f| !f.trim().is_empty())
            && other_filters.iter().any(|f| !f.is_empty())
        {
            return Err(refuse("fileNumber", "excludes every other filter: set either a file number or filters"));
        }
        if let Some(bad) = self.mandatory_holder_fields.iter().find(|f| !HOLDER_FIELDS.contains(&f.as_str())) {
            return Err(refuse("mandatoryHolderFields", format!("{bad:?} is not one of {}", HOLDER_FIELDS.join(","))));
        }
        if self.barcode_prefix.len() + self.barcode_postfix.len() > 64 {
            return Err(refuse("barcodePrefix", "prefix and postfix together: at most 64 characters"));
        }
        TicketRefs::parse("forceTickets", &self.force_tickets)?;
        TicketRefs::parse("skipTickets", &self.skip_tickets)?;
        Ok(())
    }

    /// The sales channel and point-of-sale codes of `pointOfSale`, when it is well formed.
    pub fn point_of_sale_codes(&self) -> Option<(&str, &str)> {
        let (channel, pos) = self.point_of_sale.split_once(';')?;
        let (channel, pos) = (channel.trim(), pos.trim());
        (!channel.is_empty() && !pos.is_empty()).then_some((channel, pos))
    }

    pub fn force(&self) -> TicketRefs {
        TicketRefs::parse("forceTickets", &self.force_tickets).unwrap_or_default()
    }

    pub fn skip(&self) -> TicketRefs {
        TicketRefs::parse("skipTickets", &self.skip_tickets).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FeedbackSettings {
    pub batch_size: usize,
    pub skip_tax_numbers: String,
}

impl FeedbackSettings {
    pub fn skip(&self) -> Vec<String> {
        tax_numbers(&self.skip_tax_numbers)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PushSettings {
    pub batch_size: usize,
    pub shipment_modes: Vec<String>,
    /// `DD/MM/YY hh:mm`: re-select as if the last successful run had been then.
    pub date_from: Option<String>,
    pub force_tax_numbers: String,
    pub skip_tax_numbers: String,
    pub notify_spectator: bool,
}

impl PushSettings {
    fn check(&self) -> Result<(), ConfigError> {
        check_batch(self.batch_size)?;
        if self.shipment_modes.is_empty() {
            return Err(refuse("shipmentModes", "is required: at least one shipment mode code"));
        }
        if let Some(text) = self.date_from.as_deref().filter(|t| !t.trim().is_empty()) {
            parse_date_from(text)?;
        }
        Ok(())
    }

    /// `dateFrom` (ms), when set.
    pub fn date_from_ms(&self) -> Option<i64> {
        let text = self.date_from.as_deref().filter(|t| !t.trim().is_empty())?;
        parse_date_from(text).ok().map(|at| at.timestamp_millis())
    }

    pub fn force(&self) -> Vec<String> {
        tax_numbers(&self.force_tax_numbers)
    }

    pub fn skip(&self) -> Vec<String> {
        tax_numbers(&self.skip_tax_numbers)
    }
}

/// Reads `DD/MM/YY hh:mm` (UTC).
pub fn parse_date_from(text: &str) -> Result<chrono::DateTime<chrono::Utc>, ConfigError> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%d/%m/%y %H:%M")
        .map(|naive| naive.and_utc())
        .map_err(|_| refuse("dateFrom", "must be written DD/MM/YY hh:mm"))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PrivilegesSettings {
    pub batch_size: usize,
    pub products: Vec<String>,
    pub simulation: bool,
}

/// A reconcile (docs/interface.md#reconcile): which event, and whether to repair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ReconcileSettings {
    /// The wallet event (`P12`, …); absent: every ticket of the interface.
    pub event: Option<String>,
    /// Send what the functions would have sent, so both sides agree.
    pub repair: bool,
}

/// The most characters of an event id (the wallet's rule).
pub const MAX_EVENT_ID: usize = 256;

/// An event id as an operator gives it: trimmed, empty is none, at most 256 characters.
pub fn check_event(field: &str, event: Option<&str>) -> Result<Option<String>, ConfigError> {
    match event.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) if e.chars().count() > MAX_EVENT_ID => {
            Err(refuse(field, format!("a wallet event id: at most {MAX_EVENT_ID} characters")))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

fn check_batch(size: usize) -> Result<(), ConfigError> {
    if (1..=MAX_BATCH_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(refuse("batchSize", format!("is required: a whole number from 1 to {MAX_BATCH_SIZE}")))
    }
}

/// The settings of one function, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Settings {
    Injection(Box<InjectionSettings>),
    Feedback(FeedbackSettings),
    Push(PushSettings),
    Privileges(PrivilegesSettings),
    Reconcile(ReconcileSettings),
}

impl Settings {
    /// Reads and checks `value` as the settings of `kind`.
    pub fn parse(kind: FunctionKind, value: serde_json::Value) -> Result<Self, ConfigError> {
        let wrong = |e: serde_json::Error| refuse("settings", e.to_string());
        let settings = match kind {
            FunctionKind::Injection => Self::Injection(Box::new(serde_json::from_value(value).map_err(wrong)?)),
            FunctionKind::Feedback => Self::Feedback(serde_json::from_value(value).map_err(wrong)?),
            FunctionKind::PushCancelled | FunctionKind::PushControlled => {
                Self::Push(serde_json::from_value(value).map_err(wrong)?)
            }
            FunctionKind::Privileges => Self::Privileges(serde_json::from_value(value).map_err(wrong)?),
            FunctionKind::Reconcile => Self::Reconcile(serde_json::from_value(value).map_err(wrong)?),
        };
        match &settings {
            Self::Injection(s) => s.check()?,
            Self::Feedback(s) => check_batch(s.batch_size)?,
            Self::Push(s) => s.check()?,
            Self::Privileges(s) => {
                check_batch(s.batch_size)?;
                if s.products.is_empty() {
                    return Err(refuse("products", "is required: the membership or season card products to send"));
                }
            }
            Self::Reconcile(s) => {
                check_event("settings.event", s.event.as_deref())?;
            }
        }
        Ok(settings)
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Injection(s) => serde_json::to_value(s),
            Self::Feedback(s) => serde_json::to_value(s),
            Self::Push(s) => serde_json::to_value(s),
            Self::Privileges(s) => serde_json::to_value(s),
            Self::Reconcile(s) => serde_json::to_value(s),
        }
        .unwrap_or_default()
    }

    pub fn batch_size(&self) -> usize {
        match self {
            Self::Injection(s) => s.batch_size,
            Self::Feedback(s) => s.batch_size,
            Self::Push(s) => s.batch_size,
            Self::Privileges(s) => s.batch_size,
            // a reconcile compares every ticket of its scope
            Self::Reconcile(_) => 0,
        }
    }
}
