//! The bad rows an import answers with: at most [`MAX_LISTED_BAD_ROWS`] listed, every one counted.

use super::{BadRow, ImportError, MAX_LISTED_BAD_ROWS};

/// Bad rows in file order, one entry per refused field.
#[derive(Default)]
pub(crate) struct BadRows {
    listed: Vec<BadRow>,
    /// Distinct rows, whatever the number of their refused fields.
    count: usize,
    last_row: usize,
}

impl BadRows {
    /// Notes `bad`; a row's fields come one after the other.
    pub(crate) fn push(&mut self, bad: BadRow) {
        if bad.row != self.last_row {
            self.count += 1;
            self.last_row = bad.row;
        }
        if self.listed.len() < MAX_LISTED_BAD_ROWS {
            self.listed.push(bad);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// These and `other`'s rows (none in both) in file order.
    pub(crate) fn merged(self, other: Self) -> Self {
        let mut listed: Vec<BadRow> = self.listed.into_iter().chain(other.listed).collect();
        listed.sort_by_key(|bad| bad.row);
        listed.truncate(MAX_LISTED_BAD_ROWS);
        Self { listed, count: self.count + other.count, last_row: self.last_row.max(other.last_row) }
    }

    pub(crate) fn into_error(self) -> ImportError {
        ImportError::BadRows { rows: self.listed, count: self.count }
    }
}
