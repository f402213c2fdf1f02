//! Sessions and devices. A session token (256 random bits, stored as SHA-256, compared by
//! lookup of its hash) names one signed-in device of one spectator; it comes as
//! `Authorization: Bearer …` from an app or as the `tb_session` cookie from the web wallet.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tixbridge_store::{Tx, sql};
use tixbridge_web::ApiError;

use crate::WalletState;
use crate::error::WalletError;

/// The web wallet's session cookie.
pub const SESSION_COOKIE: &str = "tb_session";
/// How long a session lasts.
const SESSION_DAYS: i64 = 30;
/// Used when no organizer of the spectator's tickets set limits (the column defaults).
const DEFAULT_LIMITS: (i64, i64) = (3, 10);

pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// A signed-in spectator on one device.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpectatorSession {
    pub spectator_id: i64,
    pub email: String,
    pub device_pk: i64,
    pub device_id: String,
    /// The hash of the session token (the CSRF token of the web wallet derives from it).
    pub token_hash: Vec<u8>,
}

fn bearer_or_cookie(parts: &Parts) -> Option<String> {
    if let Some(token) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(token.trim().to_owned());
    }
    crate::pages::cookie(&parts.headers, SESSION_COOKIE)
}

impl SpectatorSession {
    pub async fn from_token(state: &WalletState, token: &str) -> Result<Option<Self>, sqlx::Error> {
        let now = crate::millis(chrono::Utc::now());
        sql("SELECT s.spectator_id, p.email, s.device_pk, d.device_id, s.token_hash
             FROM wallet_sessions s
             JOIN wallet_devices d ON d.id = s.device_pk
             JOIN wallet_spectators p ON p.id = s.spectator_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND d.active = $3")
        .bind(sha256(token))
        .bind(now)
        .bind(true)
        .fetch_optional(&mut state.db.reader().await?)
        .await
    }
}

impl FromRequestParts<WalletState> for SpectatorSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WalletState) -> Result<Self, ApiError> {
        let token = bearer_or_cookie(parts)
            .ok_or_else(|| ApiError::unauthorized("sign in first: no session token (Authorization: Bearer …)"))?;
        let session = Self::from_token(state, &token)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the session has expired or was signed out: sign in again"))?;
        super::csrf::check_session(parts, state, &session)?;
        Ok(session)
    }
}

/// A new session: its token exists nowhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub device_id: String,
    pub expires_at: i64,
}

