//! Freeing a device slot: at the device limit, the fan asks for a mailed link that signs out
//! every other device of the account and signs in the one it is opened on. The link proves the
//! mailbox, as a sign-in link does; it works once, for 15 minutes, and the "ever used" limit
//! still holds for the device it signs in (docs/wallet-pages.md#no-lockouts).

use chrono::Utc;
use tixbridge_store::{Db, sql};

use super::session::{NewSession, open_session, random_token, sha256};
use super::sign_in::DeviceClaim;
use crate::WalletState;
use crate::error::WalletError;

/// How long the link stays valid.
const VALID_MINUTES: i64 = 15;
/// The purpose of its row in `wallet_sign_in_codes`.
const PURPOSE: &str = "FREE_DEVICES";

/// A link token for `email`'s account, with the address it goes to; none without an account.
pub(crate) async fn issue(db: &Db, email: &str) -> Result<Option<(String, String)>, WalletError> {
    let email = email.trim().to_lowercase();
    let spectator: Option<i64> = sql("SELECT id FROM wallet_spectators WHERE email = $1")
        .bind(&email)
        .scalar_optional(&mut db.reader().await?)
        .await?;
    let Some(spectator) = spectator else { return Ok(None) };
    let token = random_token("tbf_");
    let now = crate::millis(Utc::now());
    sql("INSERT INTO wallet_sign_in_codes (spectator_id, code_hash, link_hash, created_at, expires_at, purpose)
         VALUES ($1, $2, $3, $4, $5, $6)")
    .bind(spectator)
    // no code: a hash of nothing anyone knows, and the code query only reads SIGN_IN rows
    .bind(sha256(&random_token("")))
    .bind(sha256(&token))
    .bind(now)
    .bind(now + VALID_MINUTES * 60_000)
    .bind(PURPOSE)
    .execute(&mut db.writer().await?)
    .await?;
    Ok(Some((email, token)))
}

/// Uses link `token`: signs out every other device of its account and opens a session on
/// `device`, in one transaction (nothing changes when the device may not sign in); then the
/// signed-out devices release their tickets, as at any sign-out.
pub(crate) async fn free_and_sign_in(
    state: &WalletState,
    token: &str,
    device: &DeviceClaim,
) -> Result<NewSession, WalletError> {
    let now = crate::millis(Utc::now());
    let mut tx = state.db.begin_write().await?;
    let found: Option<(i64, i64)> = sql("SELECT id, spectator_id FROM wallet_sign_in_codes
         WHERE link_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3")
    .bind(sha256(token))
    .bind(PURPOSE)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let Some((row, spectator)) = found else {
        return Err(WalletError::Unauthorized("wrong or expired link: ask for a new one".into()));
    };
    sql("UPDATE wallet_sign_in_codes SET used_at = $1 WHERE id = $2").bind(now).bind(row).execute(&mut tx).await?;
    let others: Vec<i64> =
        sql("SELECT id FROM wallet_devices WHERE spectator_id = $1 AND active = $2 AND device_id <> $3")
            .bind(spectator)
            .bind(true)
            .bind(device.device_id.as_deref().unwrap_or(""))
            .scalars(&mut tx)
            .await?;
    for pk in &others {
        sql("UPDATE wallet_sessions SET revoked_at = $1 WHERE device_pk = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(pk)
            .execute(&mut tx)
            .await?;
        sql("UPDATE wallet_devices SET active = $1 WHERE id = $2").bind(false).bind(pk).execute(&mut tx).await?;
    }
    let name = if device.name.trim().is_empty() { "device" } else { device.name.trim() };
    let session = open_session(&mut tx, spectator, device.device_id.as_deref(), name, now).await?;
    tx.commit().await?;
    for pk in others {
        super::devices::release_all(state, pk, now).await?;
    }
    Ok(session)
}
