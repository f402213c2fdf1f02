//! The pages a push run sends. A full run pages through every ticket in id windows; a run
//! limited to recent changes (a continuous worker's) pages through the tickets changed since
//! then, found along the status-change index: at a steady 10,000 scans a minute, walking the
//! windows made each run read the whole box office, and the runs grew from 13 to 44 ms over
//! four minutes as the scanned tickets piled up.

use tixbridge_boxoffice::wallet_side::push_selection::{
    PushCandidate, PushFilter, ids_changed_since, push_candidates_among, push_page,
};
use tixbridge_store::Db;

use crate::runs::{Counts, Pages};

pub(super) enum PushPages {
    Windows(Pages),
    Recent(RecentPages),
}

impl PushPages {
    /// The pages of a run selecting with `filter`, `size` rows at a time, `batch_size` in all.
    pub async fn new(db: &Db, filter: &PushFilter<'_>, size: usize, batch_size: usize) -> Result<Self, sqlx::Error> {
        Ok(match filter.changed_since {
            Some(since) => {
                let ids = ids_changed_since(&mut db.reader().await?, filter.statuses, since).await?;
                PushPages::Recent(RecentPages { ids, next: 0, size: size.max(1), remaining: batch_size })
            }
            None => PushPages::Windows(Pages::new(db, size, batch_size).await?),
        })
    }

    /// The next page with something to send, counted as selected; `None` once the batch is
    /// spent or the tickets run out.
    pub async fn next(
        &mut self,
        db: &Db,
        filter: &PushFilter<'_>,
        counts: &mut Counts,
    ) -> Result<Option<Vec<PushCandidate>>, sqlx::Error> {
        match self {
            PushPages::Windows(pages) => {
                while let Some(page) = pages.next() {
                    let rows = push_page(&mut db.reader().await?, filter, page.window, page.limit as i64).await?;
                    if pages.took(page, rows.len(), rows.last().map(|r| r.id), counts) {
                        return Ok(Some(rows));
                    }
                }
                Ok(None)
            }
            PushPages::Recent(pages) => pages.next(db, filter, counts).await,
        }
    }
}

/// Pages over the ids changed recently: each page checks the next `size` of them against the
/// whole filter.
pub(super) struct RecentPages {
    ids: Vec<i64>,
    next: usize,
    size: usize,
    remaining: usize,
}

impl RecentPages {
    async fn next(
        &mut self,
        db: &Db,
        filter: &PushFilter<'_>,
        counts: &mut Counts,
    ) -> Result<Option<Vec<PushCandidate>>, sqlx::Error> {
        while self.remaining > 0 && self.next < self.ids.len() {
            let chunk = &self.ids[self.next..(self.next + self.size).min(self.ids.len())];
            self.next += chunk.len();
            let mut rows = push_candidates_among(&mut db.reader().await?, filter, chunk).await?;
            rows.sort_unstable_by_key(|row| row.id);
            rows.truncate(self.remaining);
            self.remaining -= rows.len();
            counts.selected += rows.len() as u64;
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }
}
