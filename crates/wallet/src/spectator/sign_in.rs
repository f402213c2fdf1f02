//! Signing in without a password: a one-time code and a one-time link, mailed to the address
//! the tickets were injected for, exchanged for a session on one device. Codes are stored as
//! an HMAC under the server key and links as SHA-256; both expire, are used once, and every
//! attempt counts against the per-account and per-address limits.

use chrono::Utc;
use hmac::Mac;
use rand::Rng;
use subtle::ConstantTimeEq;
use tixbridge_store::sql;
use tixbridge_vault::ServerKey;

use super::session::{NewSession, open_session, random_token, sha256};
use crate::error::WalletError;

/// How long a code or link stays valid.
const VALID_MINUTES: i64 = 15;
/// Wrong codes tolerated on one request before it is void.
const MAX_FAILED: i64 = 5;

/// A code and a link just issued; they exist nowhere else (the e-mail carries them).
#[derive(Debug, Clone)]
pub struct IssuedSignIn {
    pub email: String,
    pub code: String,
    pub link_token: String,
}

fn code_hash(key: &ServerKey, spectator: i64, code: &str) -> Vec<u8> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.derive("wallet-sign-in-code"))
        .expect("HMAC takes any key length");
    mac.update(format!("{spectator}:{}", code.trim()).as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Issues a code and a link for `email`; `None` when no ticket was ever injected for it.
pub async fn issue_sign_in(
    db: &tixbridge_store::Db,
    key: &ServerKey,
    email: &str,
) -> Result<Option<IssuedSignIn>, WalletError> {
    let email = email.trim().to_lowercase();
    let spectator: Option<i64> = sql("SELECT id FROM wallet_spectators WHERE email = $1")
        .bind(&email)
        .scalar_optional(&mut db.reader().await?)
        .await?;
    let Some(spectator) = spectator else { return Ok(None) };
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let link_token = random_token("tbl_");
    let now = crate::millis(Utc::now());
    sql("INSERT INTO wallet_sign_in_codes (spectator_id, code_hash, link_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)")
    .bind(spectator)
    .bind(code_hash(key, spectator, &code))
    .bind(sha256(&link_token))
    .bind(now)
    .bind(now + VALID_MINUTES * 60_000)
    .execute(&mut db.writer().await?)
    .await?;
    Ok(Some(IssuedSignIn { email, code, link_token }))
}

/// The spectator a link token was issued to, used or not: opening a used link again on a
/// device signed in to the same account shows the wallet (docs/wallet-pages.md#no-lockouts).
pub(crate) async fn link_owner(db: &tixbridge_store::Db, token: &str) -> Result<Option<i64>, WalletError> {
    Ok(sql("SELECT spectator_id FROM wallet_sign_in_codes WHERE link_hash = $1")
        .bind(sha256(token))
        .scalar_optional(&mut db.reader().await?)
        .await?)
}

/// What the spectator proves they received.
#[derive(Debug, Clone)]
pub enum Proof {
    Code { email: String, code: String },
    Link { token: String },
}

/// The device a sign-in registers: one this spectator used before, or a new one.
#[derive(Debug, Clone, Default)]
pub struct DeviceClaim {
    pub device_id: Option<String>,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    spectator_id: i64,
    code_hash: Vec<u8>,
}

/// Exchanges a code or link for a session, registering the device within the limits.
pub async fn exchange(
    db: &tixbridge_store::Db,
    key: &ServerKey,
    proof: &Proof,
    device: &DeviceClaim,
) -> Result<NewSession, WalletError> {
    let now = crate::millis(Utc::now());
    let wrong = || WalletError::Unauthorized("wrong or expired sign-in code or link: ask for a new one".into());
    let name = if device.name.trim().is_empty() { "device" } else { device.name.trim() };
    let name: String = name.chars().take(100).collect();
    let mut tx = db.begin_write().await?;
    let matched: Option<Pending> = match proof {
        Proof::Link { token } => {
            sql("SELECT id, spectator_id, code_hash FROM wallet_sign_in_codes
             WHERE link_hash = $1 AND used_at IS NULL AND expires_at > $2 AND purpose IN ('SIGN_IN', 'TRANSFER')")
            .bind(sha256(token))
            .bind(now)
            .fetch_optional(&mut tx)
            .await?
        }
        Proof::Code { email, code } => {
            let candidates: Vec<Pending> = sql("SELECT c.id, c.spectator_id, c.code_hash FROM wallet_sign_in_codes c
                 JOIN wallet_spectators s ON s.id = c.spectator_id
                 WHERE s.email = $1 AND c.used_at IS NULL AND c.expires_at > $2 AND c.failed_attempts < $3
                   AND c.purpose = 'SIGN_IN'")
            .bind(email.trim().to_lowercase())
            .bind(now)
            .bind(MAX_FAILED)
            .fetch_all(&mut tx)
            .await?;
            let found =
                candidates.into_iter().find(|c| bool::from(code_hash(key, c.spectator_id, code).ct_eq(&c.code_hash)));
            if found.is_none() {
                sql("UPDATE wallet_sign_in_codes SET failed_attempts = failed_attempts + 1
                     WHERE used_at IS NULL AND purpose = 'SIGN_IN'
                       AND spectator_id = (SELECT id FROM wallet_spectators WHERE email = $1)")
                .bind(email.trim().to_lowercase())
                .execute(&mut tx)
                .await?;
                tx.commit().await?;
                return Err(wrong());
            }
            found
        }
    };
    let Some(pending) = matched else { return Err(wrong()) };
    sql("UPDATE wallet_sign_in_codes SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(pending.id)
        .execute(&mut tx)
        .await?;
    let session = open_session(&mut tx, pending.spectator_id, device.device_id.as_deref(), &name, now).await?;
    tx.commit().await?;
    Ok(session)
}
