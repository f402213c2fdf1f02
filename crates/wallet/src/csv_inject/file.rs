//! Reading an injection CSV file (docs/wallet-api.md#the-organizer-api,
//! docs/interface.md#away-fans): UTF-8, a header row naming known columns in any order, at
//! most [`MAX_ROWS`] rows. A file that breaks one of these rules is refused whole, naming
//! the problem, before any job exists; rows are checked one by one later, as tickets.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_web::ApiError;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// Every column a file may have, with the injected-ticket field it fills.
pub(crate) const COLUMNS: [(&str, &str); 20] = [
    ("ticketId", "ticketId"),
    ("eventId", "event.id"),
    ("eventName", "event.name"),
    ("eventStartTime", "event.startTime"),
    ("eventExpirationDate", "event.expirationDate"),
    ("barcode", "security.barcode"),
    ("email", "spectatorDetails.email"),
    ("firstName", "spectatorDetails.firstName"),
    ("lastName", "spectatorDetails.lastName"),
    ("block", "block"),
    ("row", "row"),
    ("seat", "seat"),
    ("category", "purchaseDetails.category"),
    ("price", "purchaseDetails.price"),
    ("currency", "purchaseDetails.currency"),
    ("purchaseDate", "purchaseDetails.purchaseDate"),
    ("fileNumber", "purchaseDetails.fileNumber"),
    ("site", "event.address.site"),
    ("city", "event.address.city"),
    ("countryCode", "event.address.countryCode"),
];

/// Columns every row needs, in the file or (event columns) as query parameters.
const REQUIRED: [&str; 7] =
    ["ticketId", "eventId", "eventName", "eventStartTime", "eventExpirationDate", "barcode", "email"];

/// The event columns that may be given once per file as query parameters instead (§7.2: the
/// away club fills seats and names, the event is the same for every row).
pub(crate) const EVENT_PARAMETERS: [&str; 4] = ["eventId", "eventName", "eventStartTime", "eventExpirationDate"];

/// How a stored file is to be read again: its delimiter and the per-file event values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct FileParams {
    pub delimiter: char,
    pub event: BTreeMap<String, String>,
}

/// One data row: the line it starts on (the header is line 1) and its cells by column name.
pub(crate) struct CsvRow {
    pub line: u64,
    pub cells: Vec<(&'static str, String)>,
}

fn canonical(name: &str) -> Option<&'static str> {
    COLUMNS.iter().map(|(column, _)| *column).find(|column| column.eq_ignore_ascii_case(name.trim()))
}

/// `;` or tab when the header uses it and no comma (spreadsheets in many locales save so).
fn sniff_delimiter(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    if header.contains(',') {
        ','
    } else if header.contains(';') {
        ';'
    } else if header.contains('\t') {
        '\t'
    } else {
        ','
    }
}

/// Checks the query parameters of an upload: only the event columns, with valid dates.
pub(crate) fn check_parameters(query: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut event = BTreeMap::new();
    for (key, value) in query {
        if !EVENT_PARAMETERS.contains(&key.as_str()) {
            return Err(ApiError::bad_request(
                key,
                format!("unknown query parameter (known: {})", EVENT_PARAMETERS.join(", ")),
            ));
        }
        if value.trim().is_empty() {
            return Err(ApiError::bad_request(key, "must not be empty"));
        }
        if key.ends_with("Time") || key.ends_with("Date") {
            chrono::DateTime::parse_from_rfc3339(value.trim()).map_err(|_| {
                ApiError::bad_request(&key, "must be an RFC 3339 date-time with offset, e.g. 2026-06-14T21:00:00+02:00")
            })?;
        }
        event.insert(key, value.trim().to_owned());
    }
    Ok(event)
}

