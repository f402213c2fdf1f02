//! The spectators' device limits of one organizer, set through the organizer API and the
//! organizer pages.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_store::sql;
use tixbridge_web::{ApiError, JsonBody};

use super::check_range;
use crate::WalletState;
use crate::auth::Organizer;
use crate::error::WalletError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DeviceLimits {
    max_active_devices: i64,
    max_devices_ever: i64,
}

/// `PUT /api/organizer/device-limits`: how many devices each spectator may use.
#[utoipa::path(
    put,
    path = "/api/organizer/device-limits",
    summary = "Set the spectators' device limits (active 1-10, ever used 1-50)",
    request_body = crate::openapi::spectator::DeviceLimits,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn put_device_limits(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let limits: DeviceLimits =
        serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    set_device_limits(&state, organizer, limits.max_active_devices, limits.max_devices_ever).await?;
    Ok(Json(json!({ "maxActiveDevices": limits.max_active_devices, "maxDevicesEver": limits.max_devices_ever })))
}

/// Checks and stores organizer `organizer`'s device limits with their audit record in one
/// transaction; a refusal names the field in the API's words and writes nothing. The
/// organizer pages call it too.
pub(crate) async fn set_device_limits(
    state: &WalletState,
    organizer: i64,
    max_active_devices: i64,
    max_devices_ever: i64,
) -> Result<(), WalletError> {
    check_range("maxActiveDevices", Some(max_active_devices), 1, 10)?;
    check_range("maxDevicesEver", Some(max_devices_ever), 1, 50)?;
    if max_devices_ever < max_active_devices {
        return Err(WalletError::invalid("maxDevicesEver", "must be at least maxActiveDevices"));
    }
    let fields = ["maxActiveDevices".to_owned(), "maxDevicesEver".to_owned()];
    let mut tx = state.db.begin_write().await?;
    sql("UPDATE wallet_organizers SET max_active_devices = $1, max_devices_ever = $2 WHERE id = $3")
        .bind(max_active_devices)
        .bind(max_devices_ever)
        .bind(organizer)
        .execute(&mut tx)
        .await?;
    crate::changes_audit::record(&mut tx, organizer, "device_limits.update", "device limits", &fields).await?;
    tx.commit().await?;
    Ok(())
}

/// The organizer's device limits: (most active at once, most ever used).
pub(crate) async fn device_limits(state: &WalletState, organizer: i64) -> Result<(i64, i64), sqlx::Error> {
    sql("SELECT max_active_devices, max_devices_ever FROM wallet_organizers WHERE id = $1")
        .bind(organizer)
        .fetch_one(&mut state.db.reader().await?)
        .await
}

#[utoipa::path(
    get,
    path = "/api/organizer/device-limits",
    summary = "The spectators' device limits",
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_device_limits(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
) -> Result<Json<Value>, ApiError> {
    let (active, ever) = device_limits(&state, organizer).await?;
    Ok(Json(json!({ "maxActiveDevices": active, "maxDevicesEver": ever })))
}