/// Registers the device (a known `device_id` of this spectator, or a new one) within the
/// device limits, and opens a session on it, inside the caller's write transaction `tx`. Limits
/// are each organizer's own: signing in is refused only past the most generous limits among the
/// organizers of the spectator's tickets, so one organizer's strict limits never keep a fan from
/// another organizer's tickets; each organizer's limits then hold for its own tickets when a
/// device fetches one ([`check_organizer_limits`]).
pub(crate) async fn open_session(
    tx: &mut Tx,
    spectator: i64,
    device_id: Option<&str>,
    device_name: &str,
    now: i64,
) -> Result<NewSession, WalletError> {
    let limits: (Option<i64>, Option<i64>) =
        sql("SELECT MAX(o.max_active_devices), MAX(o.max_devices_ever) FROM wallet_organizers o
         WHERE o.id IN (SELECT organizer_id FROM wallet_tickets WHERE owner_id = $1 OR initial_owner_id = $1)")
        .bind(spectator)
        .fetch_one(tx)
        .await?;
    let (max_active, max_ever) = limits_or_default(limits);
    let (active, ever): (i64, i64) =
        sql("SELECT COALESCE(SUM(CASE WHEN active = $2 THEN 1 ELSE 0 END), 0), COUNT(*) FROM wallet_devices
         WHERE spectator_id = $1")
        .bind(spectator)
        .bind(true)
        .fetch_one(tx)
        .await?;
    let known: Option<(i64, String, bool)> = match device_id {
        Some(id) => {
            sql("SELECT id, device_id, active FROM wallet_devices WHERE device_id = $1 AND spectator_id = $2")
                .bind(id)
                .bind(spectator)
                .fetch_optional(tx)
                .await?
        }
        None => None,
    };
    let refusal = match &known {
        Some((_, _, true)) => None,
        Some((_, _, false)) | None if active >= max_active => {
            return Err(WalletError::DeviceLimit {
                active,
                why: format!(
                    "sign-in refused: this account is already active on {active} device(s), the maximum is {max_active}; sign out on another device first"
                ),
            });
        }
        None if ever >= max_ever => Some(format!(
            "sign-in refused: this account has already used {ever} device(s), the maximum is {max_ever}; sign in on a device used before"
        )),
        _ => None,
    };
    if let Some(why) = refusal {
        return Err(WalletError::Forbidden(why));
    }
    let (device_pk, device_id) = match known {
        Some((pk, id, _)) => {
            sql("UPDATE wallet_devices SET active = $1, last_seen_at = $2 WHERE id = $3")
                .bind(true)
                .bind(now)
                .bind(pk)
                .execute(tx)
                .await?;
            (pk, id)
        }
        None => {
            let id = random_token("dev_")[..24].to_owned();
            let pk: i64 =
                sql("INSERT INTO wallet_devices (spectator_id, device_id, name, active, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
                .bind(spectator)
                .bind(&id)
                .bind(device_name)
                .bind(true)
                .bind(now)
                .scalar(tx)
                .await?;
            (pk, id)
        }
    };
    let token = random_token("tbs_");
    let expires_at = now + session_ms();
    sql("INSERT INTO wallet_sessions (token_hash, spectator_id, device_pk, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)")
    .bind(sha256(&token))
    .bind(spectator)
    .bind(device_pk)
    .bind(now)
    .bind(expires_at)
    .execute(tx)
    .await?;
    Ok(NewSession { token, device_id, expires_at })
}

/// Inside the caller's write transaction `tx`, before device `session` takes ticket
/// `ticket_pk`: refuses when the ticket's organizer's limits do not leave room for one more
/// device of this spectator holding its tickets. A device that holds one of that organizer's
/// tickets already always may.
pub(crate) async fn check_organizer_limits(
    tx: &mut Tx,
    session: &SpectatorSession,
    ticket_pk: i64,
) -> Result<(), WalletError> {
    let (organizer, max_active, max_ever): (i64, i64, i64) =
        sql("SELECT o.id, o.max_active_devices, o.max_devices_ever FROM wallet_tickets t
         JOIN wallet_organizers o ON o.id = t.organizer_id WHERE t.id = $1")
        .bind(ticket_pk)
        .fetch_one(tx)
        .await?;
    // (device, holds one now, device active) for every device of this spectator that ever
    // held one of the organizer's tickets
    let devices: Vec<(i64, bool, bool)> = sql(
        "SELECT h.device_pk, MAX(CASE WHEN h.released_at IS NULL THEN 1 ELSE 0 END) = 1, MAX(CASE WHEN d.active = $3 THEN 1 ELSE 0 END) = 1
         FROM wallet_device_tickets h
         JOIN wallet_tickets t ON t.id = h.ticket_pk
         JOIN wallet_devices d ON d.id = h.device_pk
         WHERE t.organizer_id = $1 AND d.spectator_id = $2
         GROUP BY h.device_pk",
    )
    .bind(organizer)
    .bind(session.spectator_id)
    .bind(true)
    .fetch_all(tx)
    .await?;
    let this = devices.iter().find(|(pk, _, _)| *pk == session.device_pk);
    let active_others =
        devices.iter().filter(|(pk, holds, active)| *pk != session.device_pk && *holds && *active).count() as i64;
    let ever = devices.len() as i64;
    if this.is_some_and(|(_, holds, _)| *holds) {
        Ok(())
    } else if active_others >= max_active {
        Err(WalletError::DeviceLimit {
            active: active_others,
            why: format!(
                "this ticket's organizer allows its tickets on {max_active} active device(s), and {active_others} hold them: release them on another device first"
            ),
        })
    } else if this.is_none() && ever >= max_ever {
        Err(WalletError::Forbidden(format!(
            "this ticket's organizer allows its tickets on {max_ever} device(s) ever, and {ever} have held them: use a device used before"
        )))
    } else {
        Ok(())
    }
}

fn limits_or_default(limits: (Option<i64>, Option<i64>)) -> (i64, i64) {
    (limits.0.unwrap_or(DEFAULT_LIMITS.0), limits.1.unwrap_or(DEFAULT_LIMITS.1))
}

pub(crate) fn session_ms() -> i64 {
    SESSION_DAYS * 24 * 3600 * 1000
}

/// Signs the device out: its sessions end, it stops counting as active, and it holds no
/// ticket any more (which may complete pending deletions).
pub(crate) async fn sign_out(state: &WalletState, session: &SpectatorSession) -> Result<(), WalletError> {
    let now = crate::millis(chrono::Utc::now());
    let mut tx = state.db.begin_write().await?;
    sql("UPDATE wallet_sessions SET revoked_at = $1 WHERE device_pk = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session.device_pk)
        .execute(&mut tx)
        .await?;
    sql("UPDATE wallet_devices SET active = $1 WHERE id = $2")
        .bind(false)
        .bind(session.device_pk)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    crate::spectator::devices::release_all(state, session.device_pk, now).await
}
