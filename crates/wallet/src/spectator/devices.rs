//! Device sync: a device lists the tickets it still holds; the others are released, and a
//! deleted ticket becomes `DELETED` once no device holds it.

use chrono::Utc;
use serde_json::{Value, json};
use tixbridge_domain::WalletAction;
use tixbridge_store::sql;

use super::session::SpectatorSession;
use crate::WalletState;
use crate::change::{lock_and_load, record_change};
use crate::error::WalletError;

/// Device sync: the device lists the tickets it still holds; the others are released. Answers
/// which of the listed tickets the device must drop (deleted by the organizer).
pub(crate) async fn sync(
    state: &WalletState,
    session: &SpectatorSession,
    holding: &[i64],
) -> Result<Value, WalletError> {
    let now = crate::millis(Utc::now());
    release(state, session.device_pk, Some(holding), now).await?;
    let listed: Vec<(i64, String)> =
        sql("SELECT t.id, t.status FROM wallet_device_tickets h JOIN wallet_tickets t ON t.id = h.ticket_pk
         WHERE h.device_pk = $1 AND h.released_at IS NULL")
        .bind(session.device_pk)
        .fetch_all(&mut state.db.reader().await?)
        .await?;
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
    let mut tx = state.db.begin_write().await?;
    let held: Vec<i64> =
        sql("SELECT ticket_pk FROM wallet_device_tickets WHERE device_pk = $1 AND released_at IS NULL")
            .bind(device_pk)
            .scalars(&mut tx)
            .await?;
    for pk in held.into_iter().filter(|pk| keep.is_none_or(|keep| !keep.contains(pk))) {
        sql("UPDATE wallet_device_tickets SET released_at = $1 WHERE device_pk = $2 AND ticket_pk = $3")
            .bind(now)
            .bind(device_pk)
            .bind(pk)
            .execute(&mut tx)
            .await?;
        let holders: i64 =
            sql("SELECT COUNT(*) FROM wallet_device_tickets WHERE ticket_pk = $1 AND released_at IS NULL")
                .bind(pk)
                .scalar(&mut tx)
                .await?;
        if holders == 0
            && let Some(mut head) = lock_and_load(&mut tx, pk).await?
            && head.status() == tixbridge_domain::WalletStatus::DeletionPending
        {
            let detail = json!({ "releasedBy": "device" });
            // a move the state machine refuses leaves the ticket as it is
            let _ =
                record_change(&mut tx, &mut head, WalletAction::ReleaseFromDevices, "RELEASE", "device", now, &detail)
                    .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
