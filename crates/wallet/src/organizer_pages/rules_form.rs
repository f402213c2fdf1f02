//! An event's rules as a form: filled from the stored rules, read back into the organizer
//! API's body (`settings::replace_event_settings` then checks and writes them, all or
//! nothing). Field names are the API's, so a refusal lands next to its field.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::fields::{FieldErrors, checkbox, input, select};
use crate::settings::EventSettings;

/// The form as sent (and as shown again when refused). A checkbox left unticked is absent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct RulesForm {
    pub csrf: String,
    pub transfers_enabled: Option<String>,
    pub max_transfers: String,
    pub transfer_after_activation: Option<String>,
    pub transfer_expiry_hours: String,
    pub holder_birth_date: String,
    pub holder_email: String,
    pub holder_phone: String,
    /// Which activation rule holds: `none`, `at`, `hoursBefore`, `timeOfDay`.
    pub activation_rule: String,
    pub activation_at: String,
    pub activation_hours_before: String,
    pub activation_time_of_day: String,
    pub manual_activation: Option<String>,
    pub new_manual_code: Option<String>,
    pub code_period_seconds: String,
}

/// Each field's label, for the summary of a refused form.
pub(crate) fn label_of(field: &str) -> String {
    match field {
        "transfersEnabled" => "Transfers allowed",
        "maxTransfers" => "Most transfers per ticket",
        "transferAfterActivation" => "Transfers after activation",
        "transferExpiryHours" => "Hours an offer stays open",
        "holderBirthDate" => "Holder's birth date",
        "holderEmail" => "Holder's e-mail",
        "holderPhone" => "Holder's phone",
        "activationRule" => "When tickets activate",
        "activationAt" => "Activation date and time",
        "activationHoursBefore" => "Hours before the start",
        "activationTimeOfDay" => "Time of day",
        "manualActivation" | "manualCode" => "Manual activation code",
        "codePeriodSeconds" => "Seconds each entry code lasts",
        other => other,
    }
    .to_owned()
}

impl RulesForm {
    /// The form showing the stored rules.
    pub(crate) fn from_settings(s: &EventSettings) -> Self {
        let activation_rule = if s.activation_at.is_some() {
            "at"
        } else if s.activation_hours_before.is_some() {
            "hoursBefore"
        } else if s.activation_time_of_day.is_some() {
            "timeOfDay"
        } else {
            "none"
        };
        Self {
            csrf: String::new(),
            transfers_enabled: s.transfers_enabled.then(|| "true".into()),
            max_transfers: s.max_transfers.map(|n| n.to_string()).unwrap_or_default(),
            transfer_after_activation: s.transfer_after_activation.then(|| "true".into()),
            transfer_expiry_hours: s.transfer_expiry_hours.to_string(),
            holder_birth_date: s.holder_birth_date.clone(),
            holder_email: s.holder_email.clone(),
            holder_phone: s.holder_phone.clone(),
            activation_rule: activation_rule.into(),
            activation_at: s.activation_at.map(crate::rfc3339).unwrap_or_default(),
            activation_hours_before: s.activation_hours_before.map(|n| n.to_string()).unwrap_or_default(),
            activation_time_of_day: s.activation_time_of_day.clone().unwrap_or_default(),
            manual_activation: s.manual_code_hash.is_some().then(|| "true".into()),
            new_manual_code: None,
            code_period_seconds: s.code_period_seconds.to_string(),
        }
    }

