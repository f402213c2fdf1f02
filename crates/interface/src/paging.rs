//! Paging through tickets in id order, in bounded windows of ids. Each page query looks only
//! at ids in `(after, upper]`, so its cost is bounded whatever plan the database picks: with
//! many matching rows, PostgreSQL's estimates across the joins led it to sort every remaining
//! ticket for each page of 1,000.

use tixbridge_boxoffice::wallet_side::max_ticket_id;
use tixbridge_store::Db;

pub struct IdWindows {
    after: i64,
    max_id: i64,
    width: i64,
}

impl IdWindows {
    /// Windows over every ticket that exists now, `page` rows wanted per query.
    pub async fn new(db: &Db, page: usize) -> Result<Self, sqlx::Error> {
        let max_id = max_ticket_id(&mut db.reader().await?).await?;
        Ok(Self { after: 0, max_id, width: (page as i64).saturating_mul(8).max(1_000) })
    }

    /// The next window `(after, upper]`, or `None` past the last ticket.
    pub fn next(&self) -> Option<(i64, i64)> {
        (self.after < self.max_id).then(|| (self.after, self.after.saturating_add(self.width).min(self.max_id)))
    }

    /// Moves on after a query over `(_, upper]` that returned `rows` of the `limit` asked,
    /// the last with id `last`: a full page resumes after it, anything less means the window
    /// held no more.
    pub fn advance(&mut self, rows: usize, limit: usize, last: Option<i64>, upper: i64) {
        self.after = match last {
            Some(last) if rows >= limit => last,
            _ => upper,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::IdWindows;

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
}
