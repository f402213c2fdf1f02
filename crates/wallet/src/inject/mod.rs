//! `POST /api/organizer/tickets`: inject a batch. Each ticket is validated on its own, then the
//! whole batch is written in one transaction with multi-row statements, so a batch of 1,000
//! costs a handful of round trips, not thousands.

pub(crate) mod plan;
pub(crate) mod store;

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde_json::Value;
use tixbridge_web::{ApiError, JsonBody};

use crate::WalletState;
use crate::auth::Organizer;
use crate::results::BatchAnswer;

pub(crate) async fn post_tickets(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<BatchAnswer>, ApiError> {
    let items = batch_items(body)?;
    let now = Utc::now();
    let slots = plan::plan(items, now);
    let results = store::inject(&state.db, organizer, slots, now).await?;
    Ok(Json(BatchAnswer { results }))
}

/// The tickets of a batch body: a JSON array (or `{"tickets": [...]}`) of at most
/// [`crate::MAX_BATCH_TICKETS`] objects.
pub(crate) fn batch_items(body: Value) -> Result<Vec<Value>, ApiError> {
    let items = match body {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("tickets") {
            Some(Value::Array(items)) => items,
            _ => return Err(ApiError::bad_request("body", "must be a JSON array of tickets")),
        },
        _ => return Err(ApiError::bad_request("body", "must be a JSON array of tickets")),
    };
    if items.len() > crate::MAX_BATCH_TICKETS {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {} tickets per call (got {})", crate::MAX_BATCH_TICKETS, items.len()),
        )
        .with_field("tickets"));
    }
    if let Some(i) = items.iter().position(|item| !item.is_object()) {
        return Err(ApiError::bad_request(format!("[{i}]"), "every ticket must be a JSON object"));
    }
    Ok(items)
}
