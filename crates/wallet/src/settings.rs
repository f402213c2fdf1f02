//! Per-event rules (transfers, holder fields, activation, code period) and per-organizer
//! device limits, with the organizer endpoints that set them. An event without settings
//! uses [`EventSettings::default`].

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveTime};
use hmac::Mac;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_store::{on_reader, on_writer};
use tixbridge_web::{ApiError, JsonBody};

use crate::WalletState;
use crate::auth::Organizer;
use crate::error::WalletError;

/// Whether a holder field must be given when assigning.
const OPTIONAL: &str = "OPTIONAL";
const REQUIRED: &str = "REQUIRED";

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EventSettings {
    pub transfers_enabled: bool,
    pub max_transfers: Option<i64>,
    pub transfer_after_activation: bool,
    pub transfer_expiry_hours: i64,
    pub holder_birth_date: String,
    pub holder_email: String,
    pub holder_phone: String,
    pub activation_at: Option<i64>,
    pub activation_hours_before: Option<i64>,
    pub activation_time_of_day: Option<String>,
    pub manual_code_hash: Option<Vec<u8>>,
    pub code_period_seconds: i64,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            transfers_enabled: true,
            max_transfers: None,
            transfer_after_activation: true,
            transfer_expiry_hours: 72,
            holder_birth_date: OPTIONAL.into(),
            holder_email: OPTIONAL.into(),
            holder_phone: OPTIONAL.into(),
            activation_at: None,
            activation_hours_before: None,
            activation_time_of_day: None,
            manual_code_hash: None,
            code_period_seconds: crate::entry::DEFAULT_PERIOD_SECONDS,
        }
    }
}

impl EventSettings {
    pub fn requires(&self, field: &str) -> bool {
        let rule = match field {
            "birthDate" => &self.holder_birth_date,
            "email" => &self.holder_email,
            "phone" => &self.holder_phone,
            _ => return false,
        };
        rule == REQUIRED
    }
}

pub(crate) const SETTINGS_COLUMNS: &str = "transfers_enabled, max_transfers, transfer_after_activation,
    transfer_expiry_hours, holder_birth_date, holder_email, holder_phone, activation_at, activation_hours_before,
    activation_time_of_day, manual_code_hash, code_period_seconds";

/// The settings of event `$event_pk`, read with executor `$exec`.
macro_rules! load_settings {
    ($exec:expr, $event_pk:expr) => {{
        let sql =
            format!("SELECT {} FROM wallet_event_settings WHERE event_pk = $1", $crate::settings::SETTINGS_COLUMNS);
        let found: Option<$crate::settings::EventSettings> =
            sqlx::query_as(&sql).bind($event_pk).fetch_optional($exec).await?;
        found.unwrap_or_default()
    }};
}
pub(crate) use load_settings;

