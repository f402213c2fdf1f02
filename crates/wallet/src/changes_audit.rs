//! The organizer's record of its configuration changes (event rules, device limits): when,
//! what and which fields — never a value, so a manual activation code never reaches it.
//! Written in the transaction of the change; read with `GET /api/organizer/audit`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_store::{Tx, sql};
use tixbridge_web::ApiError;
use tixbridge_web::Query;

use crate::WalletState;
use crate::auth::Organizer;

/// Appends a change of organizer `organizer` inside `tx`, the change's transaction.
pub(crate) async fn record(
    tx: &mut Tx,
    organizer: i64,
    action: &str,
    object: &str,
    fields: &[String],
) -> Result<(), sqlx::Error> {
    sql("INSERT INTO wallet_audit (organizer_id, at, action, object, fields) VALUES ($1, $2, $3, $4, $5)")
        .bind(organizer)
        .bind(crate::millis(chrono::Utc::now()))
        .bind(action)
        .bind(object)
        .bind(serde_json::to_string(fields).unwrap_or_else(|_| "[]".to_owned()))
        .execute(tx)
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AuditQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/organizer/audit`: the organizer's changes, newest first.
#[utoipa::path(
    get,
    path = "/api/organizer/audit",
    summary = "The organizer's configuration changes (event rules, device limits), newest first: when, what, which fields, never a value",
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_audit(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::unprocessable("limit", "must be 1 to 1,000"));
    }
    let rows: Vec<(i64, i64, String, String, String)> = sql("SELECT id, at, action, object, fields FROM wallet_audit
         WHERE organizer_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
    .bind(organizer)
    .bind(query.before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut state.db.reader().await?)
    .await?;
    let changes: Vec<Value> = rows
        .into_iter()
        .map(|(id, at, action, object, fields)| {
            let at = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default();
            json!({ "id": id, "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "action": action,
                    "object": object, "fields": serde_json::from_str::<Value>(&fields).unwrap_or(Value::Null) })
        })
        .collect();
    Ok(Json(json!({ "changes": changes })))
}
