//! SQL shared by the privilege calls, each run inside the caller's transaction.

use std::collections::HashMap;

use tixbridge_store::{Tx, sql};

/// Rows per multi-row statement (at most 10 binds each: far under both backends' limits).
pub(crate) const CHUNK: usize = 1_000;

/// Looks `keys` up in column `column` of `table` among organizer `organizer`'s rows; the row id
/// of each key found.
pub(crate) async fn ids_by_key(
    tx: &mut Tx,
    table: &'static str,
    column: &'static str,
    organizer: i64,
    keys: &[&str],
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let mut found: HashMap<String, i64> = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let mut select = sql(format!("SELECT id, {column} FROM {table} WHERE organizer_id = "));
        select.push_bind(organizer).push(&format!(" AND {column} IN "));
        select.push_list(chunk.iter().copied());
        let rows: Vec<(i64, String)> = select.fetch_all(tx).await?;
        found.extend(rows.into_iter().map(|(id, key)| (key, id)));
    }
    Ok(found)
}

/// Writes `links` (`(privilege_pk, ticket_pk)` pairs) after removing every link of the
/// privileges `replaced`, in multi-row statements.
pub(crate) async fn replace_links(tx: &mut Tx, replaced: &[i64], links: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in replaced.chunks(CHUNK) {
        let mut delete = sql("DELETE FROM wallet_privilege_tickets WHERE privilege_pk IN ");
        delete.push_list(chunk.iter().copied());
        delete.execute(tx).await?;
    }
    for chunk in links.chunks(CHUNK) {
        let mut insert = sql("INSERT INTO wallet_privilege_tickets (privilege_pk, ticket_pk) ");
        insert.push_values(chunk, |row, (privilege, ticket)| {
            row.bind(*privilege).bind(*ticket);
        });
        insert.execute(tx).await?;
    }
    Ok(())
}

/// Marks the privileges of `used` (`(privilege_pk, used_at_ms)` pairs) used.
pub(crate) async fn mark_used(tx: &mut Tx, used: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in used.chunks(CHUNK) {
        let mut update = sql("UPDATE wallet_privileges SET used_at = v.column2 FROM (");
        update.push_values(chunk, |row, (pk, at)| {
            row.bind(*pk).bind(*at);
        });
        update.push(") AS v WHERE wallet_privileges.id = v.column1 AND wallet_privileges.used_at IS NULL");
        update.execute(tx).await?;
    }
    Ok(())
}
