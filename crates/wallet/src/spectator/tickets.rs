//! A spectator's own tickets: list, fetch (first fetch on a device → `DOWNLOADED`; online
//! activation once the time is reached) and the rotating code this device shows.

use chrono::Utc;
use serde_json::{Value, json};
use tixbridge_domain::WalletAction;
use tixbridge_domain::wallet_status::ActivationMethod;
use tixbridge_store::{Tx, sql};

use super::session::{SpectatorSession, check_organizer_limits};
use super::view::{EntryView, OWN_TICKET_SELECT, OwnTicket, summary_json, ticket_json};
use crate::WalletState;
use crate::change::{TicketHead, lock_and_load, record_change};
use crate::entry::activation::{Method, Plan, plan};
use crate::entry::{device_secret, event_code_key, new_reference, rotating_code};
use crate::error::WalletError;
use crate::settings::{EventSettings, load_settings};

/// Records an activation and its time on `head`, inside `tx`.
pub(crate) async fn activate_in_tx(
    tx: &mut Tx,
    head: &mut TicketHead,
    method: ActivationMethod,
    now: i64,
    detail: &Value,
) -> Result<(), WalletError> {
    let name = match method {
        ActivationMethod::Online => "ACTIVATE_ONLINE",
        ActivationMethod::Offline => "ACTIVATE_OFFLINE",
        ActivationMethod::Manual => "ACTIVATE_MANUAL",
        ActivationMethod::Bluetooth => "ACTIVATE_BT",
    };
    record_change(tx, head, WalletAction::Activate(method), name, "spectator", now, detail)
        .await?
        .map_err(|err| WalletError::illegal("activation", err))?;
    sql("UPDATE wallet_tickets SET activated_at = $1 WHERE id = $2").bind(now).bind(head.id).execute(tx).await?;
    Ok(())
}

pub(crate) fn not_found(pk: i64) -> WalletError {
    WalletError::NotFound(format!("no ticket {pk} in your wallet"))
}

/// Own tickets, newest first; deleted ones only while a device must still drop them or when
/// the organizer chose to show them.
pub(crate) async fn list(state: &WalletState, session: &SpectatorSession) -> Result<Vec<OwnTicket>, WalletError> {
    list_after(state, session, None, i64::MAX).await
}

/// A ticket's place in the list's order: event start, ticket id, the wallet's id.
pub(crate) type Position = (String, String, i64);

/// [`list`], `rows` of them after `after`.
pub(crate) async fn list_after(
    state: &WalletState,
    session: &SpectatorSession,
    after: Option<Position>,
    rows: i64,
) -> Result<Vec<OwnTicket>, WalletError> {
    let (start, ticket_id, id) = after.unwrap_or_default();
    Ok(sql(format!(
        "{OWN_TICKET_SELECT} WHERE t.owner_id = $1 AND (t.status <> 'DELETED' OR t.show_deleted_ticket = $2)
         AND (e.start_time, t.ticket_id, t.id) > ($3, $4, $5)
         ORDER BY e.start_time, t.ticket_id, t.id LIMIT $6"
    ))
    .bind(session.spectator_id)
    .bind(true)
    .bind(start)
    .bind(ticket_id)
    .bind(id)
    .bind(rows)
    .fetch_all(&mut state.db.reader().await?)
    .await?)
}

/// A ticket of the list as the API shows it.
pub(crate) fn list_item_json(ticket: &OwnTicket) -> Value {
    summary_json(ticket)
}

