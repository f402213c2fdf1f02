//! Ticket templates (docs/interface.md#ticket-templates): wallet JSON paths whose values
//! are text with box-office variables. Applied after the injection computed the payload;
//! the event's identity and dates belong to the injection and cannot be overridden — such a
//! template is refused when saved, as is a path or variable that does not exist.

use serde_json::{Map, Value};
use tixbridge_boxoffice::access::audit::AuditEntry;
use tixbridge_store::{Db, sql};

use crate::config::{ConfigError, InterfaceError};

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

/// Saves a template of organization `organization_id`.
pub async fn create_template(
    db: &Db,
    organization_id: i64,
    name: &str,
    fields: &Map<String, Value>,
    audit: &AuditEntry,
) -> Result<i64, InterfaceError> {
    if name.trim().is_empty() {
        return Err(refuse("name".into(), "is required").into());
    }
    validate_fields(fields)?;
    let text = Value::Object(fields.clone()).to_string();
    let mut tx = db.begin_write().await?;
    let id: i64 = sql("INSERT INTO itf_templates (organization_id, name, fields) VALUES ($1, $2, $3) RETURNING id")
        .bind(organization_id)
        .bind(name.trim())
        .bind(&text)
        .scalar(&mut tx)
        .await?;
    tixbridge_boxoffice::access::audit::record(&mut tx, &audit.clone().on(format!("template {id}"))).await?;
    tx.commit().await?;
    Ok(id)
}

/// A template's fields, if it belongs to `organization_id`.
pub async fn load_template(db: &Db, organization_id: i64, id: i64) -> Result<Map<String, Value>, InterfaceError> {
    let text: Option<String> = sql("SELECT fields FROM itf_templates WHERE id = $1 AND organization_id = $2")
        .bind(id)
        .bind(organization_id)
        .scalar_optional(&mut db.reader().await?)
        .await?;
    let text = text.ok_or_else(|| InterfaceError::NotFound(format!("no template {id} in this organization")))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(InterfaceError::NotFound(format!("template {id} is unreadable"))),
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
}
