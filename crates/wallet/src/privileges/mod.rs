//! Digital privileges (docs/products-and-statuses.md#products-that-go-to-the-wallet,
//! docs/wallet-api.md#the-organizer-api): `POST /api/organizer/privileges` injects
//! definitions (one per box-office product) and instances (one per card), `POST
//! …/privileges/use` marks cards used, `GET …/privileges/{privilegeId}` reads one back.
//! Same credentials, limits and error shapes as the ticket calls; one transaction per call;
//! one organizer never sees another's.

mod answer;
mod definitions;
mod instances;
mod plan;
mod rows;
mod store;
mod usage;
mod view;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody};

use crate::WalletState;
use crate::auth::Organizer;
use answer::{InjectAnswer, PrivilegeResult, UseAnswer};

/// The most definitions one call may carry (there is one per product: a handful per season).
pub const MAX_DEFINITIONS: usize = 1_000;

/// The list under `key` of a request object: JSON objects only, at most `max` of them.
fn list(map: &mut Map<String, Value>, key: &str, max: usize) -> Result<Vec<Value>, ApiError> {
    let items = match map.remove(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::bad_request(key, "must be a JSON array of objects")),
    };
    if items.len() > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {max} per call (got {})", items.len()),
        )
        .with_field(key));
    }
    if let Some(i) = items.iter().position(|item| !item.is_object()) {
        return Err(ApiError::bad_request(format!("{key}[{i}]"), "must be a JSON object"));
    }
    Ok(items)
}

/// `{"definitions": [...], "instances": [...]}`, either list optional, nothing else.
fn request_lists(body: Value) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::bad_request(
            "body",
            "must be a JSON object {\"definitions\": [...], \"instances\": [...]}",
        ));
    };
    let definitions = list(&mut map, "definitions", MAX_DEFINITIONS)?;
    let instances = list(&mut map, "instances", crate::MAX_BATCH_TICKETS)?;
    if let Some(unknown) = map.keys().next() {
        return Err(ApiError::bad_request(unknown.as_str(), "unknown field (expected definitions and instances)"));
    }
    Ok((definitions, instances))
}

#[utoipa::path(
    post,
    path = "/api/organizer/privileges",
    summary = "Inject privilege definitions (one per product) and instances (one per card); idempotent per definitionId and privilegeId",
    request_body = crate::openapi::privileges::PrivilegeRequest,
    responses(
        (status = 200, description = "one result per definition and per instance, in order", body = crate::openapi::privileges::PrivilegeAnswer),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 413, response = tixbridge_web::openapi::BadRequest)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_privileges(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<InjectAnswer>, ApiError> {
    let (definitions, instances) = request_lists(body)?;
    let now = Utc::now();
    let (definitions, instances) = plan::plan(definitions, instances, now);
    Ok(Json(store::inject(&state.db, organizer, definitions, instances, now).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UseItem {
    privilege_id: String,
    used_at: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/organizer/privileges/use",
    summary = "Mark privileges used; a used privilege is refused naming its status",
    request_body(content = Vec<crate::openapi::privileges::UseRequest>, description = "at most 10,000 privileges"),
    responses(
        (status = 200, description = "one result per privilege, in order", body = crate::openapi::privileges::UseAnswer),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 413, response = tixbridge_web::openapi::BadRequest)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_use(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<UseAnswer>, ApiError> {
    let items = match body {
        Value::Array(items) => items,
        Value::Object(mut map) => list(&mut map, "privileges", crate::MAX_BATCH_TICKETS)?,
        _ => return Err(ApiError::bad_request("body", "must be a JSON array of {\"privilegeId\"} objects")),
    };
    if items.len() > crate::MAX_BATCH_TICKETS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {} per call (got {})", crate::MAX_BATCH_TICKETS, items.len()),
        )
        .with_field("privileges"));
    }
    let now = crate::millis(Utc::now());
    let requests = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let item: UseItem =
                serde_json::from_value(item).map_err(|err| ApiError::bad_request(format!("[{i}]"), err.to_string()))?;
            let at = match item.used_at.as_deref().map(DateTime::parse_from_rfc3339) {
                None => Ok(now),
                Some(Ok(at)) => Ok(crate::millis(at.with_timezone(&Utc))),
                Some(Err(_)) => {
                    Err(PrivilegeResult::rejected(&item.privilege_id, "usedAt: must be an RFC 3339 date-time"))
                }
            };
            Ok((item.privilege_id, at))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let results = usage::apply(&state.db, organizer, requests).await?;
    Ok(Json(UseAnswer { results }))
}

#[utoipa::path(
    get,
    path = "/api/organizer/privileges/{privilegeId}",
    summary = "One privilege, whole, with its definition and linked tickets",
    params(("privilegeId" = String, Path)),
    responses(
        (status = 200, description = "the privilege", body = crate::openapi::privileges::Privilege),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, response = tixbridge_web::openapi::NotFound)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_privilege(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Path(privilege_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    view::load(&state.db, organizer, &privilege_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no privilege {privilege_id:?}")).with_field("privilegeId"))
}
