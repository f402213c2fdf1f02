//! Spectator accounts as injection sees them: created on first sight of their e-mail, shared by
//! every organizer call that lands something in a wallet (tickets, privileges). The account is
//! only the e-mail; the names an organizer sends stay that organizer's
//! (`wallet_spectator_names`), so another organizer injecting for the same e-mail never reads
//! them.

/// Rows per multi-row statement: 4 binds each, far under both backends' bind limits.
pub(crate) const SPECTATOR_CHUNK: usize = 1_000;

/// Inside transaction `$tx`, creates the spectators of `$spectators` (an iterator of
/// `&tixbridge_domain::inject::Spectator`) whose e-mail is new, stamped `$at`, records the
/// names organizer `$organizer` gives those it names for the first time, and evaluates to a
/// `HashMap<String, i64>` from e-mail to spectator id covering every one of them. Names already
/// recorded are never changed: their owner may have edited them since.
macro_rules! upsert_spectators {
    ($tx:expr, $organizer:expr, $spectators:expr, $at:expr) => {{
        let mut unique: Vec<&tixbridge_domain::inject::Spectator> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for spectator in $spectators {
            if seen.insert(spectator.email.as_str()) {
                unique.push(spectator);
            }
        }
        let mut ids: std::collections::HashMap<String, i64> = std::collections::HashMap::with_capacity(unique.len());
        for chunk in unique.chunks($crate::spectator_rows::SPECTATOR_CHUNK) {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO wallet_spectators (email, created_at) ");
            insert.push_values(chunk, |mut row, s| {
                row.push_bind(s.email.as_str()).push_bind($at);
            });
            insert.push(" ON CONFLICT (email) DO NOTHING");
            insert.build().execute(&mut *$tx).await?;

            let mut select = sqlx::QueryBuilder::new("SELECT id, email FROM wallet_spectators WHERE email IN (");
            let mut list = select.separated(", ");
            for s in chunk {
                list.push_bind(s.email.as_str());
            }
            select.push(")");
            let rows: Vec<(i64, String)> = select.build_query_as().fetch_all(&mut *$tx).await?;
            ids.extend(rows.into_iter().map(|(id, email)| (email, id)));

            let named: Vec<_> = chunk.iter().filter(|s| s.first_name.is_some() || s.last_name.is_some()).collect();
            if !named.is_empty() {
                let mut names = sqlx::QueryBuilder::new(
                    "INSERT INTO wallet_spectator_names (organizer_id, spectator_id, first_name, last_name) ",
                );
                names.push_values(named, |mut row, s| {
                    row.push_bind($organizer)
                        .push_bind(ids[s.email.as_str()])
                        .push_bind(s.first_name.as_deref())
                        .push_bind(s.last_name.as_deref());
                });
                names.push(" ON CONFLICT (organizer_id, spectator_id) DO NOTHING");
                names.build().execute(&mut *$tx).await?;
            }
        }
        ids
    }};
}
pub(crate) use upsert_spectators;