/// The keyed hash a manual activation code is stored and compared as.
pub(crate) fn manual_code_hash(key: &tixbridge_vault::ServerKey, event_pk: i64, code: &str) -> Vec<u8> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.derive("wallet-manual-code"))
        .expect("HMAC takes any key length");
    mac.update(format!("{event_pk}:{}", code.trim()).as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SettingsBody {
    transfers_enabled: Option<bool>,
    max_transfers: Option<i64>,
    transfer_after_activation: Option<bool>,
    transfer_expiry_hours: Option<i64>,
    holder_birth_date: Option<String>,
    holder_email: Option<String>,
    holder_phone: Option<String>,
    activation_at: Option<String>,
    activation_hours_before: Option<i64>,
    activation_time_of_day: Option<String>,
    manual_code: Option<String>,
    code_period_seconds: Option<i64>,
}

fn check_range(field: &'static str, value: Option<i64>, min: i64, max: i64) -> Result<(), WalletError> {
    match value {
        Some(v) if !(min..=max).contains(&v) => {
            Err(WalletError::invalid(field, format!("must be from {min} to {max}")))
        }
        _ => Ok(()),
    }
}

fn holder_rule(field: &'static str, value: Option<String>) -> Result<String, WalletError> {
    match value.as_deref() {
        None => Ok(OPTIONAL.into()),
        Some(v @ (OPTIONAL | REQUIRED)) => Ok(v.into()),
        Some(_) => Err(WalletError::invalid(field, "must be OPTIONAL or REQUIRED")),
    }
}

impl SettingsBody {
    fn validate(self, key: &tixbridge_vault::ServerKey, event_pk: i64) -> Result<EventSettings, WalletError> {
        let defaults = EventSettings::default();
        check_range("maxTransfers", self.max_transfers, 0, 100)?;
        check_range("transferExpiryHours", self.transfer_expiry_hours, 1, 24 * 30)?;
        check_range("activationHoursBefore", self.activation_hours_before, 0, 24 * 365)?;
        check_range("codePeriodSeconds", self.code_period_seconds, 1, 300)?;
        let rules = [
            self.activation_at.is_some(),
            self.activation_hours_before.is_some(),
            self.activation_time_of_day.is_some(),
        ];
        if rules.iter().filter(|set| **set).count() > 1 {
            return Err(WalletError::invalid(
                "activationAt",
                "give at most one of activationAt, activationHoursBefore, activationTimeOfDay",
            ));
        }
        let activation_at = match self.activation_at.as_deref() {
            None => None,
            Some(text) => Some(
                DateTime::parse_from_rfc3339(text)
                    .map_err(|_| WalletError::invalid("activationAt", "must be an RFC 3339 date-time"))?
                    .timestamp_millis(),
            ),
        };
        if let Some(time) = self.activation_time_of_day.as_deref() {
            NaiveTime::parse_from_str(time, "%H:%M")
                .map_err(|_| WalletError::invalid("activationTimeOfDay", "must be HH:MM (24-hour clock)"))?;
        }
        let manual_code_hash = match self.manual_code.as_deref().map(str::trim) {
            None => None,
            Some(code) if (4..=32).contains(&code.chars().count()) => Some(manual_code_hash(key, event_pk, code)),
            Some(_) => return Err(WalletError::invalid("manualCode", "must be 4 to 32 characters")),
        };
        Ok(EventSettings {
            transfers_enabled: self.transfers_enabled.unwrap_or(defaults.transfers_enabled),
            max_transfers: self.max_transfers,
            transfer_after_activation: self.transfer_after_activation.unwrap_or(defaults.transfer_after_activation),
            transfer_expiry_hours: self.transfer_expiry_hours.unwrap_or(defaults.transfer_expiry_hours),
            holder_birth_date: holder_rule("holderBirthDate", self.holder_birth_date)?,
            holder_email: holder_rule("holderEmail", self.holder_email)?,
            holder_phone: holder_rule("holderPhone", self.holder_phone)?,
            activation_at,
            activation_hours_before: self.activation_hours_before,
            activation_time_of_day: self.activation_time_of_day,
            manual_code_hash,
            code_period_seconds: self.code_period_seconds.unwrap_or(defaults.code_period_seconds),
        })
    }
}

fn settings_json(s: &EventSettings) -> Value {
    json!({
        "transfersEnabled": s.transfers_enabled,
        "maxTransfers": s.max_transfers,
        "transferAfterActivation": s.transfer_after_activation,
        "transferExpiryHours": s.transfer_expiry_hours,
        "holderBirthDate": s.holder_birth_date,
        "holderEmail": s.holder_email,
        "holderPhone": s.holder_phone,
        "activationAt": s.activation_at.map(crate::rfc3339),
        "activationHoursBefore": s.activation_hours_before,
        "activationTimeOfDay": s.activation_time_of_day,
        "manualCodeSet": s.manual_code_hash.is_some(),
        "codePeriodSeconds": s.code_period_seconds,
    })
}

async fn event_pk(state: &WalletState, organizer: i64, event_id: &str) -> Result<i64, ApiError> {
    let found: Option<i64> = on_reader!(&state.db, |pool| {
        sqlx::query_scalar("SELECT id FROM wallet_events WHERE organizer_id = $1 AND event_id = $2")
            .bind(organizer)
            .bind(event_id)
            .fetch_optional(pool)
            .await?
    });
    found.ok_or_else(|| ApiError::not_found(format!("no event {event_id:?}")).with_field("eventId"))
}

/// `PUT /api/organizer/events/{eventId}/settings`: replaces the event's rules (absent = default).
pub(crate) async fn put_event_settings(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Path(event_id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: SettingsBody =
        serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    let pk = event_pk(&state, organizer, &event_id).await?;
    let s = body.validate(&state.key, pk)?;
    on_writer!(&state.db, |pool| {
        sqlx::query("DELETE FROM wallet_event_settings WHERE event_pk = $1").bind(pk).execute(pool).await?;
        sqlx::query(&format!(
            "INSERT INTO wallet_event_settings (event_pk, {SETTINGS_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(pk)
        .bind(s.transfers_enabled)
        .bind(s.max_transfers)
        .bind(s.transfer_after_activation)
        .bind(s.transfer_expiry_hours)
        .bind(&s.holder_birth_date)
        .bind(&s.holder_email)
        .bind(&s.holder_phone)
        .bind(s.activation_at)
        .bind(s.activation_hours_before)
        .bind(&s.activation_time_of_day)
        .bind(&s.manual_code_hash)
        .bind(s.code_period_seconds)
        .execute(pool)
        .await?;
    });
    Ok(Json(settings_json(&s)))
}

pub(crate) async fn get_event_settings(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Path(event_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let pk = event_pk(&state, organizer, &event_id).await?;
    let settings = on_reader!(&state.db, |pool| load_settings!(pool, pk));
    Ok(Json(settings_json(&settings)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DeviceLimits {
    max_active_devices: i64,
    max_devices_ever: i64,
}

/// `PUT /api/organizer/device-limits`: how many devices each spectator may use.
pub(crate) async fn put_device_limits(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let limits: DeviceLimits =
        serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    check_range("maxActiveDevices", Some(limits.max_active_devices), 1, 10)?;
    check_range("maxDevicesEver", Some(limits.max_devices_ever), 1, 50)?;
    if limits.max_devices_ever < limits.max_active_devices {
        return Err(WalletError::invalid("maxDevicesEver", "must be at least maxActiveDevices").into());
    }
    on_writer!(&state.db, |pool| {
        sqlx::query("UPDATE wallet_organizers SET max_active_devices = $1, max_devices_ever = $2 WHERE id = $3")
            .bind(limits.max_active_devices)
            .bind(limits.max_devices_ever)
            .bind(organizer)
            .execute(pool)
            .await?;
    });
    Ok(Json(json!({ "maxActiveDevices": limits.max_active_devices, "maxDevicesEver": limits.max_devices_ever })))
}

pub(crate) async fn get_device_limits(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
) -> Result<Json<Value>, ApiError> {
    let (active, ever): (i64, i64) = on_reader!(&state.db, |pool| {
        sqlx::query_as("SELECT max_active_devices, max_devices_ever FROM wallet_organizers WHERE id = $1")
            .bind(organizer)
            .fetch_one(pool)
            .await?
    });
    Ok(Json(json!({ "maxActiveDevices": active, "maxDevicesEver": ever })))
}
