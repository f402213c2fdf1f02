//! Reading an import file: one CSV row per ticket, checked against the catalog as it streams
//! in, every bad row noted (row number and field) rather than stopping at the first.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;

use serde::Deserialize;

use super::{BadRow, ImportError, Progress};
use crate::capacity;
use crate::catalog::Catalog;
use crate::issue::{self, FieldError, ResolvedTicket, TicketRequest};

/// The columns of an import file; every one but the required four may be left out.
pub const COLUMNS: [&str; 18] = [
    "fileNumber",
    "contactEmail",
    "contactFirstName",
    "contactLastName",
    "productCode",
    "performanceCode",
    "seatCategoryCode",
    "tariffCode",
    "contingentCode",
    "shipmentModeCode",
    "taxNumber",
    "barcode",
    "block",
    "row",
    "seat",
    "priceCents",
    "currency",
    "salesChannelCode",
];

const REQUIRED: [&str; 4] = ["fileNumber", "contactEmail", "productCode", "shipmentModeCode"];

/// The most bad rows an answer lists (the count is always given).
pub const MAX_LISTED_BAD_ROWS: usize = 1_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    file_number: Option<String>,
    contact_email: Option<String>,
    contact_first_name: Option<String>,
    contact_last_name: Option<String>,
    product_code: Option<String>,
    performance_code: Option<String>,
    seat_category_code: Option<String>,
    tariff_code: Option<String>,
    contingent_code: Option<String>,
    shipment_mode_code: Option<String>,
    tax_number: Option<String>,
    barcode: Option<String>,
    block: Option<String>,
    row: Option<String>,
    seat: Option<String>,
    price_cents: Option<String>,
    currency: Option<String>,
    sales_channel_code: Option<String>,
}

/// A checked row, ready to write.
pub(crate) struct ParsedRow {
    /// The data row, from 1, and its line in the file.
    pub row: usize,
    pub line: u64,
    pub file_number: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub ticket: ResolvedTicket,
}

fn blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Parses and checks every row; all-or-nothing, so any bad row fails the whole file.
pub(crate) fn parse(
    catalog: &Catalog,
    input: impl Read,
    max_rows: usize,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Vec<ParsedRow>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(super::lines::CrlfAsLf::new(input));
    let headers =
        reader.headers().map_err(|err| ImportError::Header(format!("cannot read the header row: {err}")))?.clone();
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(h)) {
        return Err(ImportError::Header(format!("unknown column {unknown:?} (known: {})", COLUMNS.join(", "))));
    }
    if let Some(missing) = REQUIRED.iter().find(|r| !headers.iter().any(|h| h == **r)) {
        return Err(ImportError::Header(format!("missing required column {missing:?}")));
    }
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    let mut barcode_rows: HashMap<String, usize> = HashMap::new();
    // (performance, "block␟row␟seat") → the data row that first sold it
    let mut seat_rows: HashMap<(i64, String), usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut number = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                return Err(ImportError::Header(format!("row {}: not valid CSV: {err}", number + 1)));
            }
        }
        number += 1;
        let line = record.position().map_or(number as u64 + 1, csv::Position::line);
        if number > max_rows {
            return Err(ImportError::TooManyRows(max_rows));
        }
        let mut errors: Vec<FieldError> = Vec::new();
        match record.deserialize::<Row>(Some(&headers)) {
            Err(err) => errors.push(FieldError { field: "row", message: err.to_string() }),
            Ok(row) => {
                if let Some(parsed) = check(catalog, row, number, line, &mut errors) {
                    if let Some(first) = barcode_rows.insert(parsed.ticket.barcode.clone(), number) {
                        errors.push(FieldError {
                            field: "barcode",
                            message: format!("repeats the barcode of row {first}"),
                        });
                    } else if let Some(first) = seat_of(&parsed.ticket).and_then(|seat| match seat_rows.entry(seat) {
                        Entry::Occupied(first) => Some(*first.get()),
                        Entry::Vacant(free) => {
                            free.insert(number);
                            None
                        }
                    }) {
                        errors.push(FieldError {
                            field: "seat",
                            message: format!(
                                "{} is sold twice in this file: row {first} sells it too",
                                capacity::describe_seat(&parsed.ticket)
                            ),
                        });
                    } else if errors.is_empty() {
                        rows.push(parsed);
                    }
                }
            }
        }
        if !errors.is_empty() {
            bad_count += 1;
            for error in errors {
                if bad.len() < MAX_LISTED_BAD_ROWS {
                    bad.push(BadRow { row: number, line, field: error.field.to_owned(), error: error.message });
                }
            }
        }
        if number.is_multiple_of(10_000) {
            progress(Progress::Parsed(number));
        }
    }
    progress(Progress::Parsed(number));
    if bad_count > 0 {
        return Err(ImportError::BadRows { rows: bad, count: bad_count });
    }
    if number == 0 {
        return Err(ImportError::Header("the file has a header but no rows".to_owned()));
    }
    Ok(rows)
}

