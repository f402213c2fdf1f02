//! Ticket templates (docs/interface.md#ticket-templates): wallet JSON paths whose values
//! are text with box-office variables. Applied after the injection computed the payload;
//! the event's identity and dates belong to the injection and cannot be overridden — such a
//! template is refused when saved, as is a path or variable that does not exist.

mod preview;
mod store;

pub use preview::{PreviewRequest, preview};
pub(crate) use store::template_exists;
pub use store::{create_template, create_template_in, delete_template, list_templates, load_template, update_template};

use serde_json::{Map, Value};

use crate::config::ConfigError;

/// Paths the injection owns.
pub const FORBIDDEN_PATHS: [&str; 3] = ["event.id", "event.startTime", "event.expirationDate"];

/// Every variable a template may use.
pub const VARIABLES: [&str; 17] = [
    "Product_name",
    "Product_externalName",
    "Product_code",
    "Performance_code",
    "Performance_hostTeam",
    "Performance_opposingTeam",
    "Site_name",
    "Site_externalName",
    "Space_name",
    "SeatCategory_name",
    "Tariff_name",
    "File_number",
    "Ticket_block",
    "Ticket_row",
    "Ticket_seat",
    "Contact_firstName",
    "Contact_lastName",
];

fn refuse(field: String, rule: impl Into<String>) -> ConfigError {
    ConfigError { field, rule: rule.into() }
}

/// The `${Name}` variables used in `text`.
fn used_variables(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                found.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => {
                found.push(after);
                break;
            }
        }
    }
    found
}

/// Checks a template's fields: known paths, nothing the injection owns, known variables.
pub fn validate_fields(fields: &Map<String, Value>) -> Result<(), ConfigError> {
    if fields.is_empty() {
        return Err(refuse("fields".into(), "a template needs at least one field"));
    }
    for (path, value) in fields {
        let field = format!("fields.{path}");
        if FORBIDDEN_PATHS.contains(&path.as_str()) {
            return Err(refuse(field, "is set by the injection and cannot be overridden"));
        }
        if path.is_empty() || path.split('.').any(str::is_empty) || path == "ticketId" {
            return Err(refuse(field, "is not a wallet JSON path (e.g. event.name, ticketDetails.main.1.key)"));
        }
        let Some(text) = value.as_str() else {
            return Err(refuse(field, "must be text"));
        };
        if let Some(unknown) = used_variables(text).into_iter().find(|v| !VARIABLES.contains(v)) {
            return Err(refuse(field, format!("unknown variable ${{{unknown}}} (known: {})", VARIABLES.join(", "))));
        }
    }
    Ok(())
}

fn substitute(text: &str, vars: &[(&str, String)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("${{{name}}}"), value);
    }
    // variables without a value for this ticket become empty
    for name in VARIABLES {
        out = out.replace(&format!("${{{name}}}"), "");
    }
    out
}

/// Sets `path` in `target` (numeric segments index lists, created as needed); returns the
/// previous value.
fn set_path(target: &mut Value, path: &str, value: Value) -> Value {
    let mut node = target;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i == segments.len() - 1;
        if let Ok(index) = segment.parse::<usize>() {
            if !node.is_array() {
                *node = Value::Array(Vec::new());
            }
            let list = node.as_array_mut().expect("just made a list");
            while list.len() <= index {
                list.push(Value::Object(Map::new()));
            }
            node = &mut list[index];
        } else {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            node = node.as_object_mut().expect("just made an object").entry(*segment).or_insert(Value::Null);
        }
        if last {
            return std::mem::replace(node, value);
        }
    }
    Value::Null
}

/// Applies `fields` to `payload`; returns each changed field (path, before, after).
pub fn apply(payload: &mut Value, fields: &Map<String, Value>, vars: &[(&str, String)]) -> Vec<(String, Value, Value)> {
    let mut changes = Vec::new();
    for (path, template) in fields {
        let new = Value::String(substitute(template.as_str().unwrap_or_default(), vars));
        let old = set_path(payload, path, new.clone());
        if old != new {
            changes.push((path.clone(), old, new));
        }
    }
    changes
}

/// A saved template: its fields, and the text they were written as — the editor's content,
/// kept as given so that an error can name the line an operator sees.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub fields: Map<String, Value>,
    pub source: String,
}

impl Template {
    /// The 1-based line of the source where `path` is written, if found.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        line_of(&self.source, path)
    }
}

