//! A spectator's own tickets: list, fetch (first fetch on a device → `DOWNLOADED`; online
//! activation once the time is reached), the rotating code, naming a holder, activating, and
//! device sync (a deleted ticket becomes `DELETED` once no device holds it).

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tixbridge_domain::WalletAction;
use tixbridge_domain::wallet_status::ActivationMethod;
use tixbridge_store::{on_reader, on_writer};

use super::session::SpectatorSession;
use super::view::{EntryView, OWN_TICKET_SELECT, OwnTicket, summary_json, ticket_json};
use crate::WalletState;
use crate::change::{lock_and_load, record_change};
use crate::entry::activation::{Method, Plan, plan};
use crate::entry::{device_secret, event_code_key, group_key, rotating_code, seal_barcode};
use crate::error::WalletError;
use crate::settings::{EventSettings, load_settings, manual_code_hash};

/// How early a device clock may report an offline activation.
const OFFLINE_SKEW_MS: i64 = 5 * 60_000;

/// Records an activation and its time on `$head`, inside `$tx`.
macro_rules! activate_in_tx {
    ($tx:expr, $head:expr, $method:expr, $now:expr, $detail:expr) => {{
        let name = match $method {
            ActivationMethod::Online => "ACTIVATE_ONLINE",
            ActivationMethod::Offline => "ACTIVATE_OFFLINE",
            ActivationMethod::Manual => "ACTIVATE_MANUAL",
            ActivationMethod::Bluetooth => "ACTIVATE_BT",
        };
        match record_change!($tx, &mut $head, WalletAction::Activate($method), name, "spectator", $now, $detail) {
            Ok(_) => {
                sqlx::query("UPDATE wallet_tickets SET activated_at = $1 WHERE id = $2")
                    .bind($now)
                    .bind($head.id)
                    .execute(&mut *$tx)
                    .await?;
                Ok(())
            }
            Err(err) => Err(WalletError::illegal("activation", err)),
        }
    }};
}

fn not_found(pk: i64) -> WalletError {
    WalletError::NotFound(format!("no ticket {pk} in your wallet"))
}

/// Own tickets, newest first; deleted ones only while a device must still drop them or when
/// the organizer chose to show them.
pub(crate) async fn list(state: &WalletState, session: &SpectatorSession) -> Result<Vec<OwnTicket>, WalletError> {
    let sql = format!(
        "{OWN_TICKET_SELECT} WHERE t.owner_id = $1 AND (t.status <> 'DELETED' OR t.show_deleted_ticket = $2)
         ORDER BY e.start_time, t.ticket_id"
    );
    Ok(on_reader!(&state.db, |pool| {
        sqlx::query_as(&sql).bind(session.spectator_id).bind(true).fetch_all(pool).await?
    }))
}

pub(crate) fn list_json(tickets: &[OwnTicket]) -> Value {
    json!({ "tickets": tickets.iter().map(summary_json).collect::<Vec<_>>() })
}

/// One own ticket, read only.
pub(crate) async fn read_own(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<(OwnTicket, EventSettings), WalletError> {
    let sql = format!("{OWN_TICKET_SELECT} WHERE t.id = $1 AND t.owner_id = $2");
    on_reader!(&state.db, |pool| {
        let ticket: Option<OwnTicket> =
            sqlx::query_as(&sql).bind(pk).bind(session.spectator_id).fetch_optional(pool).await?;
        let ticket = ticket.ok_or_else(|| not_found(pk))?;
        let settings = load_settings!(pool, ticket.event_pk);
        Ok((ticket, settings))
    })
}

fn ticket_plan(t: &OwnTicket, settings: &EventSettings) -> Plan {
    let parameters = t.body_json().get("activationParameters").cloned().unwrap_or(Value::Null);
    plan(&parameters, &t.start_time, settings)
}

/// Fetches a ticket on the session's device: records the download and the online activation
/// when due, then answers what this device may know.
pub(crate) async fn fetch(state: &WalletState, session: &SpectatorSession, pk: i64) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    let (ticket, settings) = read_own(state, session, pk).await?;
    let due = ticket_plan(&ticket, &settings);
    let backend = state.db.backend();
    on_writer!(&state.db, |pool| {
        let mut tx = pool.begin().await?;
        let mut head = lock_and_load!(tx, backend, pk).ok_or_else(|| not_found(pk))?;
        if head.owner_id != session.spectator_id {
            return Err(not_found(pk));
        }
        if !head.status().is_deleted() {
            sqlx::query(
                "INSERT INTO wallet_device_tickets (device_pk, ticket_pk, fetched_at) VALUES ($1, $2, $3)
                 ON CONFLICT (device_pk, ticket_pk) DO UPDATE SET released_at = NULL",
            )
            .bind(session.device_pk)
            .bind(pk)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let detail = json!({ "deviceId": session.device_id });
            if record_change!(tx, &mut head, WalletAction::Download, "DOWNLOAD", "spectator", now, detail).is_ok() {
                sqlx::query("UPDATE wallet_tickets SET downloaded_at = COALESCE(downloaded_at, $1) WHERE id = $2")
                    .bind(now)
                    .bind(pk)
                    .execute(&mut *tx)
                    .await?;
            }
            if due.method == Method::Online && now >= due.at && head.status().is_held() {
                activate_in_tx!(tx, head, ActivationMethod::Online, now, detail)?;
            }
        }
        tx.commit().await?;
        Ok::<(), WalletError>(())
    })?;
    let (ticket, settings) = read_own(state, session, pk).await?;
    Ok(ticket_json(&ticket, &entry_view(state, &ticket, &settings, &session.device_id)))
}

