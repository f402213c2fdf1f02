//! Naming a ticket's holder (`ASSIGNED`) and activating its entry code by manual code (at most
//! a few wrong ones per ticket and device per window), by an offline device's report, or online
//! once the time is reached.

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tixbridge_domain::WalletAction;
use tixbridge_domain::wallet_status::ActivationMethod;
use tixbridge_store::sql;

use super::session::SpectatorSession;
use super::tickets::{activate_in_tx, fetch, not_found, read_own, ticket_plan};
use crate::WalletState;
use crate::change::{lock_and_load, record_change};
use crate::entry::activation::Method;
use crate::entry::manual;
use crate::error::WalletError;
use crate::settings::EventSettings;

/// How early a device clock may report an offline activation.
const OFFLINE_SKEW_MS: i64 = 5 * 60_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HolderBody {
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub nationality: Option<String>,
    pub id_number: Option<String>,
    pub country_code: Option<String>,
}

pub(crate) fn text(
    field: &'static str,
    value: &Option<String>,
    max: usize,
    required: bool,
) -> Result<Option<String>, WalletError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None if required => Err(WalletError::invalid(field, "is required for this event")),
        None => Ok(None),
        Some(v) if v.chars().count() > max => Err(WalletError::invalid(field, format!("at most {max} characters"))),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// A phone number: digits, spaces and `+ - ( ) .` only.
pub(crate) fn check_phone(phone: &Option<String>) -> Result<(), WalletError> {
    if phone.as_deref().is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))) {
        return Err(WalletError::invalid("phone", "may hold only digits, spaces and + - ( ) ."));
    }
    Ok(())
}

/// A birth date: `YYYY-MM-DD`.
pub(crate) fn check_birth_date(date: &Option<String>) -> Result<(), WalletError> {
    if let Some(date) = date {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| WalletError::invalid("birthDate", "must be YYYY-MM-DD"))?;
    }
    Ok(())
}

/// An optional ISO 3166 country code (two letters), upper-cased.
pub(crate) fn country(field: &'static str, value: &Option<String>) -> Result<Option<String>, WalletError> {
    let code = text(field, value, 64, false)?.map(|c| c.to_ascii_uppercase());
    if code.as_deref().is_some_and(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
        return Err(WalletError::invalid(field, "must be a two-letter country code (ISO 3166)"));
    }
    Ok(code)
}

impl HolderBody {
    fn validate(&self, settings: &EventSettings) -> Result<Value, WalletError> {
        let first_name = text("firstName", &self.first_name, 50, true)?;
        let last_name = text("lastName", &self.last_name, 100, true)?;
        let birth_date = text("birthDate", &self.birth_date, 10, settings.requires("birthDate"))?;
        check_birth_date(&birth_date)?;
        let email = text("email", &self.email, 256, settings.requires("email"))?;
        if email.as_deref().is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
            return Err(WalletError::invalid("email", "must be an e-mail address"));
        }
        let phone = text("phone", &self.phone, 30, settings.requires("phone"))?;
        check_phone(&phone)?;
        let title = text("title", &self.title, 20, false)?;
        let nationality = country("nationality", &self.nationality)?;
        let id_number = text("idNumber", &self.id_number, 50, false)?;
        let country_code = country("countryCode", &self.country_code)?;
        Ok(json!({
            "title": title, "firstName": first_name, "lastName": last_name, "birthDate": birth_date,
            "email": email, "phone": phone, "nationality": nationality, "idNumber": id_number,
            "countryCode": country_code,
        }))
    }
}

