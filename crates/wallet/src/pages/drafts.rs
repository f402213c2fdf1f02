//! A form the server refused is shown again with what the fan typed, and the reason written
//! next to the field it concerns, in the page's language (docs/wallet-pages.md#forms).

use std::collections::HashMap;

use super::html::escape;
use crate::error::WalletError;
use crate::i18n::{t, tf};

/// What was typed in form `form` and why it was refused.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub form: &'static str,
    pub values: HashMap<String, String>,
    /// The field the refusal names, and the sentence shown next to it.
    pub error: Option<(String, String)>,
}

impl Draft {
    /// The draft of `form` refused with `err`, when `err` names a field; none otherwise.
    pub(crate) fn refused(form: &'static str, values: &[(&str, Option<&str>)], err: &WalletError) -> Option<Draft> {
        let WalletError::Invalid { field, rule } = err else { return None };
        let values =
            values.iter().filter_map(|(name, value)| Some(((*name).to_owned(), (*value)?.to_owned()))).collect();
        Some(Draft { form, values, error: Some(((*field).to_owned(), field_message(field, rule))) })
    }

    /// What the fan typed in `name` of `form`, or `fallback` (what the server knows).
    pub(crate) fn value<'a>(&'a self, form: &str, name: &str, fallback: &'a str) -> &'a str {
        if self.form == form { self.values.get(name).map(String::as_str).unwrap_or(fallback) } else { fallback }
    }

    fn error_for(&self, form: &str, name: &str) -> Option<&str> {
        self.error.as_ref().filter(|(field, _)| self.form == form && field == name).map(|(_, message)| message.as_str())
    }
}

/// The sentence for a refused field, in the page's language; the API's own words for a rule
/// the catalogs do not cover.
pub(crate) fn field_message(field: &str, rule: &str) -> String {
    if rule.starts_with("is required") {
        return t("error.required").into();
    }
    if let Some(max) = rule.strip_prefix("at most ").and_then(|r| r.split(' ').next()) {
        return tf("error.too_long", &[("max", max)]);
    }
    let key = match field {
        "birthDate" => "error.birth_date",
        "email" if rule.contains("own address") => "error.own_address",
        "email" => "error.email",
        "phone" => "error.phone",
        "nationality" | "countryCode" => "error.country",
        "manualCode" => "error.manual_code",
        _ => return rule.to_owned(),
    };
    t(key).into()
}

/// How an input is drawn.
pub(crate) struct Input<'a> {
    pub form: &'static str,
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub required: bool,
    /// More attributes, already HTML (`autocomplete="…"`).
    pub extra: &'a str,
}

/// One labelled input, its refusal (if any) next to it and tied to it for screen readers.
pub(crate) fn input(input: Input<'_>, draft: &Draft) -> String {
    let id = format!("{}-{}", input.form, input.name);
    let value = draft.value(input.form, input.name, input.value);
    let required = if input.required { " required aria-required=\"true\"" } else { "" };
    let (invalid, error) = match draft.error_for(input.form, input.name) {
        Some(message) => (
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""),
            format!("<p class=\"error\" id=\"{id}-error\">{}</p>", escape(message)),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label><input id=\"{id}\" name=\"{}\" type=\"{}\" value=\"{}\"{required}{invalid} {}>{error}</div>",
        escape(input.label),
        escape(input.name),
        escape(input.kind),
        escape(value),
        input.extra
    )
}