pub(crate) fn entry_view<'a>(
    state: &WalletState,
    t: &OwnTicket,
    settings: &EventSettings,
    device_id: &'a str,
) -> EntryView<'a> {
    let plan = ticket_plan(t, settings);
    let key = group_key(&state.key, t.organizer_id, &t.event_id, &plan.group_id);
    let reveal = t.status().is_activated() || (plan.method == Method::Offline && !t.status().is_deleted());
    let secret = device_secret(&event_code_key(&state.key, t.event_pk), &t.ticket_id, device_id);
    EntryView {
        plan,
        sealed_barcode: seal_barcode(&key, &t.ticket_id, &t.barcode),
        period_seconds: settings.code_period_seconds,
        device_id,
        revealed: reveal.then_some((key, secret)),
    }
}

/// The code this device shows now for an activated ticket it holds.
pub(crate) async fn current_code(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<Value, WalletError> {
    let (ticket, settings) = read_own(state, session, pk).await?;
    let status = ticket.status();
    if !status.is_activated() {
        return Err(WalletError::status("showing the entry code", status));
    }
    let held: Option<i64> = on_reader!(&state.db, |pool| {
        sqlx::query_scalar(
            "SELECT ticket_pk FROM wallet_device_tickets WHERE device_pk = $1 AND ticket_pk = $2 AND released_at IS NULL",
        )
        .bind(session.device_pk)
        .bind(pk)
        .fetch_optional(pool)
        .await?
    });
    if held.is_none() {
        return Err(WalletError::Refused("fetch the ticket on this device first".into()));
    }
    let now = crate::millis(Utc::now());
    let period = settings.code_period_seconds;
    let secret = device_secret(&event_code_key(&state.key, ticket.event_pk), &ticket.ticket_id, &session.device_id);
    let code = rotating_code(&secret, &session.device_id, &ticket.barcode, period, now);
    let step = crate::entry::step_at(now, period);
    Ok(json!({ "code": code, "periodSeconds": period, "refreshAt": crate::rfc3339((step + 1) * period * 1000) }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HolderBody {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

fn text(
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

impl HolderBody {
    fn validate(&self, settings: &EventSettings) -> Result<Value, WalletError> {
        let first_name = text("firstName", &self.first_name, 50, true)?;
        let last_name = text("lastName", &self.last_name, 100, true)?;
        let birth_date = text("birthDate", &self.birth_date, 10, settings.requires("birthDate"))?;
        if let Some(date) = &birth_date {
            NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| WalletError::invalid("birthDate", "must be YYYY-MM-DD"))?;
        }
        let email = text("email", &self.email, 256, settings.requires("email"))?;
        if email.as_deref().is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
            return Err(WalletError::invalid("email", "must be an e-mail address"));
        }
        let phone = text("phone", &self.phone, 30, settings.requires("phone"))?;
        if phone.as_deref().is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))) {
            return Err(WalletError::invalid("phone", "may hold only digits, spaces and + - ( ) ."));
        }
        Ok(
            json!({ "firstName": first_name, "lastName": last_name, "birthDate": birth_date, "email": email, "phone": phone }),
        )
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
    let backend = state.db.backend();
    on_writer!(&state.db, |pool| {
        let mut tx = pool.begin().await?;
        let mut head = lock_and_load!(tx, backend, pk).ok_or_else(|| not_found(pk))?;
        if head.owner_id != session.spectator_id {
            return Err(not_found(pk));
        }
        let detail = json!({ "holder": { "firstName": holder["firstName"], "lastName": holder["lastName"] } });
        record_change!(tx, &mut head, WalletAction::Assign, "ASSIGN", "spectator", now, detail)
            .map_err(|err| WalletError::illegal("naming a holder", err))?;
        sqlx::query("UPDATE wallet_tickets SET holder = $1, assigned_at = $2 WHERE id = $3")
            .bind(holder.to_string())
            .bind(now)
            .bind(pk)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<(), WalletError>(())
    })?;
    fetch(state, session, pk).await
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ActivateBody {
    pub manual_code: Option<String>,
    pub method: Option<String>,
}

/// Activates by manual code, by an offline device's report, or online once the time is reached.
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
        (Some(code), _) => {
            let expected = settings
                .manual_code_hash
                .as_ref()
                .ok_or_else(|| WalletError::Refused("this event has no manual activation code".into()))?;
            let given = manual_code_hash(&state.key, ticket.event_pk, code);
            if !bool::from(given.ct_eq(expected)) {
                return Err(WalletError::invalid("manualCode", "is not this event's activation code"));
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
        (None, None | Some("online")) => {
            if due.method == Method::Offline || now < due.at {
                return Err(WalletError::Refused(format!("this ticket activates at {}", crate::rfc3339(due.at))));
            }
            ActivationMethod::Online
        }
        (None, Some(_)) => return Err(WalletError::invalid("method", "must be online or offline")),
    };
    let backend = state.db.backend();
    on_writer!(&state.db, |pool| {
        let mut tx = pool.begin().await?;
        let mut head = lock_and_load!(tx, backend, pk).ok_or_else(|| not_found(pk))?;
        if head.owner_id != session.spectator_id {
            return Err(not_found(pk));
        }
        activate_in_tx!(tx, head, method, now, json!({ "deviceId": session.device_id }))?;
        tx.commit().await?;
        Ok::<(), WalletError>(())
    })?;
    fetch(state, session, pk).await
}

/// Device sync: the device lists the tickets it still holds; the others are released. Answers
/// which of the listed tickets the device must drop (deleted by the organizer).
pub(crate) async fn sync(
    state: &WalletState,
    session: &SpectatorSession,
    holding: &[i64],
) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    release(state, session.device_pk, Some(holding), now).await?;
    let listed: Vec<(i64, String)> = on_reader!(&state.db, |pool| {
        sqlx::query_as(
            "SELECT t.id, t.status FROM wallet_device_tickets h JOIN wallet_tickets t ON t.id = h.ticket_pk
             WHERE h.device_pk = $1 AND h.released_at IS NULL",
        )
        .bind(session.device_pk)
        .fetch_all(pool)
        .await?
    });
    let (drop, keep): (Vec<_>, Vec<_>) = listed.into_iter().partition(|(_, status)| status == "DELETION_PENDING");
    Ok(json!({
        "holding": keep.into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "delete": drop.into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
    }))
}

/// Releases every ticket a device holds (it signed out).
pub(crate) async fn release_all(state: &WalletState, device_pk: i64, now: i64) -> Result<(), WalletError> {
    release(state, device_pk, None, now).await
}

/// Releases the device's holdings not in `keep`, then completes the deletion of each released
/// ticket that no device holds any more.
async fn release(state: &WalletState, device_pk: i64, keep: Option<&[i64]>, now: i64) -> Result<(), WalletError> {
    let backend = state.db.backend();
    on_writer!(&state.db, |pool| {
        let mut tx = pool.begin().await?;
        let held: Vec<i64> = sqlx::query_scalar(
            "SELECT ticket_pk FROM wallet_device_tickets WHERE device_pk = $1 AND released_at IS NULL",
        )
        .bind(device_pk)
        .fetch_all(&mut *tx)
        .await?;
        for pk in held.into_iter().filter(|pk| keep.is_none_or(|keep| !keep.contains(pk))) {
            sqlx::query("UPDATE wallet_device_tickets SET released_at = $1 WHERE device_pk = $2 AND ticket_pk = $3")
                .bind(now)
                .bind(device_pk)
                .bind(pk)
                .execute(&mut *tx)
                .await?;
            let holders: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM wallet_device_tickets WHERE ticket_pk = $1 AND released_at IS NULL",
            )
            .bind(pk)
            .fetch_one(&mut *tx)
            .await?;
            if holders == 0
                && let Some(mut head) = lock_and_load!(tx, backend, pk)
                && head.status() == tixbridge_domain::WalletStatus::DeletionPending
            {
                let detail = json!({ "releasedBy": "device" });
                let _ =
                    record_change!(tx, &mut head, WalletAction::ReleaseFromDevices, "RELEASE", "device", now, detail);
            }
        }
        tx.commit().await?;
        Ok::<(), WalletError>(())
    })
}
