//! Transfers (docs/wallet-api.md#transfers): an owner offers a ticket by e-mail
//! (`PENDING_TRANSFER`, still the sender's); the recipient accepts (`TRANSFERRED`, now
//! theirs) or rejects, the sender may cancel (`FAILURE_TRANSFER`); an offer left open past
//! the event's window expires (`FAILURE`, by [`expire_transfers`]). "Return to sender"
//! offers the ticket back to the previous owner and counts as a backward transfer. The
//! event's rules are checked here.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tixbridge_domain::{WalletAction, WalletStatus};
use tixbridge_store::{Db, sql};

use super::session::SpectatorSession;
use crate::WalletState;
use crate::change::{TicketHead, lock_and_load, record_change};
use crate::error::WalletError;
use crate::settings::{EventSettings, load_settings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Forward,
    Return,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Forward => "FORWARD",
            Kind::Return => "RETURN",
        }
    }
}

/// The event's usage rules for an offer of `head`.
fn check_rules(head: &TicketHead, settings: &EventSettings, kind: Kind) -> Result<(), WalletError> {
    if !settings.transfers_enabled {
        return Err(WalletError::Refused("transfers are disabled for this event".into()));
    }
    if kind == Kind::Forward
        && let Some(max) = settings.max_transfers
        && head.forward_transfers >= max
    {
        return Err(WalletError::Refused(format!("this ticket has reached the event's maximum of {max} transfer(s)")));
    }
    if !settings.transfer_after_activation && (head.status().is_activated() || head.activated_at.is_some()) {
        return Err(WalletError::Refused("this event allows no transfer after activation".into()));
    }
    Ok(())
}

/// Offers own ticket `pk`: to `email` (forward), or back to its previous owner (return).
pub(crate) async fn offer(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
    email: Option<&str>,
    kind: Kind,
) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    let email = email.map(|e| e.trim().to_lowercase());
    if let Some(email) = &email
        && (!email.contains('@') || email.len() > 256 || email.contains(char::is_whitespace))
    {
        return Err(WalletError::invalid("email", "must be an e-mail address"));
    }
    let mut tx = state.db.begin_write().await?;
    let not_found = || WalletError::NotFound(format!("no ticket {pk} in your wallet"));
    let mut head = lock_and_load(&mut tx, pk).await?.ok_or_else(not_found)?;
    if head.owner_id != session.spectator_id {
        return Err(not_found());
    }
    let recipient: i64 = match (&email, kind) {
        (Some(email), Kind::Forward) => {
            if *email == session.email {
                return Err(WalletError::invalid("email", "is your own address"));
            }
            sql("INSERT INTO wallet_spectators (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING")
                .bind(email)
                .bind(now)
                .execute(&mut tx)
                .await?;
            sql("SELECT id FROM wallet_spectators WHERE email = $1").bind(email).scalar(&mut tx).await?
        }
        (None, Kind::Return) => head
            .previous_owner_id
            .ok_or_else(|| WalletError::Refused("this ticket has no previous owner to return it to".into()))?,
        _ => return Err(WalletError::invalid("email", "is required")),
    };
    let settings = load_settings(&mut tx, head.event_pk).await?;
    check_rules(&head, &settings, kind)?;
    let recipient_email: String =
        sql("SELECT email FROM wallet_spectators WHERE id = $1").bind(recipient).scalar(&mut tx).await?;
    let expires_at = now + settings.transfer_expiry_hours * 3_600_000;
    let transfer: i64 =
        sql("INSERT INTO wallet_transfers (ticket_pk, sender_id, recipient_id, kind, state, created_at, expires_at)
         VALUES ($1, $2, $3, $4, 'OPEN', $5, $6) RETURNING id")
        .bind(pk)
        .bind(session.spectator_id)
        .bind(recipient)
        .bind(kind.as_str())
        .bind(now)
        .bind(expires_at)
        .scalar(&mut tx)
        .await?;
    let detail = json!({ "transferId": transfer, "recipient": recipient_email, "kind": kind.as_str() });
    let name = if kind == Kind::Forward { "OFFER_TRANSFER" } else { "RETURN_TO_SENDER" };
    record_change(&mut tx, &mut head, WalletAction::OfferTransfer, name, "spectator", now, &detail)
        .await?
        .map_err(|err| WalletError::illegal("a transfer", err))?;
    let link = super::offer_mail::issue_link(&mut tx, recipient, now, expires_at).await?;
    tx.commit().await?;
    let mailed = super::offer_mail::send(state, transfer, &link).await;
    Ok(json!({
        "transferId": transfer, "ticket": pk, "recipient": recipient_email, "kind": kind.as_str(),
        "expiresAt": crate::rfc3339(expires_at), "status": WalletStatus::PendingTransfer,
        "recipientMailed": mailed,
    }))
}

