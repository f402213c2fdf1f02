//! Turning CSV rows into the injected-ticket JSON the organizer API takes, so that a file goes
//! through exactly the validation and writing of `POST …/tickets`; and naming a refused row's
//! field by its column, as the person who filled the spreadsheet knows it.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::file::{COLUMNS, CsvRow, FileParams};

/// A row ready for injection, or its refusal.
pub(crate) struct PreparedRow {
    pub line: u64,
    pub ticket_id: Option<String>,
    pub ticket: Result<Value, String>,
}

fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Value::Object(map) = node else { return };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        node = map.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
    }
}

fn path_of(column: &str) -> &'static str {
    COLUMNS.iter().find(|(c, _)| *c == column).map_or("", |(_, path)| path)
}

/// The injected ticket of one row; empty cells are left out, a price that reads as a number is
/// sent as one.
pub(crate) fn ticket_json(row: &CsvRow, params: &FileParams) -> Value {
    let mut ticket = json!({ "event": {}, "security": {}, "spectatorDetails": {}, "purchaseDetails": {} });
    let given = params.event.iter().map(|(column, value)| (column.as_str(), value.as_str()));
    let cells = row.cells.iter().map(|(column, value)| (*column, value.as_str()));
    for (column, value) in given.chain(cells).filter(|(_, value)| !value.is_empty()) {
        let value = match column {
            "price" => value.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number),
            _ => None,
        }
        .unwrap_or_else(|| Value::String(value.to_owned()));
        set_path(&mut ticket, path_of(column), value);
    }
    ticket
}

/// `event.startTime: must be …` → `eventStartTime: must be …`.
pub(crate) fn column_reason(reason: &str) -> String {
    if let Some((field, rule)) = reason.split_once(": ")
        && let Some((column, _)) = COLUMNS.iter().find(|(_, path)| *path == field)
    {
        return format!("{column}: {rule}");
    }
    reason.to_owned()
}

/// Every row of a file, with a repeated `ticketId` refused at its second appearance (across
/// the whole file, not only within one injected batch).
pub(crate) fn prepare(rows: &[CsvRow], params: &FileParams) -> Vec<PreparedRow> {
    let mut first_line: HashMap<String, u64> = HashMap::with_capacity(rows.len());
    rows.iter()
        .map(|row| {
            let ticket_id = row.cells.iter().find(|(c, v)| *c == "ticketId" && !v.is_empty()).map(|(_, v)| v.clone());
            let repeated = ticket_id.as_ref().and_then(|id| match first_line.get(id) {
                Some(first) => Some(*first),
                None => {
                    first_line.insert(id.clone(), row.line);
                    None
                }
            });
            let ticket = match repeated {
                Some(first) => Err(format!("ticketId: appears more than once in this file (first on row {first})")),
                None => Ok(ticket_json(row, params)),
            };
            PreparedRow { line: row.line, ticket_id, ticket }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_row_becomes_a_nested_ticket_and_the_file_event_fills_the_event() {
        let params = FileParams { delimiter: ',', event: BTreeMap::from([("eventId".to_owned(), "EV".to_owned())]) };
        let row = CsvRow {
            line: 2,
            cells: vec![
                ("ticketId", "T1".into()),
                ("price", "45.50".into()),
                ("site", "Stadium".into()),
                ("seat", "".into()),
            ],
        };
        let ticket = ticket_json(&row, &params);
        assert_eq!(ticket["event"]["id"], "EV");
        assert_eq!(ticket["event"]["address"]["site"], "Stadium");
        assert_eq!(ticket["purchaseDetails"]["price"], 45.5);
        assert!(ticket.get("seat").is_none());
        assert_eq!(column_reason("event.startTime: must be RFC 3339"), "eventStartTime: must be RFC 3339");
        assert_eq!(column_reason("spectatorDetails.email: is required"), "email: is required");
    }
}