/// Decodes an uploaded body: UTF-8 (a byte-order mark is dropped), or a 400 naming the offset.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|err| {
        ApiError::bad_request("body", format!("the file is not UTF-8 (invalid byte at offset {})", err.valid_up_to()))
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads `text`, refusing a malformed file with a 4xx that names the problem.
pub(crate) fn parse(text: &str, event: &BTreeMap<String, String>) -> Result<(FileParams, Vec<CsvRow>), ApiError> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(u8::try_from(delimiter).unwrap_or(b','))
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|err| ApiError::bad_request("body", format!("not a CSV file: {err}")))?;
    let mut columns: Vec<&'static str> = Vec::with_capacity(header.len());
    let mut unknown = Vec::new();
    for (i, name) in header.iter().enumerate() {
        match canonical(name) {
            Some(column) if columns.contains(&column) => {
                return Err(ApiError::bad_request("header", format!("column {column} appears more than once")));
            }
            Some(column) if event.contains_key(column) => {
                return Err(ApiError::bad_request(column, "given both as a column and as a query parameter"));
            }
            Some(column) => columns.push(column),
            None if name.trim().is_empty() => unknown.push(format!("(column {} has no name)", i + 1)),
            None => unknown.push(format!("{:?}", name.trim())),
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = COLUMNS.iter().map(|(column, _)| *column).collect();
        return Err(ApiError::bad_request(
            "header",
            format!("unknown columns {} (known: {})", unknown.join(", "), known.join(", ")),
        ));
    }
    let missing: Vec<&str> =
        REQUIRED.iter().copied().filter(|c| !columns.contains(c) && !event.contains_key(*c)).collect();
    if !missing.is_empty() {
        return Err(ApiError::bad_request("header", format!("required columns missing: {}", missing.join(", "))));
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| ApiError::bad_request("body", format!("not a valid CSV file: {err}")))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue; // spreadsheets often save trailing empty rows
        }
        if rows.len() == MAX_ROWS {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("at most {MAX_ROWS} rows per file"))
                .with_field("body"));
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cells = columns.iter().copied().zip(record.iter().map(|cell| cell.trim().to_owned())).collect();
        rows.push(CsvRow { line, cells });
    }
    if rows.is_empty() {
        return Err(ApiError::bad_request("body", "the file has a header but no rows"));
    }
    Ok((FileParams { delimiter, event: event.clone() }, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_params() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    const HEADER: &str = "ticketId,eventId,eventName,eventStartTime,eventExpirationDate,barcode,email";

    #[test]
    fn rows_keep_their_line_and_a_semicolon_file_is_read_too() {
        let text = format!("{HEADER}\nT1,E,N,s,e,B1,a@b.c\n,,,,,,\nT2,E,N,s,e,B2,a@b.c\n");
        let (params, rows) = parse(&text, &no_params()).unwrap();
        assert_eq!(params.delimiter, ',');
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
        let (params, rows) =
            parse(&format!("{}\nT1;E;N;s;e;B;a@b.c\n", HEADER.replace(',', ";")), &no_params()).unwrap();
        assert_eq!(params.delimiter, ';');
        assert_eq!(rows[0].cells[0], ("ticketId", "T1".to_owned()));
    }

    #[test]
    fn a_malformed_file_is_refused_naming_the_problem() {
        let refused = |text: &str| parse(text, &no_params()).map(|_| ()).unwrap_err().error;
        assert!(refused(&format!("{HEADER},colour\nT1,E,N,s,e,B,a@b.c,red\n")).contains("\"colour\""));
        assert!(refused("ticketId,barcode\nT1,B\n").contains("eventId"));
        assert!(refused(&format!("{HEADER}\nT1,E\n")).contains("CSV"));
        assert!(refused(&format!("{HEADER}\n")).contains("no rows"));
        let many = format!("{HEADER}\n{}", "T,E,N,s,e,B,a@b.c\n".repeat(MAX_ROWS + 1));
        assert!(refused(&many).contains("at most 20000 rows"));
    }

    #[test]
    fn event_columns_may_come_as_parameters_but_not_both_ways() {
        let params: BTreeMap<String, String> =
            EVENT_PARAMETERS.iter().map(|p| (p.to_string(), "2099-01-01T00:00:00Z".to_owned())).collect();
        let params = check_parameters(params).unwrap();
        assert!(parse("ticketId,barcode,email\nT1,B,a@b.c\n", &params).is_ok());
        assert_eq!(
            parse(&format!("{HEADER}\nT1,E,N,s,e,B,a@b.c\n"), &params).map(|_| ()).unwrap_err().field.unwrap(),
            "eventId"
        );
        let bad: BTreeMap<String, String> = [("eventStartTime".to_owned(), "tomorrow".to_owned())].into();
        assert_eq!(check_parameters(bad).unwrap_err().field.unwrap(), "eventStartTime");
        let unknown: BTreeMap<String, String> = [("colour".to_owned(), "red".to_owned())].into();
        assert_eq!(check_parameters(unknown).unwrap_err().field.unwrap(), "colour");
    }
}