/// One own ticket, read only.
pub(crate) async fn read_own(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<(OwnTicket, EventSettings), WalletError> {
    let mut conn = state.db.reader().await?;
    let ticket: Option<OwnTicket> = sql(format!("{OWN_TICKET_SELECT} WHERE t.id = $1 AND t.owner_id = $2"))
        .bind(pk)
        .bind(session.spectator_id)
        .fetch_optional(&mut conn)
        .await?;
    let ticket = ticket.ok_or_else(|| not_found(pk))?;
    let settings = load_settings(&mut conn, ticket.event_pk).await?;
    Ok((ticket, settings))
}

pub(crate) fn ticket_plan(t: &OwnTicket, settings: &EventSettings) -> Plan {
    let parameters = t.body_json().get("activationParameters").cloned().unwrap_or(Value::Null);
    plan(&parameters, &t.start_time, settings)
}

/// Fetches a ticket on the session's device: records the download and the online activation
/// when due, then answers what this device may know.
pub(crate) async fn fetch(state: &WalletState, session: &SpectatorSession, pk: i64) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    let (ticket, settings) = read_own(state, session, pk).await?;
    let due = ticket_plan(&ticket, &settings);
    let mut tx = state.db.begin_write().await?;
    let mut head = lock_and_load(&mut tx, pk).await?.ok_or_else(|| not_found(pk))?;
    if head.owner_id != session.spectator_id {
        return Err(not_found(pk));
    }
    if !head.status().is_deleted() {
        check_organizer_limits(&mut tx, session, pk).await?;
        sql("INSERT INTO wallet_device_tickets (device_pk, ticket_pk, fetched_at, code_ref) VALUES ($1, $2, $3, $4)
             ON CONFLICT (device_pk, ticket_pk) DO UPDATE
             SET released_at = NULL, code_ref = COALESCE(wallet_device_tickets.code_ref, excluded.code_ref)")
        .bind(session.device_pk)
        .bind(pk)
        .bind(now)
        .bind(new_reference())
        .execute(&mut tx)
        .await?;
        let detail = json!({ "deviceId": session.device_id });
        if record_change(&mut tx, &mut head, WalletAction::Download, "DOWNLOAD", "spectator", now, &detail)
            .await?
            .is_ok()
        {
            sql("UPDATE wallet_tickets SET downloaded_at = COALESCE(downloaded_at, $1) WHERE id = $2")
                .bind(now)
                .bind(pk)
                .execute(&mut tx)
                .await?;
        }
        if due.method == Method::Online && now >= due.at && head.status().is_held() {
            activate_in_tx(&mut tx, &mut head, ActivationMethod::Online, now, &detail).await?;
        }
    }
    tx.commit().await?;
    let (ticket, settings) = read_own(state, session, pk).await?;
    let reference = holding_reference(state, session, pk).await?;
    Ok(ticket_json(&ticket, &entry_view(state, &ticket, &settings, &session.device_id, reference)))
}

/// The code reference of this device's holding of ticket `pk`, when it holds it.
async fn holding_reference(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
) -> Result<Option<String>, WalletError> {
    let found: Option<Option<String>> = sql(
        "SELECT code_ref FROM wallet_device_tickets WHERE device_pk = $1 AND ticket_pk = $2 AND released_at IS NULL",
    )
    .bind(session.device_pk)
    .bind(pk)
    .scalar_optional(&mut state.db.reader().await?)
    .await?;
    Ok(found.flatten())
}

/// What this device may know of the entry code: the device secret and the code reference only
/// once the code may be shown (or ahead, for offline activation) — never the barcode.
pub(crate) fn entry_view<'a>(
    state: &WalletState,
    t: &OwnTicket,
    settings: &EventSettings,
    device_id: &'a str,
    reference: Option<String>,
) -> EntryView<'a> {
    let plan = ticket_plan(t, settings);
    let reveal = t.status().is_activated() || (plan.method == Method::Offline && !t.status().is_deleted());
    let secret = device_secret(&event_code_key(&state.key, t.event_pk), &t.ticket_id, device_id);
    EntryView {
        plan,
        period_seconds: settings.code_period_seconds,
        device_id,
        revealed: reference.filter(|_| reveal).map(|reference| (reference, secret)),
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
    let Some(reference) = holding_reference(state, session, pk).await? else {
        return Err(WalletError::Refused("fetch the ticket on this device first".into()));
    };
    let now = crate::millis(Utc::now());
    let period = settings.code_period_seconds;
    let secret = device_secret(&event_code_key(&state.key, ticket.event_pk), &ticket.ticket_id, &session.device_id);
    let code = rotating_code(&secret, &reference, period, now);
    let step = crate::entry::step_at(now, period);
    Ok(json!({ "code": code, "periodSeconds": period, "refreshAt": crate::rfc3339((step + 1) * period * 1000) }))
}