/// How an open transfer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Accept,
    Reject,
    Cancel,
}

#[derive(sqlx::FromRow)]
struct OpenTransfer {
    id: i64,
    ticket_pk: i64,
    sender_id: i64,
    recipient_id: i64,
    kind: String,
}

/// Ends open transfer `id` as the recipient (accept, reject) or the sender (cancel).
pub(crate) async fn close(
    state: &WalletState,
    session: &SpectatorSession,
    id: i64,
    outcome: Outcome,
) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    let mut tx = state.db.begin_write().await?;
    let not_found = || WalletError::NotFound(format!("no open transfer {id} for you"));
    let transfer: OpenTransfer = sql(
        "SELECT id, ticket_pk, sender_id, recipient_id, kind FROM wallet_transfers WHERE id = $1 AND state = 'OPEN'",
    )
    .bind(id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or_else(not_found)?;
    let party = if outcome == Outcome::Cancel { transfer.sender_id } else { transfer.recipient_id };
    if party != session.spectator_id {
        return Err(not_found());
    }
    let mut head = lock_and_load(&mut tx, transfer.ticket_pk).await?.ok_or_else(not_found)?;
    let (action, name, state_name, actor) = match outcome {
        Outcome::Accept => (WalletAction::AcceptTransfer, "ACCEPT_TRANSFER", "ACCEPTED", "recipient"),
        Outcome::Reject => (WalletAction::RejectTransfer, "REJECT_TRANSFER", "REJECTED", "recipient"),
        Outcome::Cancel => (WalletAction::RejectTransfer, "CANCEL_TRANSFER", "CANCELLED", "sender"),
    };
    let detail = json!({ "transferId": transfer.id });
    let next = record_change(&mut tx, &mut head, action, name, actor, now, &detail)
        .await?
        .map_err(|err| WalletError::illegal("closing this transfer", err))?;
    if outcome == Outcome::Accept {
        let counter = if transfer.kind == "RETURN" { "backward_transfers" } else { "forward_transfers" };
        sql(format!(
            "UPDATE wallet_tickets SET owner_id = $1, previous_owner_id = $2, {counter} = {counter} + 1,
                 holder = NULL, assigned_at = NULL
             WHERE id = $3"
        ))
        .bind(transfer.recipient_id)
        .bind(transfer.sender_id)
        .bind(transfer.ticket_pk)
        .execute(&mut tx)
        .await?;
        // The sender's devices no longer hold it: their codes stop working at once.
        sql("UPDATE wallet_device_tickets SET released_at = $1 WHERE ticket_pk = $2 AND released_at IS NULL")
            .bind(now)
            .bind(transfer.ticket_pk)
            .execute(&mut tx)
            .await?;
    }
    sql("UPDATE wallet_transfers SET state = $1, closed_at = $2 WHERE id = $3")
        .bind(state_name)
        .bind(now)
        .bind(transfer.id)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(json!({ "transferId": transfer.id, "ticket": transfer.ticket_pk, "state": state_name, "status": next }))
}

#[derive(sqlx::FromRow)]
struct Listed {
    id: i64,
    ticket_pk: i64,
    ticket_id: String,
    event: String,
    sender: String,
    recipient: String,
    kind: String,
    expires_at: i64,
    start_time: String,
    event_body: String,
}

