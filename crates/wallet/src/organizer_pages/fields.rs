//! Form fields of the organizer pages: every field has a label, an optional hint, and its
//! error right under it (tied to the field by `aria-describedby`, the field marked
//! `aria-invalid`); a refused form also opens with a summary linking to each wrong field.

use crate::pages::html::escape;

/// What a refused form says, field by field (the field's `name`, a sentence).
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == field).map(|(_, message)| message.as_str())
    }

    /// The summary above a refused form: nothing was saved, and links to each wrong field.
    pub(crate) fn summary(&self, label_of: impl Fn(&str) -> String) -> String {
        if self.is_empty() {
            return String::new();
        }
        let items: String = self
            .0
            .iter()
            .map(|(field, message)| {
                format!(
                    "<li><a href=\"#f-{}\">{}: {}</a></li>",
                    escape(field),
                    escape(&label_of(field)),
                    escape(message)
                )
            })
            .collect();
        format!(
            "<div class=\"summary\" role=\"alert\"><p><strong>Nothing was saved.</strong> Please correct:</p><ul>{items}</ul></div>"
        )
    }
}

/// The ids a field's hint and error go by, and the attributes that tie them to the field.
fn described(name: &str, hint: Option<&str>, error: Option<&str>) -> (String, String, String) {
    let mut ids = Vec::new();
    let hint_html = hint.map_or_else(String::new, |hint| {
        ids.push(format!("f-{name}-hint"));
        format!("<p class=\"hint\" id=\"f-{name}-hint\">{}</p>", escape(hint))
    });
    let error_html = error.map_or_else(String::new, |error| {
        ids.push(format!("f-{name}-error"));
        format!("<p class=\"error\" id=\"f-{name}-error\">{}</p>", escape(error))
    });
    let mut attrs = String::new();
    if !ids.is_empty() {
        attrs.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
    }
    if error.is_some() {
        attrs.push_str(" aria-invalid=\"true\"");
    }
    (hint_html, error_html, attrs)
}

/// A labelled input; `extra` holds further attributes (`autocomplete`, `inputmode`, `required`).
pub(crate) fn input(
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    hint: Option<&str>,
    errors: &FieldErrors,
    extra: &str,
) -> String {
    let (hint_html, error_html, attrs) = described(name, hint, errors.of(name));
    format!(
        "<div class=\"field\"><label for=\"f-{name}\">{}</label>{hint_html}\
         <input id=\"f-{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{attrs} {extra}>{error_html}</div>",
        escape(label),
        escape(value)
    )
}

/// A labelled checkbox sending `true` when ticked.
pub(crate) fn checkbox(name: &str, label: &str, checked: bool, hint: Option<&str>, errors: &FieldErrors) -> String {
    let (hint_html, error_html, attrs) = described(name, hint, errors.of(name));
    let checked = if checked { " checked" } else { "" };
    format!(
        "<div class=\"field check\"><input id=\"f-{name}\" name=\"{name}\" type=\"checkbox\" value=\"true\"{checked}{attrs}>\
         <label for=\"f-{name}\">{}</label>{hint_html}{error_html}</div>",
        escape(label)
    )
}

/// A labelled choice among `options` (value, words).
pub(crate) fn select(name: &str, label: &str, value: &str, options: &[(&str, &str)], errors: &FieldErrors) -> String {
    let (_, error_html, attrs) = described(name, None, errors.of(name));
    let options: String = options
        .iter()
        .map(|(option, words)| {
            let selected = if *option == value { " selected" } else { "" };
            format!("<option value=\"{}\"{selected}>{}</option>", escape(option), escape(words))
        })
        .collect();
    format!(
        "<div class=\"field\"><label for=\"f-{name}\">{}</label><select id=\"f-{name}\" name=\"{name}\"{attrs}>{options}</select>{error_html}</div>",
        escape(label)
    )
}

/// A rule as the API words it ("maxTransfers: must be from 0 to 100") as a sentence for the
/// page ("Must be from 0 to 100.").
pub(crate) fn sentence(field: &str, rule: &str) -> String {
    let rule = rule.strip_prefix(&format!("{field}: ")).unwrap_or(rule).trim();
    let mut chars = rule.chars();
    let mut text = chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}
