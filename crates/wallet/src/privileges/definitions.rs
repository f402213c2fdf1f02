//! Writing privilege definitions: created on first sight of their id, updated when their
//! content changed, left alone when it did not (idempotent like ticket injection).

use std::collections::HashMap;

use tixbridge_domain::inject::privilege::ValidDefinition;
use tixbridge_store::{Tx, sql};

use super::answer::Change;
use super::plan::Hashed;
use super::rows::CHUNK;

/// What the database already knows of a definition of the call.
#[derive(sqlx::FromRow)]
struct KnownDefinition {
    pub id: i64,
    pub definition_id: String,
    pub content_hash: Vec<u8>,
}

/// Inside `tx`, writes `valid` for organizer `organizer` at `at`: by definition id, its row id
/// and what the call did to it.
pub(crate) async fn write_definitions(
    tx: &mut Tx,
    organizer: i64,
    valid: &[&Hashed<ValidDefinition>],
    at: i64,
) -> Result<HashMap<String, (i64, Change)>, sqlx::Error> {
    let mut known: HashMap<String, KnownDefinition> = HashMap::new();
    for chunk in valid.chunks(CHUNK) {
        let mut select =
            sql("SELECT id, definition_id, content_hash FROM wallet_privilege_definitions WHERE organizer_id = ");
        select.push_bind(organizer).push(" AND definition_id IN ");
        select.push_list(chunk.iter().map(|d| d.item.definition_id.as_str()));
        let rows: Vec<KnownDefinition> = select.fetch_all(tx).await?;
        known.extend(rows.into_iter().map(|row| (row.definition_id.clone(), row)));
    }
    let mut written: HashMap<String, (i64, Change)> = HashMap::new();
    let mut inserts = Vec::new();
    for d in valid {
        let id = d.item.definition_id.as_str();
        match known.get(id) {
            None => inserts.push(*d),
            Some(row) if row.content_hash == d.content_hash => {
                written.insert(id.to_owned(), (row.id, Change::Unchanged));
            }
            Some(row) => {
                // Definitions are few (one per product): one statement each is fine.
                sql("UPDATE wallet_privilege_definitions SET kind = $1, name = $2, valid_from = $3,
                         valid_until = $4, body = $5, content_hash = $6, updated_at = $7 WHERE id = $8")
                .bind(d.item.kind.as_str())
                .bind(&d.item.name)
                .bind(&d.item.valid_from)
                .bind(&d.item.valid_until)
                .bind(&d.body_text)
                .bind(&d.content_hash)
                .bind(at)
                .bind(row.id)
                .execute(tx)
                .await?;
                written.insert(id.to_owned(), (row.id, Change::Updated));
            }
        }
    }
    for chunk in inserts.chunks(CHUNK) {
        let mut insert =
            sql("INSERT INTO wallet_privilege_definitions (organizer_id, definition_id, kind, name, valid_from,
                 valid_until, body, content_hash, created_at, updated_at) ");
        insert.push_values(chunk, |row, d| {
            row.bind(organizer)
                .bind(d.item.definition_id.as_str())
                .bind(d.item.kind.as_str())
                .bind(d.item.name.as_str())
                .bind(d.item.valid_from.as_str())
                .bind(d.item.valid_until.as_str())
                .bind(d.body_text.as_str())
                .bind(d.content_hash.as_slice())
                .bind(at)
                .bind(at);
        });
        insert.push(" RETURNING id, definition_id");
        let rows: Vec<(i64, String)> = insert.fetch_all(tx).await?;
        written.extend(rows.into_iter().map(|(pk, id)| (id, (pk, Change::Created))));
    }
    Ok(written)
}
