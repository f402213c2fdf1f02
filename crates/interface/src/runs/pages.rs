//! The page loop that injection, pushes and privileges share: tickets in id order,
//! `ticketIterationSize` at a time, until the function's `batchSize` is spent, in bounded
//! windows of ids. Each page query looks only
//! at ids in `(after, upper]`, so its cost is bounded whatever plan the database picks: with
//! many matching rows, PostgreSQL's estimates across the joins led it to sort every remaining
//! ticket for each page of 1,000.

use tixbridge_boxoffice::wallet_side::max_ticket_id;
use tixbridge_store::Db;

use super::Counts;

struct IdWindows {
    after: i64,
    max_id: i64,
    width: i64,
}

impl IdWindows {
    /// Windows over every ticket that exists now, `page` rows wanted per query.
    async fn new(db: &Db, page: usize) -> Result<Self, sqlx::Error> {
        let max_id = max_ticket_id(&mut db.reader().await?).await?;
        Ok(Self { after: 0, max_id, width: (page as i64).saturating_mul(8).max(1_000) })
    }

    /// The next window `(after, upper]`, or `None` past the last ticket.
    fn next(&self) -> Option<(i64, i64)> {
        (self.after < self.max_id).then(|| (self.after, self.after.saturating_add(self.width).min(self.max_id)))
    }

    /// Moves on after a query over `(_, upper]` that returned `rows` of the `limit` asked,
    /// the last with id `last`: a full page resumes after it, anything less means the window
    /// held no more.
    fn advance(&mut self, rows: usize, limit: usize, last: Option<i64>, upper: i64) {
        self.after = match last {
            Some(last) if rows >= limit => last,
            _ => upper,
        };
    }
}

/// One page to select: ticket ids in `window` = `(after, upper]`, at most `limit` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub window: (i64, i64),
    pub limit: usize,
}

/// The pages of one run. `while let Some(page) = pages.next()`, select the page's rows, then
/// [`Pages::took`] them: it moves the windows on, spends the batch and counts the rows selected.
pub struct Pages {
    windows: IdWindows,
    size: usize,
    remaining: usize,
}

impl Pages {
    /// Pages of `size` rows over every ticket that exists now, `batch_size` rows in all.
    pub async fn new(db: &Db, size: usize, batch_size: usize) -> Result<Self, sqlx::Error> {
        Ok(Self { windows: IdWindows::new(db, size).await?, size, remaining: batch_size })
    }

    /// The next page to select, or `None` once the batch is spent or the tickets run out.
    pub fn next(&self) -> Option<Page> {
        if self.remaining == 0 {
            return None;
        }
        let window = self.windows.next()?;
        Some(Page { window, limit: self.remaining.min(self.size) })
    }

    /// Records that `page`'s query returned `rows` rows, the last with id `last`, and counts
    /// them as selected; `false` when it returned none, so there is nothing to send.
    pub fn took(&mut self, page: Page, rows: usize, last: Option<i64>, counts: &mut Counts) -> bool {
        self.windows.advance(rows, page.limit, last, page.window.1);
        self.remaining = self.remaining.saturating_sub(rows);
        counts.selected += rows as u64;
        rows > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_resumes_after_its_last_row_and_a_short_one_after_its_window() {
        let mut windows = IdWindows { after: 0, max_id: 20_000, width: 8_000 };
        assert_eq!(windows.next(), Some((0, 8_000)));
        windows.advance(1_000, 1_000, Some(1_500), 8_000);
        assert_eq!(windows.next(), Some((1_500, 9_500)));
        windows.advance(10, 1_000, Some(9_000), 9_500);
        assert_eq!(windows.next(), Some((9_500, 17_500)));
        windows.advance(0, 1_000, None, 17_500);
        assert_eq!(windows.next(), Some((17_500, 20_000)));
        windows.advance(0, 1_000, None, 20_000);
        assert_eq!(windows.next(), None);
    }

    #[test]
    fn pages_stop_when_the_batch_is_spent_and_count_what_they_selected() {
        let mut pages =
            Pages { windows: IdWindows { after: 0, max_id: 100_000, width: 8_000 }, size: 1_000, remaining: 1_500 };
        let mut counts = Counts::default();
        let first = pages.next().unwrap();
        assert_eq!(first, Page { window: (0, 8_000), limit: 1_000 });
        assert!(pages.took(first, 1_000, Some(1_000), &mut counts));
        let second = pages.next().unwrap();
        assert_eq!(second, Page { window: (1_000, 9_000), limit: 500 });
        assert!(pages.took(second, 500, Some(1_500), &mut counts));
        assert_eq!(pages.next(), None);
        assert_eq!(counts.selected, 1_500);
    }
}
