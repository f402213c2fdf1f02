//! `GET …/privileges/{privilegeId}`: one card, whole, with its definition and linked tickets.

use serde_json::{Value, json};
use tixbridge_store::sql;

use super::answer::PrivilegeStatus;
use crate::rfc3339;

#[derive(sqlx::FromRow)]
struct PrivilegeRow {
    id: i64,
    privilege_id: String,
    barcode: Option<String>,
    body: String,
    injected_at: i64,
    updated_at: i64,
    used_at: Option<i64>,
    definition_body: String,
    owner_email: String,
    owner_first_name: Option<String>,
    owner_last_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LinkedRow {
    ticket_id: String,
    status: String,
    event_id: String,
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The privilege `privilege_id` of `organizer` as JSON, or `None` when it has no such card.
pub(crate) async fn load(
    db: &tixbridge_store::Db,
    organizer: i64,
    privilege_id: &str,
) -> Result<Option<Value>, sqlx::Error> {
    let mut tx = db.begin_read().await?;
    let row: Option<PrivilegeRow> =
        sql("SELECT p.id, p.privilege_id, p.barcode, p.body, p.injected_at, p.updated_at, p.used_at,
                 d.body AS definition_body, s.email AS owner_email, n.first_name AS owner_first_name,
                 n.last_name AS owner_last_name
             FROM wallet_privileges p
             JOIN wallet_privilege_definitions d ON d.id = p.definition_pk
             JOIN wallet_spectators s ON s.id = p.owner_id
             LEFT JOIN wallet_spectator_names n ON n.organizer_id = p.organizer_id AND n.spectator_id = p.owner_id
             WHERE p.organizer_id = $1 AND p.privilege_id = $2")
        .bind(organizer)
        .bind(privilege_id)
        .fetch_optional(&mut tx)
        .await?;
    let found = match row {
        Some(row) => {
            let linked: Vec<LinkedRow> = sql("SELECT t.ticket_id, t.status, e.event_id FROM wallet_privilege_tickets l
                     JOIN wallet_tickets t ON t.id = l.ticket_pk
                     JOIN wallet_events e ON e.id = t.event_pk
                     WHERE l.privilege_pk = $1 ORDER BY t.ticket_id")
            .bind(row.id)
            .fetch_all(&mut tx)
            .await?;
            Some((row, linked))
        }
        None => None,
    };
    tx.commit().await?;
    Ok(found.map(|(p, linked)| {
        let body = parse(&p.body);
        json!({
            "privilegeId": p.privilege_id,
            "status": PrivilegeStatus::of(p.used_at).as_str(),
            "transferable": false,
            "definition": parse(&p.definition_body),
            "owner": { "email": p.owner_email, "firstName": p.owner_first_name, "lastName": p.owner_last_name },
            "barcode": p.barcode,
            "linkedTicketIds": body.get("linkedTicketIds").cloned().unwrap_or_else(|| json!([])),
            "linkedTickets": linked.iter().map(|t| json!({
                "ticketId": t.ticket_id, "status": t.status, "eventId": t.event_id
            })).collect::<Vec<_>>(),
            "injectedAt": rfc3339(p.injected_at),
            "updatedAt": rfc3339(p.updated_at),
            "usedAt": p.used_at.map(rfc3339),
            "privilege": body,
        })
    }))
}