/// The 1-based line of `source` (a JSON object's text) where key `path` is written: the
/// first line holding the quoted key followed by `:`.
pub fn line_of(source: &str, path: &str) -> Option<usize> {
    let quoted = Value::String(path.to_owned()).to_string();
    source
        .lines()
        .position(|line| {
            line.match_indices(&quoted).any(|(at, _)| line[at + quoted.len()..].trim_start().starts_with(':'))
        })
        .map(|index| index + 1)
}

/// A template's fields as an operator gives them: a JSON object (`fields`), or the same
/// object written as text (`source`, the editor's content). Exactly one of the two.
#[derive(Debug, Clone, Default)]
pub struct FieldsInput {
    /// wallet JSON path → text with ${variables}
    pub fields: Option<Map<String, Value>>,
    /// the same object written as JSON text; an error names its line
    pub source: Option<String>,
}

impl FieldsInput {
    /// The checked fields and the text to keep. An error in a `source` names its line
    /// (field `source`); one in `fields` names the path (`fields.<path>`).
    pub fn check(&self) -> Result<(Map<String, Value>, String), ConfigError> {
        match (&self.fields, &self.source) {
            (Some(fields), None) => {
                validate_fields(fields)?;
                let text = serde_json::to_string_pretty(fields).unwrap_or_default();
                Ok((fields.clone(), text))
            }
            (None, Some(source)) => {
                let fields = parse_source(source)?;
                validate_fields(&fields).map_err(|err| at_line(source, err))?;
                Ok((fields, source.clone()))
            }
            _ => Err(refuse("fields".into(), "give either fields (an object) or source (its text), not both")),
        }
    }
}

/// Reads a template's text: a JSON object of text values.
fn parse_source(source: &str) -> Result<Map<String, Value>, ConfigError> {
    match serde_json::from_str::<Value>(source) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(refuse("source".into(), "line 1: must be a JSON object of wallet path → text")),
        Err(err) => {
            let message = err.to_string();
            let rule = message.split(" at line ").next().unwrap_or(&message);
            Err(refuse("source".into(), format!("line {}, column {}: {rule}", err.line(), err.column())))
        }
    }
}

/// Turns an error naming `fields.<path>` into one naming the line of `source` it is on.
fn at_line(source: &str, err: ConfigError) -> ConfigError {
    let path = err.field.strip_prefix("fields.").unwrap_or("");
    match line_of(source, path) {
        Some(line) => refuse("source".into(), format!("line {line} ({path}): {}", err.rule)),
        None => refuse("source".into(), err.rule),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_template_may_not_touch_the_event_identity_or_dates() {
        for path in FORBIDDEN_PATHS {
            let err = validate_fields(&fields(json!({ path: "x" }))).unwrap_err();
            assert_eq!(err.field, format!("fields.{path}"));
        }
        let err = validate_fields(&fields(json!({ "event.name": "${Nope}" }))).unwrap_err();
        assert!(err.rule.contains("unknown variable"));
    }

    #[test]
    fn variables_are_substituted_and_changes_reported() {
        let mut payload = json!({ "event": { "name": "Old" }, "ticketDetails": { "main": [] } });
        let vars =
            vec![("Performance_hostTeam", "Lions".to_owned()), ("Performance_opposingTeam", "Eagles".to_owned())];
        let template = fields(json!({
            "event.name": "${Performance_hostTeam} - ${Performance_opposingTeam}",
            "ticketDetails.main.1.key": "Gate",
            "event.address.city": "${Site_externalName}"
        }));
        let changes = apply(&mut payload, &template, &vars);
        assert_eq!(payload["event"]["name"], "Lions - Eagles");
        assert_eq!(payload["ticketDetails"]["main"][1]["key"], "Gate");
        assert_eq!(payload["event"]["address"]["city"], "");
        assert_eq!(changes.len(), 3);
    }

    #[test]
    fn an_error_in_a_template_text_names_its_line() {
        let source = "{\n  \"event.name\": \"${Performance_hostTeam}\",\n  \"event.id\": \"X\"\n}";
        let input = FieldsInput { fields: None, source: Some(source.into()) };
        let err = input.check().unwrap_err();
        assert_eq!(err.field, "source");
        assert!(err.rule.starts_with("line 3 (event.id):"), "{}", err.rule);
        let broken = FieldsInput { fields: None, source: Some("{\n \"event.name\": \"x\",\n oops\n}".into()) };
        assert!(broken.check().unwrap_err().rule.starts_with("line 3, column"));
    }
}
