//! Spectator accounts as injection sees them: created on first sight of their e-mail (SPEC
//! §5.1), shared by every organizer call that lands something in a wallet (tickets, privileges).

/// Rows per multi-row statement: 4 binds each, far under both backends' bind limits.
pub(crate) const SPECTATOR_CHUNK: usize = 1_000;

/// Inside transaction `$tx`, creates the spectators of `$spectators` (an iterator of
/// `&tixbridge_domain::inject::Spectator`) whose e-mail is new, stamped `$at`, and evaluates to
/// a `HashMap<String, i64>` from e-mail to spectator id covering every one of them. An existing
/// account is never changed: its owner may have edited it since.
macro_rules! upsert_spectators {
    ($tx:expr, $spectators:expr, $at:expr) => {{
        let mut unique: Vec<&tixbridge_domain::inject::Spectator> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for spectator in $spectators {
            if seen.insert(spectator.email.as_str()) {
                unique.push(spectator);
            }
        }
        let mut ids: std::collections::HashMap<String, i64> = std::collections::HashMap::with_capacity(unique.len());
        for chunk in unique.chunks($crate::spectator_rows::SPECTATOR_CHUNK) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO wallet_spectators (email, first_name, last_name, created_at) ");
            insert.push_values(chunk, |mut row, s| {
                row.push_bind(s.email.as_str())
                    .push_bind(s.first_name.as_deref())
                    .push_bind(s.last_name.as_deref())
                    .push_bind($at);
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
        }
        ids
    }};
}
pub(crate) use upsert_spectators;