/// Names the ticket's holder (`ASSIGNED`).
pub(crate) async fn assign(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
    body: &HolderBody,
) -> Result<Value, WalletError> {
    let (_, settings) = read_own(state, session, pk).await?;
    let holder = body.validate(&settings)?;
    let now = crate::millis(Utc::now());
    let mut tx = state.db.begin_write().await?;
    let mut head = lock_and_load(&mut tx, pk).await?.ok_or_else(|| not_found(pk))?;
    if head.owner_id != session.spectator_id {
        return Err(not_found(pk));
    }
    let detail = json!({ "holder": { "firstName": holder["firstName"], "lastName": holder["lastName"] } });
    record_change(&mut tx, &mut head, WalletAction::Assign, "ASSIGN", "spectator", now, &detail)
        .await?
        .map_err(|err| WalletError::illegal("naming a holder", err))?;
    sql("UPDATE wallet_tickets SET holder = $1, assigned_at = $2 WHERE id = $3")
        .bind(holder.to_string())
        .bind(now)
        .bind(pk)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    fetch(state, session, pk).await
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ActivateBody {
    pub manual_code: Option<String>,
    pub method: Option<String>,
}

/// Activates by manual code, by an offline device's or a Bluetooth beacon's report, or online
/// once the time is reached.
pub(crate) async fn activate(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
    body: &ActivateBody,
) -> Result<Value, WalletError> {
    let (ticket, settings) = read_own(state, session, pk).await?;
    let due = ticket_plan(&ticket, &settings);
    let now = crate::millis(Utc::now());
    let method = match (body.manual_code.as_deref(), body.method.as_deref()) {
        (Some(_), _) => {
            if settings.manual_code_hash.is_none() {
                return Err(WalletError::Refused("this event has no manual activation code".into()));
            }
            ActivationMethod::Manual
        }
        (None, Some("offline")) if due.method == Method::Offline => {
            if now + OFFLINE_SKEW_MS < due.at {
                return Err(WalletError::Refused(format!("this ticket activates at {}", crate::rfc3339(due.at))));
            }
            ActivationMethod::Offline
        }
        (None, Some("offline")) => return Err(WalletError::invalid("method", "this ticket activates online")),
        // a venue beacon hands the key over Bluetooth near the gate: allowed from the
        // activation time (device clock skew tolerated), whichever method the ticket plans
        (None, Some("bluetooth")) => {
            if now + OFFLINE_SKEW_MS < due.at {
                return Err(WalletError::Refused(format!("this ticket activates at {}", crate::rfc3339(due.at))));
            }
            ActivationMethod::Bluetooth
        }
        (None, None | Some("online")) => {
            if due.method == Method::Offline || now < due.at {
                return Err(WalletError::Refused(format!("this ticket activates at {}", crate::rfc3339(due.at))));
            }
            ActivationMethod::Online
        }
        (None, Some(_)) => return Err(WalletError::invalid("method", "must be online, offline or bluetooth")),
    };
    // a manual code is checked under the ticket's lock, so parallel guesses are counted too
    let manual = match (&settings.manual_code_hash, body.manual_code.as_deref()) {
        (Some(expected), Some(code)) => Some((expected, manual::code_hash(&state.key, ticket.event_pk, code))),
        _ => None,
    };
    let mut tx = state.db.begin_write().await?;
    let mut head = lock_and_load(&mut tx, pk).await?.ok_or_else(|| not_found(pk))?;
    if head.owner_id != session.spectator_id {
        return Err(not_found(pk));
    }
    if let Some((expected, given)) = &manual {
        let (tries, oldest): (i64, Option<i64>) =
            sql("SELECT COUNT(*), MIN(attempted_at) FROM wallet_manual_code_attempts
             WHERE ticket_pk = $1 AND device_pk = $2 AND attempted_at > $3")
            .bind(pk)
            .bind(session.device_pk)
            .bind(now - manual::WINDOW_MS)
            .fetch_one(&mut tx)
            .await?;
        if tries >= manual::MAX_WRONG_TRIES {
            return Err(WalletError::TooMany(manual::too_many(oldest.unwrap_or(now), now)));
        }
        if !bool::from(given.ct_eq(expected)) {
            sql("INSERT INTO wallet_manual_code_attempts (ticket_pk, device_pk, attempted_at) VALUES ($1, $2, $3)")
                .bind(pk)
                .bind(session.device_pk)
                .bind(now)
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            return Err(WalletError::invalid("manualCode", "is not this event's activation code"));
        }
    }
    activate_in_tx(&mut tx, &mut head, method, now, &json!({ "deviceId": session.device_id })).await?;
    tx.commit().await?;
    fetch(state, session, pk).await
}