/// The caller's open transfers, both ways, by id: `rows` of them after transfer `after`, each
/// with its `direction` (`incoming`: offered to the caller; `outgoing`: offered by the caller).
pub(crate) async fn list(
    state: &WalletState,
    session: &SpectatorSession,
    after: i64,
    rows: i64,
) -> Result<Vec<Value>, WalletError> {
    let rows: Vec<Listed> =
        sql("SELECT x.id, x.ticket_pk, t.ticket_id, e.name AS event, s.email AS sender, r.email AS recipient, x.kind,
                    x.expires_at, e.start_time, e.body AS event_body
             FROM wallet_transfers x
             JOIN wallet_tickets t ON t.id = x.ticket_pk JOIN wallet_events e ON e.id = t.event_pk
             JOIN wallet_spectators s ON s.id = x.sender_id JOIN wallet_spectators r ON r.id = x.recipient_id
             WHERE x.state = 'OPEN' AND (x.sender_id = $1 OR x.recipient_id = $1) AND x.id > $2
             ORDER BY x.id LIMIT $3")
        .bind(session.spectator_id)
        .bind(after)
        .bind(rows)
        .fetch_all(&mut state.db.reader().await?)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let direction = if row.recipient == session.email { "incoming" } else { "outgoing" };
            json!({ "transferId": row.id, "direction": direction, "ticket": row.ticket_pk, "ticketId": row.ticket_id,
                "event": row.event, "sender": row.sender, "recipient": row.recipient, "kind": row.kind,
                "expiresAt": crate::rfc3339(row.expires_at), "startTime": row.start_time,
                "timeZone": serde_json::from_str::<Value>(&row.event_body).ok().and_then(|b| b.get("timeZone").cloned()) })
        })
        .collect())
}

/// Ends every open transfer whose window closed by `now`: the ticket goes back to its sender
/// as `FAILURE`. Run by a ticker in `serve`; tests call it with a future `now`. Returns how
/// many transfers expired.
pub async fn expire_transfers(db: &Db, now: DateTime<Utc>) -> Result<u64, WalletError> {
    let at = crate::millis(now);
    let due: Vec<(i64, i64)> = sql(
        "SELECT id, ticket_pk FROM wallet_transfers WHERE state = 'OPEN' AND expires_at <= $1 ORDER BY id LIMIT 10000",
    )
    .bind(at)
    .fetch_all(&mut db.reader().await?)
    .await?;
    let mut expired = 0;
    for (id, ticket_pk) in due {
        if fail_open_transfer(db, id, ticket_pk, FailedBy::Timer, at).await? {
            expired += 1;
        }
    }
    Ok(expired)
}

/// Who ended an offer without acceptance (`FAILURE`,
/// docs/products-and-statuses.md#wallet-statuses).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FailedBy {
    /// The offer's window passed.
    Timer,
    /// The organizer cancelled it.
    Organizer,
}

/// Closes open transfer `id` of ticket `ticket_pk` as `FAILURE` (the ticket goes back to its
/// sender), in one transaction with its log row; false when it was no longer open or the
/// ticket can no longer fail the transfer.
pub(crate) async fn fail_open_transfer(
    db: &Db,
    id: i64,
    ticket_pk: i64,
    by: FailedBy,
    at: i64,
) -> Result<bool, WalletError> {
    let (action, actor, reason, closed) = match by {
        FailedBy::Timer => ("EXPIRE_TRANSFER", "timer", "expired", "EXPIRED"),
        FailedBy::Organizer => ("CANCEL_TRANSFER", "organizer", "cancelled by the organizer", "CANCELLED"),
    };
    let mut tx = db.begin_write().await?;
    let still_open: Option<i64> = sql("SELECT id FROM wallet_transfers WHERE id = $1 AND state = 'OPEN'")
        .bind(id)
        .scalar_optional(&mut tx)
        .await?;
    let mut failed = false;
    if still_open.is_some()
        && let Some(mut head) = lock_and_load(&mut tx, ticket_pk).await?
    {
        let detail = json!({ "transferId": id, "reason": reason });
        let state_name =
            match record_change(&mut tx, &mut head, WalletAction::FailTransfer, action, actor, at, &detail).await? {
                Ok(_) => {
                    failed = true;
                    closed
                }
                Err(_) => "VOID",
            };
        sql("UPDATE wallet_transfers SET state = $1, closed_at = $2 WHERE id = $3")
            .bind(state_name)
            .bind(at)
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(failed)
}
