//! Reading an import file: one CSV row per ticket, checked against the catalog as it streams
//! in, one row at a time (the rules between rows are in `check.rs`).

use std::io::Read;

use serde::Deserialize;

use super::ImportError;
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

/// One data row read and checked against the catalog: `parsed` when it could be resolved
/// (possibly with `errors` about fields that do not stop it, such as a long name).
pub(crate) struct CheckedRow {
    pub row: usize,
    pub line: u64,
    pub errors: Vec<FieldError>,
    pub parsed: Option<ParsedRow>,
}

/// The rows of an import file, read one at a time: nothing but the current record is held.
pub(crate) struct Rows<'c, R: Read> {
    catalog: &'c Catalog,
    reader: csv::Reader<super::lines::CrlfAsLf<R>>,
    headers: csv::StringRecord,
    record: csv::StringRecord,
    number: usize,
}

impl<'c, R: Read> Rows<'c, R> {
    /// Reads and checks the header row.
    pub(crate) fn open(catalog: &'c Catalog, input: R) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(super::lines::CrlfAsLf::new(input));
        let headers =
            reader.headers().map_err(|err| ImportError::Header(format!("cannot read the header row: {err}")))?.clone();
        if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(h)) {
            return Err(ImportError::Header(format!("unknown column {unknown:?} (known: {})", COLUMNS.join(", "))));
        }
        if let Some(missing) = REQUIRED.iter().find(|r| !headers.iter().any(|h| h == **r)) {
            return Err(ImportError::Header(format!("missing required column {missing:?}")));
        }
        Ok(Self { catalog, reader, headers, record: csv::StringRecord::new(), number: 0 })
    }

    /// The next row, checked on its own (not against the other rows nor the database).
    pub(crate) fn next_row(&mut self) -> Result<Option<CheckedRow>, ImportError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(err) => {
                return Err(ImportError::Header(format!("row {}: not valid CSV: {err}", self.number + 1)));
            }
        }
        self.number += 1;
        let number = self.number;
        let line = self.record.position().map_or(number as u64 + 1, csv::Position::line);
        let mut errors: Vec<FieldError> = Vec::new();
        let parsed = match self.record.deserialize::<Row>(Some(&self.headers)) {
            Err(err) => {
                errors.push(FieldError { field: "row", message: err.to_string() });
                None
            }
            Ok(row) => check(self.catalog, row, number, line, &mut errors),
        };
        Ok(Some(CheckedRow { row: number, line, errors, parsed }))
    }
}

/// The rows of the file in chunks of at most `size`, each row checked on its own.
pub(crate) fn chunks<R: Read>(
    catalog: &Catalog,
    input: R,
    size: usize,
    mut each: impl FnMut(Vec<CheckedRow>) -> bool,
) -> Result<(), ImportError> {
    let mut rows = Rows::open(catalog, input)?;
    let mut chunk = Vec::with_capacity(size);
    while let Some(row) = rows.next_row()? {
        chunk.push(row);
        if chunk.len() == size && !each(std::mem::replace(&mut chunk, Vec::with_capacity(size))) {
            return Ok(());
        }
    }
    if !chunk.is_empty() {
        each(chunk);
    }
    Ok(())
}

/// A ticket's seat within its performance, when it has both, written into `key` as bytes
/// (the performance, then `block␟row␟seat`): one short key per seat keeps a million-row
/// import's table small.
pub(crate) fn seat_key(ticket: &ResolvedTicket, key: &mut Vec<u8>) -> bool {
    let [block, row, seat, ..] = &ticket.seat;
    let (Some(performance), Some(seat)) = (ticket.performance_id, seat.as_deref()) else { return false };
    key.clear();
    key.extend_from_slice(&performance.to_le_bytes());
    for part in [block.as_deref().unwrap_or(""), "\u{1f}", row.as_deref().unwrap_or(""), "\u{1f}", seat] {
        key.extend_from_slice(part.as_bytes());
    }
    true
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
