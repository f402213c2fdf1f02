//! Writing privilege definitions: created on first sight of their id, updated when their
//! content changed, left alone when it did not (idempotent like ticket injection).

/// What the database already knows of a definition of the call.
#[derive(sqlx::FromRow)]
pub(crate) struct KnownDefinition {
    pub id: i64,
    pub definition_id: String,
    pub content_hash: Vec<u8>,
}

/// Inside `$tx`, writes `$valid` (a `Vec<&Hashed<ValidDefinition>>`) for organizer
/// `$organizer` at `$at`; evaluates to `HashMap<String, (i64, Change)>`: definition id → its
/// row id and what the call did to it.
macro_rules! write_definitions {
    ($tx:expr, $organizer:expr, $valid:expr, $at:expr) => {{
        use $crate::privileges::answer::Change;
        let mut known: std::collections::HashMap<String, $crate::privileges::definitions::KnownDefinition> =
            std::collections::HashMap::new();
        for chunk in $valid.chunks($crate::privileges::rows::CHUNK) {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT id, definition_id, content_hash FROM wallet_privilege_definitions WHERE organizer_id = ",
            );
            select.push_bind($organizer).push(" AND definition_id IN (");
            let mut list = select.separated(", ");
            for d in chunk {
                list.push_bind(d.item.definition_id.as_str());
            }
            select.push(")");
            let rows: Vec<$crate::privileges::definitions::KnownDefinition> =
                select.build_query_as().fetch_all(&mut *$tx).await?;
            known.extend(rows.into_iter().map(|row| (row.definition_id.clone(), row)));
        }
        let mut written: std::collections::HashMap<String, (i64, Change)> = std::collections::HashMap::new();
        let mut inserts = Vec::new();
        for d in &$valid {
            let id = d.item.definition_id.as_str();
            match known.get(id) {
                None => inserts.push(*d),
                Some(row) if row.content_hash == d.content_hash => {
                    written.insert(id.to_owned(), (row.id, Change::Unchanged));
                }
                Some(row) => {
                    // Definitions are few (one per product): one statement each is fine.
                    sqlx::query(
                        "UPDATE wallet_privilege_definitions SET kind = $1, name = $2, valid_from = $3,
                             valid_until = $4, body = $5, content_hash = $6, updated_at = $7 WHERE id = $8",
                    )
                    .bind(d.item.kind.as_str())
                    .bind(&d.item.name)
                    .bind(&d.item.valid_from)
                    .bind(&d.item.valid_until)
                    .bind(&d.body_text)
                    .bind(&d.content_hash)
                    .bind($at)
                    .bind(row.id)
                    .execute(&mut *$tx)
                    .await?;
                    written.insert(id.to_owned(), (row.id, Change::Updated));
                }
            }
        }
        for chunk in inserts.chunks($crate::privileges::rows::CHUNK) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO wallet_privilege_definitions (organizer_id, definition_id, kind, name, valid_from,
                     valid_until, body, content_hash, created_at, updated_at) ",
            );
            insert.push_values(chunk, |mut row, d| {
                row.push_bind($organizer)
                    .push_bind(d.item.definition_id.as_str())
                    .push_bind(d.item.kind.as_str())
                    .push_bind(d.item.name.as_str())
                    .push_bind(d.item.valid_from.as_str())
                    .push_bind(d.item.valid_until.as_str())
                    .push_bind(d.body_text.as_str())
                    .push_bind(d.content_hash.as_slice())
                    .push_bind($at)
                    .push_bind($at);
            });
            insert.push(" RETURNING id, definition_id");
            let rows: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *$tx).await?;
            written.extend(rows.into_iter().map(|(pk, id)| (id, (pk, Change::Created))));
        }
        written
    }};
}
pub(crate) use write_definitions;