    /// The organizer API's body for these rules, or what is wrong with the form itself (a
    /// number that is not one, a rule chosen without its value).
    pub(crate) fn to_body(&self) -> Result<Value, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut body = Map::new();
        let mut number = |field: &str, text: &str, needed: bool, body: &mut Map<String, Value>| {
            let text = text.trim();
            if text.is_empty() {
                if needed {
                    errors.add(field, "Enter a whole number.");
                }
                return;
            }
            match text.parse::<i64>() {
                Ok(n) => {
                    body.insert(field.into(), json!(n));
                }
                Err(_) => errors.add(field, format!("Enter a whole number, not “{text}”.")),
            }
        };
        number("maxTransfers", &self.max_transfers, false, &mut body);
        number("transferExpiryHours", &self.transfer_expiry_hours, true, &mut body);
        number("codePeriodSeconds", &self.code_period_seconds, true, &mut body);
        match self.activation_rule.as_str() {
            "none" => {}
            "hoursBefore" => number("activationHoursBefore", &self.activation_hours_before, true, &mut body),
            "at" | "timeOfDay" => {
                let (field, text) = if self.activation_rule == "at" {
                    ("activationAt", self.activation_at.trim())
                } else {
                    ("activationTimeOfDay", self.activation_time_of_day.trim())
                };
                if text.is_empty() {
                    errors.add(field, "Enter a value for the rule you chose.");
                } else {
                    body.insert(field.into(), json!(text));
                }
            }
            _ => errors.add("activationRule", "Choose when tickets activate."),
        }
        for (field, value) in [
            ("holderBirthDate", &self.holder_birth_date),
            ("holderEmail", &self.holder_email),
            ("holderPhone", &self.holder_phone),
        ] {
            body.insert(field.into(), json!(value));
        }
        body.insert("transfersEnabled".into(), json!(self.transfers_enabled.is_some()));
        body.insert("transferAfterActivation".into(), json!(self.transfer_after_activation.is_some()));
        body.insert("manualActivation".into(), json!(self.manual_activation.is_some()));
        body.insert("newManualCode".into(), json!(self.new_manual_code.is_some()));
        if errors.is_empty() { Ok(Value::Object(body)) } else { Err(errors) }
    }

    /// The form's fields, grouped; `code_set` says whether the event has a manual code now.
    pub(crate) fn fields(&self, code_set: bool, errors: &FieldErrors) -> String {
        let holder = [("OPTIONAL", "Optional"), ("REQUIRED", "Required")];
        let rule = |value: &str, words: &str| {
            let checked = if self.activation_rule == value { " checked" } else { "" };
            format!(
                "<div class=\"field check\"><input type=\"radio\" id=\"f-activationRule-{value}\" name=\"activationRule\" value=\"{value}\"{checked}>\
                 <label for=\"f-activationRule-{value}\">{words}</label></div>"
            )
        };
        let code_state = if code_set {
            "This event has a code. It was shown once, when it was made; make a new one if it is lost."
        } else {
            "This event has no code yet: ticking the box makes one, shown once after saving."
        };
        [
            "<fieldset><legend>Transfers</legend>".to_owned(),
            checkbox(
                "transfersEnabled",
                "Spectators may give tickets to others",
                self.transfers_enabled.is_some(),
                None,
                errors,
            ),
            input(
                "maxTransfers",
                "Most transfers per ticket",
                "number",
                &self.max_transfers,
                Some("0 to 100; leave empty for no limit."),
                errors,
                "min=\"0\" max=\"100\"",
            ),
            checkbox(
                "transferAfterActivation",
                "Transfers allowed after activation",
                self.transfer_after_activation.is_some(),
                None,
                errors,
            ),
            input(
                "transferExpiryHours",
                "Hours an offer stays open",
                "number",
                &self.transfer_expiry_hours,
                Some("1 to 720."),
                errors,
                "min=\"1\" max=\"720\" required",
            ),
            "</fieldset><fieldset><legend>Holder details asked when naming a holder</legend>".to_owned(),
            select("holderBirthDate", "Holder's birth date", &self.holder_birth_date, &holder, errors),
            select("holderEmail", "Holder's e-mail", &self.holder_email, &holder, errors),
            select("holderPhone", "Holder's phone", &self.holder_phone, &holder, errors),
            "</fieldset><fieldset><legend>When tickets activate</legend>".to_owned(),
            errors
                .of("activationRule")
                .map(|e| format!("<p class=\"error\" id=\"f-activationRule\">{}</p>", crate::pages::html::escape(e)))
                .unwrap_or_default(),
            rule("none", "When the spectator activates it"),
            rule("at", "At a date and time"),
            input(
                "activationAt",
                "Activation date and time",
                "text",
                &self.activation_at,
                Some("With its offset, e.g. 2026-06-14T19:00:00+02:00."),
                errors,
                "",
            ),
            rule("hoursBefore", "Some hours before the event starts"),
            input(
                "activationHoursBefore",
                "Hours before the start",
                "number",
                &self.activation_hours_before,
                Some("0 to 8760."),
                errors,
                "min=\"0\" max=\"8760\"",
            ),
            rule("timeOfDay", "At a time of day on the event's day"),
            input(
                "activationTimeOfDay",
                "Time of day",
                "text",
                &self.activation_time_of_day,
                Some("24-hour clock, e.g. 18:30."),
                errors,
                "",
            ),
            "</fieldset><fieldset><legend>Manual activation code</legend>".to_owned(),
            format!("<p class=\"hint\">{code_state}</p>"),
            checkbox(
                "manualActivation",
                "Spectators may activate with the event's code",
                self.manual_activation.is_some(),
                None,
                errors,
            ),
            checkbox("newManualCode", "Make a new code (the old one stops working)", false, None, errors),
            "</fieldset><fieldset><legend>Entry code</legend>".to_owned(),
            input(
                "codePeriodSeconds",
                "Seconds each entry code lasts",
                "number",
                &self.code_period_seconds,
                Some("1 to 300."),
                errors,
                "min=\"1\" max=\"300\" required",
            ),
            "</fieldset>".to_owned(),
        ]
        .concat()
    }
}
