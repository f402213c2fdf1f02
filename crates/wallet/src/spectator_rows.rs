//! Spectator accounts as injection sees them: created on first sight of their e-mail, shared by
//! every organizer call that lands something in a wallet (tickets, privileges). The account is
//! only the e-mail; the names an organizer sends stay that organizer's
//! (`wallet_spectator_names`), so another organizer injecting for the same e-mail never reads
//! them.

use std::collections::{HashMap, HashSet};

use tixbridge_domain::inject::Spectator;
use tixbridge_store::{Tx, sql};

/// Rows per multi-row statement: 4 binds each, far under both backends' bind limits.
pub(crate) const SPECTATOR_CHUNK: usize = 1_000;

/// Inside transaction `tx`, creates the spectators of `spectators` whose e-mail is new,
/// stamped `at`, records the names organizer `organizer` gives those it names for the first
/// time, and returns the id of every one of them by e-mail. Names already recorded are never
/// changed: their owner may have edited them since.
pub(crate) async fn upsert_spectators<'s>(
    tx: &mut Tx,
    organizer: i64,
    spectators: impl IntoIterator<Item = &'s Spectator>,
    at: i64,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let mut unique: Vec<&Spectator> = Vec::new();
    let mut seen = HashSet::new();
    for spectator in spectators {
        if seen.insert(spectator.email.as_str()) {
            unique.push(spectator);
        }
    }
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(SPECTATOR_CHUNK) {
        let mut insert = sql("INSERT INTO wallet_spectators (email, created_at) ");
        insert.push_values(chunk, |row, s| {
            row.bind(s.email.as_str()).bind(at);
        });
        insert.push(" ON CONFLICT (email) DO NOTHING");
        insert.execute(tx).await?;

        let mut select = sql("SELECT id, email FROM wallet_spectators WHERE email IN ");
        select.push_list(chunk.iter().map(|s| s.email.as_str()));
        let rows: Vec<(i64, String)> = select.fetch_all(tx).await?;
        ids.extend(rows.into_iter().map(|(id, email)| (email, id)));

        let named: Vec<_> = chunk.iter().filter(|s| s.first_name.is_some() || s.last_name.is_some()).collect();
        if !named.is_empty() {
            let mut names =
                sql("INSERT INTO wallet_spectator_names (organizer_id, spectator_id, first_name, last_name) ");
            names.push_values(named, |row, s| {
                row.bind(organizer)
                    .bind(ids[s.email.as_str()])
                    .bind(s.first_name.as_deref())
                    .bind(s.last_name.as_deref());
            });
            names.push(" ON CONFLICT (organizer_id, spectator_id) DO NOTHING");
            names.execute(tx).await?;
        }
    }
    Ok(ids)
}
