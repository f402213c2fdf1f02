//! `POST …/privileges/use`: marking cards used. A card is used once: marking it again is
//! refused naming its status, and the rest of the batch still goes through.

use std::collections::HashMap;

use tixbridge_store::{Db, sql};

use super::answer::{PrivilegeResult, PrivilegeStatus};
use super::rows::{CHUNK, mark_used};

#[derive(sqlx::FromRow)]
struct Current {
    id: i64,
    privilege_id: String,
    used_at: Option<i64>,
}

/// Applies `requests` (privilege id, and when it was used or the refusal of a bad request).
pub(crate) async fn apply(
    db: &Db,
    organizer: i64,
    requests: Vec<(String, Result<i64, PrivilegeResult>)>,
) -> Result<Vec<PrivilegeResult>, sqlx::Error> {
    let mut results = Vec::with_capacity(requests.len());
    let mut tx = db.begin_write().await?;
    let mut current: HashMap<String, Current> = HashMap::with_capacity(requests.len());
    for chunk in requests.chunks(CHUNK) {
        let mut select = sql("SELECT id, privilege_id, used_at FROM wallet_privileges WHERE organizer_id = ");
        select.push_bind(organizer).push(" AND privilege_id IN ");
        select.push_list(chunk.iter().map(|(id, _)| id.as_str()));
        let rows: Vec<Current> = select.fetch_all(&mut tx).await?;
        current.extend(rows.into_iter().map(|row| (row.privilege_id.clone(), row)));
    }
    let mut used: Vec<(i64, i64)> = Vec::new();
    for (privilege_id, request) in requests {
        let at = match request {
            Ok(at) => at,
            Err(refused) => {
                results.push(refused);
                continue;
            }
        };
        let Some(row) = current.get_mut(&privilege_id) else {
            results.push(PrivilegeResult::rejected(&privilege_id, "privilegeId: no such privilege for this organizer"));
            continue;
        };
        if row.used_at.is_some() {
            results.push(PrivilegeResult::refused_move(&privilege_id, "use", PrivilegeStatus::Used));
            continue;
        }
        row.used_at = Some(at);
        used.push((row.id, at));
        results.push(PrivilegeResult::accepted(&privilege_id, None, PrivilegeStatus::Used));
    }
    mark_used(&mut tx, &used).await?;
    tx.commit().await?;
    Ok(results)
}
