//! Writing privilege instances (one per card): created on first sight of their id, updated when
//! their content changed, marked used when asked; never transferred, so the owner is simply the
//! spectator of the latest content.

use std::collections::HashMap;

use tixbridge_domain::inject::privilege::ValidInstance;
use tixbridge_store::{Tx, sql};

use super::answer::{Change, PrivilegeResult, PrivilegeStatus};
use super::plan::Hashed;
use super::rows::{CHUNK, mark_used, replace_links};
use crate::spectator_rows::upsert_spectators;

/// What the database already knows of an instance of the call.
#[derive(sqlx::FromRow)]
struct KnownInstance {
    pub id: i64,
    pub privilege_id: String,
    pub content_hash: Vec<u8>,
    pub used_at: Option<i64>,
}

/// A valid instance whose definition and linked tickets were found.
pub(crate) struct Ready<'a> {
    pub p: &'a Hashed<ValidInstance>,
    pub definition_pk: i64,
    pub ticket_pks: Vec<i64>,
}

/// Inside `tx`, writes `ready` for organizer `organizer` at `at`: the answer for each, by
/// privilege id.
pub(crate) async fn write_instances(
    tx: &mut Tx,
    organizer: i64,
    ready: &[Ready<'_>],
    at: i64,
) -> Result<HashMap<String, PrivilegeResult>, sqlx::Error> {
    let owners = upsert_spectators(tx, organizer, ready.iter().map(|r| &r.p.item.spectator), at).await?;

    let mut known: HashMap<String, KnownInstance> = HashMap::new();
    for chunk in ready.chunks(CHUNK) {
        let mut select =
            sql("SELECT id, privilege_id, content_hash, used_at FROM wallet_privileges WHERE organizer_id = ");
        select.push_bind(organizer).push(" AND privilege_id IN ");
        select.push_list(chunk.iter().map(|r| r.p.item.privilege_id.as_str()));
        let rows: Vec<KnownInstance> = select.fetch_all(tx).await?;
        known.extend(rows.into_iter().map(|row| (row.privilege_id.clone(), row)));
    }

    let asks_use = |r: &Ready<'_>| r.p.item.used == Some(true);
    let mut results: HashMap<String, PrivilegeResult> = HashMap::new();
    let mut inserts: Vec<&Ready<'_>> = Vec::new();
    let mut updates: Vec<(&Ready<'_>, i64)> = Vec::new();
    let mut used: Vec<(i64, i64)> = Vec::new();
    let mut links: Vec<(i64, i64)> = Vec::new();
    let mut replaced: Vec<i64> = Vec::new();
    for r in ready {
        let id = r.p.item.privilege_id.as_str();
        let Some(row) = known.get(id) else {
            inserts.push(r);
            continue;
        };
        let change = if row.content_hash == r.p.content_hash {
            Change::Unchanged
        } else {
            updates.push((r, row.id));
            replaced.push(row.id);
            links.extend(r.ticket_pks.iter().map(|t| (row.id, *t)));
            Change::Updated
        };
        if row.used_at.is_none() && asks_use(r) {
            used.push((row.id, at));
        }
        let status = PrivilegeStatus::of(row.used_at.or(asks_use(r).then_some(at)));
        results.insert(id.to_owned(), PrivilegeResult::accepted(id, Some(change), status));
    }

    for chunk in updates.chunks(CHUNK) {
        let mut update =
            sql("UPDATE wallet_privileges SET definition_pk = v.column2, owner_id = v.column3, barcode = v.column4,
                     body = v.column5, content_hash = v.column6, updated_at = v.column7 FROM (");
        update.push_values(chunk, |row, (r, pk)| {
            row.bind(*pk)
                .bind(r.definition_pk)
                .bind(owners[&r.p.item.spectator.email])
                .bind(r.p.item.barcode.as_deref())
                .bind(r.p.body_text.as_str())
                .bind(r.p.content_hash.as_slice())
                .bind(at);
        });
        update.push(") AS v WHERE wallet_privileges.id = v.column1");
        update.execute(tx).await?;
    }

    for chunk in inserts.chunks(CHUNK) {
        let mut insert =
            sql("INSERT INTO wallet_privileges (organizer_id, privilege_id, definition_pk, owner_id, barcode, body,
                     content_hash, injected_at, updated_at, used_at) ");
        insert.push_values(chunk, |row, r| {
            row.bind(organizer)
                .bind(r.p.item.privilege_id.as_str())
                .bind(r.definition_pk)
                .bind(owners[&r.p.item.spectator.email])
                .bind(r.p.item.barcode.as_deref())
                .bind(r.p.body_text.as_str())
                .bind(r.p.content_hash.as_slice())
                .bind(at)
                .bind(at)
                .bind(asks_use(r).then_some(at));
        });
        insert.push(" RETURNING id, privilege_id");
        let rows: Vec<(i64, String)> = insert.fetch_all(tx).await?;
        let pk_of: HashMap<String, i64> = rows.into_iter().map(|(pk, id)| (id, pk)).collect();
        for r in chunk {
            let id = r.p.item.privilege_id.as_str();
            links.extend(r.ticket_pks.iter().map(|t| (pk_of[id], *t)));
            let status = if asks_use(r) { PrivilegeStatus::Used } else { PrivilegeStatus::Active };
            results.insert(id.to_owned(), PrivilegeResult::accepted(id, Some(Change::Created), status));
        }
    }
    replace_links(tx, &replaced, &links).await?;
    mark_used(tx, &used).await?;
    Ok(results)
}
