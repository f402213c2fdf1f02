//! The first pass over an import file: every rule of a row, between rows (a barcode or a seat
//! named twice) and against what the box office already sold (a seat a live ticket holds),
//! with nothing written and nothing kept per row but its barcode and seat
//! (docs/boxoffice-api.md#csv-import).

use std::collections::BTreeSet;

use tixbridge_store::{Db, Tx};

use super::bad::BadRows;
use super::dedupe::FirstSightings;
use super::parse::{CheckedRow, ParsedRow, seat_key};
use super::{BadRow, ImportError, MAX_IMPORT_ROWS, Progress};
use crate::capacity::{describe_seat, seats_already_sold};
use crate::issue::{FieldError, ResolvedTicket};

/// What the first pass learned about a file whose rows are all good on their own.
pub(crate) struct FileSummary {
    pub rows: usize,
    /// The performances, seat categories and contingents the file sells (to lock and count).
    pub performance_ids: BTreeSet<i64>,
    pub seat_category_ids: BTreeSet<i64>,
    pub contingent_ids: BTreeSet<i64>,
    /// Rows whose seat a live ticket already holds, and their numbers (in file order).
    pub seats_sold: BadRows,
    pub seat_sold_rows: Vec<u32>,
}

pub(crate) struct FileCheck {
    reader: Tx,
    barcodes: FirstSightings,
    seats: FirstSightings,
    key: Vec<u8>,
    bad: BadRows,
    summary: FileSummary,
}

impl FileCheck {
    pub(crate) async fn start(db: &Db) -> Result<Self, ImportError> {
        Ok(Self {
            reader: db.begin_read().await?,
            barcodes: FirstSightings::new(),
            seats: FirstSightings::new(),
            key: Vec::new(),
            bad: BadRows::default(),
            summary: FileSummary {
                rows: 0,
                performance_ids: BTreeSet::new(),
                seat_category_ids: BTreeSet::new(),
                contingent_ids: BTreeSet::new(),
                seats_sold: BadRows::default(),
                seat_sold_rows: Vec::new(),
            },
        })
    }

    /// Checks the next rows of the file.
    pub(crate) async fn rows(
        &mut self,
        chunk: Vec<CheckedRow>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(), ImportError> {
        let mut good: Vec<ParsedRow> = Vec::with_capacity(chunk.len());
        for checked in chunk {
            self.summary.rows += 1;
            if self.summary.rows > MAX_IMPORT_ROWS {
                return Err(ImportError::TooManyRows(MAX_IMPORT_ROWS));
            }
            let CheckedRow { row, line, mut errors, parsed } = checked;
            if let Some(parsed) = &parsed {
                self.repeated(&parsed.ticket, row, &mut errors);
            }
            if !errors.is_empty() {
                for error in errors {
                    self.bad.push(BadRow { row, line, field: error.field.to_owned(), error: error.message });
                }
            } else if let Some(parsed) = parsed {
                good.push(parsed);
            }
        }
        // once a row is bad only the rows' own rules are answered: the database is not asked
        if self.bad.is_empty() {
            self.against_sales(&good).await?;
        }
        progress(Progress::Parsed(self.summary.rows));
        Ok(())
    }

    /// A barcode or a seat an earlier row of the file already named.
    fn repeated(&mut self, ticket: &ResolvedTicket, row: usize, errors: &mut Vec<FieldError>) {
        if let Some(first) = self.barcodes.first_or_note(ticket.barcode.as_bytes(), row) {
            errors.push(FieldError { field: "barcode", message: format!("repeats the barcode of row {first}") });
        } else if seat_key(ticket, &mut self.key)
            && let Some(first) = self.seats.first_or_note(&self.key, row)
        {
            errors.push(FieldError {
                field: "seat",
                message: format!("{} is sold twice in this file: row {first} sells it too", describe_seat(ticket)),
            });
        }
    }

    /// Notes what the good rows sell, and which of their seats a live ticket holds.
    async fn against_sales(&mut self, good: &[ParsedRow]) -> Result<(), ImportError> {
        for row in good {
            let ticket = &row.ticket;
            if let Some(performance) = ticket.performance_id {
                self.summary.performance_ids.insert(performance);
                self.summary.seat_category_ids.extend(ticket.seat_category_id);
                self.summary.contingent_ids.extend(ticket.contingent_id);
            }
        }
        let tickets: Vec<&ResolvedTicket> = good.iter().map(|row| &row.ticket).collect();
        for refusal in seats_already_sold(&mut self.reader, &tickets).await? {
            let row = &good[refusal.index];
            self.summary.seat_sold_rows.push(row.row as u32);
            self.summary.seats_sold.push(BadRow {
                row: row.row,
                line: row.line,
                field: refusal.field.to_owned(),
                error: refusal.message,
            });
        }
        Ok(())
    }

    /// The summary of a file whose every row is good on its own and beside the others.
    pub(crate) async fn finish(self) -> Result<FileSummary, ImportError> {
        self.reader.rollback().await?;
        if !self.bad.is_empty() {
            return Err(self.bad.into_error());
        }
        if self.summary.rows == 0 {
            return Err(ImportError::Header("the file has a header but no rows".to_owned()));
        }
        Ok(self.summary)
    }
}
