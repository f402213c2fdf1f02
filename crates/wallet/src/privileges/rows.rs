//! SQL shared by the privilege calls, as macros over a transaction `$tx` so that each body is
//! compiled once per backend (see `tixbridge_store::on_writer!`).

/// Rows per multi-row statement (at most 10 binds each: far under both backends' limits).
pub(crate) const CHUNK: usize = 1_000;

/// Looks `$keys` (a slice of `&str`) up in column `$column` of `$table` among organizer
/// `$organizer`'s rows; evaluates to a `HashMap<String, i64>` from key to row id.
macro_rules! ids_by_key {
    ($tx:expr, $table:literal, $column:literal, $organizer:expr, $keys:expr) => {{
        let mut found: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for chunk in $keys.chunks($crate::privileges::rows::CHUNK) {
            let mut select =
                sqlx::QueryBuilder::new(concat!("SELECT id, ", $column, " FROM ", $table, " WHERE organizer_id = "));
            select.push_bind($organizer).push(concat!(" AND ", $column, " IN ("));
            let mut list = select.separated(", ");
            for key in chunk {
                list.push_bind(*key);
            }
            select.push(")");
            let rows: Vec<(i64, String)> = select.build_query_as().fetch_all(&mut *$tx).await?;
            found.extend(rows.into_iter().map(|(id, key)| (key, id)));
        }
        found
    }};
}
pub(crate) use ids_by_key;

/// Writes the links of `$links` (a slice of `(privilege_pk, ticket_pk)`) after removing every
/// link of the privileges `$replaced` (a slice of privilege ids), in multi-row statements.
macro_rules! replace_links {
    ($tx:expr, $replaced:expr, $links:expr) => {
        for chunk in $replaced.chunks($crate::privileges::rows::CHUNK) {
            let mut delete = sqlx::QueryBuilder::new("DELETE FROM wallet_privilege_tickets WHERE privilege_pk IN (");
            let mut list = delete.separated(", ");
            for pk in chunk {
                list.push_bind(*pk);
            }
            delete.push(")");
            delete.build().execute(&mut *$tx).await?;
        }
        for chunk in $links.chunks($crate::privileges::rows::CHUNK) {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO wallet_privilege_tickets (privilege_pk, ticket_pk) ");
            insert.push_values(chunk, |mut row, (privilege, ticket): &(i64, i64)| {
                row.push_bind(*privilege).push_bind(*ticket);
            });
            insert.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use replace_links;

/// Marks the privileges of `$used` (a slice of `(privilege_pk, used_at_ms)`) used.
macro_rules! mark_used {
    ($tx:expr, $used:expr) => {
        for chunk in $used.chunks($crate::privileges::rows::CHUNK) {
            let mut update = sqlx::QueryBuilder::new("UPDATE wallet_privileges SET used_at = v.column2 FROM (");
            update.push_values(chunk, |mut row, (pk, at): &(i64, i64)| {
                row.push_bind(*pk).push_bind(*at);
            });
            update.push(") AS v WHERE wallet_privileges.id = v.column1 AND wallet_privileges.used_at IS NULL");
            update.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use mark_used;