/// A ticket's seat within its performance, when it has both: one string per seat keeps a
/// million-row import's map small.
fn seat_of(ticket: &ResolvedTicket) -> Option<(i64, String)> {
    let [block, row, seat, ..] = &ticket.seat;
    let (block, row) = (block.as_deref().unwrap_or(""), row.as_deref().unwrap_or(""));
    Some((ticket.performance_id?, format!("{block}\u{1f}{row}\u{1f}{}", seat.as_deref()?)))
}

fn check(catalog: &Catalog, row: Row, number: usize, line: u64, errors: &mut Vec<FieldError>) -> Option<ParsedRow> {
    let file_number = match blank(row.file_number) {
        Some(number) => match crate::validate::code("fileNumber", &number) {
            Ok(number) => Some(number),
            Err(_) => {
                errors.push(FieldError {
                    field: "fileNumber",
                    message: "must be 1 to 64 characters of letters, digits, _ - .".into(),
                });
                None
            }
        },
        None => {
            errors.push(FieldError { field: "fileNumber", message: "is required".into() });
            None
        }
    };
    let email = match crate::validate::email("contactEmail", row.contact_email.as_deref()) {
        Ok(Some(email)) => Some(email),
        Ok(None) => {
            errors.push(FieldError { field: "contactEmail", message: "is required".into() });
            None
        }
        Err(_) => {
            errors.push(FieldError {
                field: "contactEmail",
                message: "must be an e-mail address of at most 256 characters".into(),
            });
            None
        }
    };
    let first_name = blank(row.contact_first_name);
    let last_name = blank(row.contact_last_name);
    if first_name.as_ref().is_some_and(|n| n.chars().count() > 50) {
        errors.push(FieldError { field: "contactFirstName", message: "must be at most 50 characters".into() });
    }
    if last_name.as_ref().is_some_and(|n| n.chars().count() > 100) {
        errors.push(FieldError { field: "contactLastName", message: "must be at most 100 characters".into() });
    }
    let price_cents = match blank(row.price_cents) {
        None => 0,
        Some(text) => text.parse::<i64>().unwrap_or_else(|_| {
            errors.push(FieldError { field: "priceCents", message: "must be a whole number of cents".into() });
            0
        }),
    };
    let sales_channel_id = match blank(row.sales_channel_code) {
        None => None,
        Some(code) => {
            let found = catalog.sales_channels.get(&code).copied();
            if found.is_none() {
                errors.push(FieldError { field: "salesChannelCode", message: format!("no sales channel {code:?}") });
            }
            found
        }
    };
    let request = TicketRequest {
        product_code: blank(row.product_code).unwrap_or_default(),
        performance_code: blank(row.performance_code),
        seat_category_code: blank(row.seat_category_code),
        tariff_code: blank(row.tariff_code),
        contingent_code: blank(row.contingent_code),
        shipment_mode_code: blank(row.shipment_mode_code).unwrap_or_default(),
        tax_number: blank(row.tax_number),
        barcode: blank(row.barcode),
        block: blank(row.block),
        row: blank(row.row),
        seat: blank(row.seat),
        price_cents,
        currency: blank(row.currency),
        ..TicketRequest::default()
    };
    let ticket = match issue::resolve(catalog, &request) {
        Ok(ticket) => Some(ticket),
        Err(mut more) => {
            errors.append(&mut more);
            None
        }
    };
    Some(ParsedRow {
        row: number,
        line,
        file_number: file_number?,
        email: email?,
        first_name,
        last_name,
        ticket: ResolvedTicket { sales_channel_id, ..ticket? },
    })
}
