//! Custom parameters of an interface (docs/interface.md#custom-parameters): `key=value`
//! lines, every key known and every value checked, so a typo is refused when the
//! configuration is saved rather than ignored.

use std::collections::BTreeSet;

/// The parsed, typed custom parameters, with the documented defaults
/// (docs/interface.md#custom-parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomParameters {
    pub stick_to_the_hour: bool,
    pub ticket_iteration_size: usize,
    pub kill_ratio: f64,
    pub do_continue_in_case_of_sync_error: bool,
    pub max_length_dumped_calls_in_kbs: Option<usize>,
    pub enforce_mandatory_parameters: bool,
    pub dump_tnpr_variables: bool,
    pub dump_data_modified_by_template: bool,
    pub overlay_spectator_details_with_last_owner: bool,
    pub reset_injection_invalidation_reasons: BTreeSet<String>,
    pub send_multilingual_as_json_object: bool,
    pub override_visibility_flag_for_invalidation_reasons: BTreeSet<String>,
    pub visibility_flag_default_value: bool,
    pub enable_ticket_distribution_to_cultural_contact: bool,
}

impl Default for CustomParameters {
    fn default() -> Self {
        Self {
            stick_to_the_hour: true,
            ticket_iteration_size: 500,
            kill_ratio: 0.5,
            do_continue_in_case_of_sync_error: true,
            max_length_dumped_calls_in_kbs: None,
            enforce_mandatory_parameters: true,
            dump_tnpr_variables: false,
            dump_data_modified_by_template: false,
            overlay_spectator_details_with_last_owner: true,
            reset_injection_invalidation_reasons: BTreeSet::new(),
            send_multilingual_as_json_object: false,
            override_visibility_flag_for_invalidation_reasons: BTreeSet::new(),
            visibility_flag_default_value: false,
            enable_ticket_distribution_to_cultural_contact: true,
        }
    }
}

/// A refused parameter line: the key (or line) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("custom parameter {key}: {rule}")]
pub struct ParameterError {
    pub key: String,
    pub rule: String,
}

/// The largest `ticketIterationSize` a wallet call may carry.
pub const MAX_ITERATION_SIZE: usize = 10_000;

fn err(key: &str, rule: impl Into<String>) -> ParameterError {
    ParameterError { key: key.to_owned(), rule: rule.into() }
}

fn boolean(key: &str, value: &str) -> Result<bool, ParameterError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(err(key, format!("must be true or false (got {value:?})"))),
    }
}

fn reasons(value: &str) -> BTreeSet<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl CustomParameters {
    /// Parses `key=value` lines; blank lines and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<Self, ParameterError> {
        let mut params = Self::default();
        let mut seen = BTreeSet::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (key, value) = line.split_once('=').ok_or_else(|| err(line, "must be written key=value"))?;
            let (key, value) = (key.trim(), value.trim());
            if !seen.insert(key.to_owned()) {
                return Err(err(key, "is given twice"));
            }
            params.set(key, value)?;
        }
        Ok(params)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ParameterError> {
        match key {
            "stickToTheHour" => self.stick_to_the_hour = boolean(key, value)?,
            "ticketIterationSize" => {
                self.ticket_iteration_size = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_ITERATION_SIZE).contains(n))
                    .ok_or_else(|| err(key, format!("must be a whole number from 1 to {MAX_ITERATION_SIZE}")))?
            }
            "killRatio" => {
                self.kill_ratio = value
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| err(key, "must be a number from 0 to 1"))?
            }
            "doContinueInCaseOfSyncError" => self.do_continue_in_case_of_sync_error = boolean(key, value)?,
            "maxLengthDumpedCallsInKbs" => {
                self.max_length_dumped_calls_in_kbs = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|n| (1..=100_000).contains(n))
                        .ok_or_else(|| err(key, "must be a whole number of KB from 1 to 100000"))?,
                )
            }
            "enforceMandatoryParameters" => self.enforce_mandatory_parameters = boolean(key, value)?,
            "dumpTnPRvariables" => self.dump_tnpr_variables = boolean(key, value)?,
            "dumpDataModifiedByTemplate" => self.dump_data_modified_by_template = boolean(key, value)?,
            "overlaySpectatorDetailsWithLastOwner" => {
                self.overlay_spectator_details_with_last_owner = boolean(key, value)?
            }
            "resetInjectionInvalidationReasons" => self.reset_injection_invalidation_reasons = reasons(value),
            "sendMultilingualAsJsonObject" => self.send_multilingual_as_json_object = boolean(key, value)?,
            "overrideVisibilityFlagForInvalidationReasons" => {
                self.override_visibility_flag_for_invalidation_reasons = reasons(value)
            }
            "visibilityFlagDefaultValue" => self.visibility_flag_default_value = boolean(key, value)?,
            "TIXNGO_LIFECYCLE_MODE" if value == "lifecycle" => {}
            "TIXNGO_LIFECYCLE_MODE" => return Err(err(key, "the only mode is lifecycle")),
            "enableTicketDistributionToCulturalContact" => {
                self.enable_ticket_distribution_to_cultural_contact = boolean(key, value)?
            }
            _ => return Err(err(key, "is not a known custom parameter (see docs/interface.md#custom-parameters)")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_parameters_means_the_spec_defaults() {
        let params = CustomParameters::parse("").unwrap();
        assert_eq!(params, CustomParameters::default());
        assert_eq!(params.ticket_iteration_size, 500);
        assert!(params.stick_to_the_hour);
    }

    #[test]
    fn every_known_key_is_read() {
        let text = "stickToTheHour=false\nticketIterationSize=1000\nkillRatio=0.2\n\
            doContinueInCaseOfSyncError=false\nmaxLengthDumpedCallsInKbs=64\nenforceMandatoryParameters=false\n\
            dumpTnPRvariables=true\ndumpDataModifiedByTemplate=true\noverlaySpectatorDetailsWithLastOwner=false\n\
            resetInjectionInvalidationReasons=MOBILE_TAKE_BACK, RESALE\nsendMultilingualAsJsonObject=true\n\
            overrideVisibilityFlagForInvalidationReasons=CANCELLATION\nvisibilityFlagDefaultValue=true\n\
            TIXNGO_LIFECYCLE_MODE=lifecycle\nenableTicketDistributionToCulturalContact=false\n# a comment\n";
        let p = CustomParameters::parse(text).unwrap();
        assert!(!p.stick_to_the_hour && p.ticket_iteration_size == 1000 && p.kill_ratio == 0.2);
        assert_eq!(p.max_length_dumped_calls_in_kbs, Some(64));
        assert!(p.reset_injection_invalidation_reasons.contains("RESALE"));
        assert!(p.visibility_flag_default_value && !p.enable_ticket_distribution_to_cultural_contact);
    }

    #[test]
    fn an_unknown_key_or_a_bad_value_is_refused_naming_the_key() {
        for (text, key) in [
            ("tickettIterationSize=5", "tickettIterationSize"),
            ("ticketIterationSize=0", "ticketIterationSize"),
            ("killRatio=2", "killRatio"),
            ("stickToTheHour=yes", "stickToTheHour"),
            ("TIXNGO_LIFECYCLE_MODE=legacy", "TIXNGO_LIFECYCLE_MODE"),
            ("killRatio=0.1\nkillRatio=0.2", "killRatio"),
            ("justtext", "justtext"),
        ] {
            assert_eq!(CustomParameters::parse(text).unwrap_err().key, key, "{text}");
        }
    }
}
