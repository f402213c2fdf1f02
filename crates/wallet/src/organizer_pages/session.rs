//! The organizer pages' sessions. The cookie holds a 256-bit token; the database keeps only
//! its SHA-256. A session ends after [`IDLE_MS`] without a page, after [`LIFETIME_MS`]
//! whatever its use, or at sign-out. Every form carries a CSRF token: an HMAC of the token
//! hash under a key derived from the server key, so nothing more is stored.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::Mac;
use subtle::ConstantTimeEq;
use tixbridge_store::sql;

use super::OrgPageError;
use crate::WalletState;
use crate::spectator::session::{random_token, sha256};

/// The session cookie, sent to these pages only.
pub(crate) const SESSION_COOKIE: &str = "tb_org_session";
/// A session unused this long has ended.
pub(crate) const IDLE_MS: i64 = 30 * 60 * 1000;
/// A session ends this long after sign-in, however much it is used.
const LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;
/// The idle deadline moves at most once a minute: a page view is not a write each time.
const TOUCH_MS: i64 = 60 * 1000;

/// A signed-in organizer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OrganizerSession {
    pub session_id: i64,
    pub organizer_id: i64,
    pub login: String,
    token_hash: Vec<u8>,
    last_seen_at: i64,
}

fn mac(state: &WalletState, purpose: &str, data: &[u8]) -> String {
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&state.key.derive(purpose)).expect("HMAC takes any key");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `given` is the token `expected`, compared in constant time.
pub(crate) fn same_token(expected: &str, given: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// The CSRF token of the sign-in form, bound to the browser's sign-in cookie.
pub(crate) fn sign_in_csrf(state: &WalletState, cookie: &str) -> String {
    mac(state, "wallet-organizer-sign-in-csrf", cookie.as_bytes())
}

/// Refused form: its token is not this session's.
pub(crate) fn form_expired() -> OrgPageError {
    OrgPageError(
        axum::http::StatusCode::FORBIDDEN,
        "This form has expired or did not come from these pages. Nothing was changed: open the page again and retry."
            .into(),
    )
}

impl OrganizerSession {
    /// The CSRF token every form of this session carries.
    pub(crate) fn csrf(&self, state: &WalletState) -> String {
        mac(state, "wallet-organizer-csrf", &self.token_hash)
    }

    pub(crate) fn check_csrf(&self, state: &WalletState, given: &str) -> Result<(), OrgPageError> {
        if same_token(&self.csrf(state), given) { Ok(()) } else { Err(form_expired()) }
    }

    async fn from_token(state: &WalletState, token: &str, now: i64) -> Result<Option<Self>, sqlx::Error> {
        sql("SELECT s.id AS session_id, s.organizer_id, o.login, s.token_hash, s.last_seen_at
             FROM wallet_organizer_sessions s JOIN wallet_organizers o ON o.id = s.organizer_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.idle_expires_at > $2 AND s.expires_at > $2")
        .bind(sha256(token))
        .bind(now)
        .fetch_optional(&mut state.db.reader().await?)
        .await
    }

    /// Moves the idle deadline, when the last move is older than [`TOUCH_MS`].
    async fn touch(&self, state: &WalletState, now: i64) -> Result<(), sqlx::Error> {
        if now - self.last_seen_at < TOUCH_MS {
            return Ok(());
        }
        let mut tx = state.db.begin_write().await?;
        sql("UPDATE wallet_organizer_sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind(now + IDLE_MS)
            .bind(self.session_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }
}

/// Without a live session, every page but the sign-in sends the browser to the sign-in.
impl FromRequestParts<WalletState> for OrganizerSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WalletState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to("/wallet/organizer/sign-in").into_response();
        let Some(token) = crate::pages::cookie(&parts.headers, SESSION_COOKIE) else { return Err(to_sign_in()) };
        let now = crate::millis(chrono::Utc::now());
        let found =
            Self::from_token(state, &token, now).await.map_err(|err| OrgPageError::from(err).into_response())?;
        let session = found.ok_or_else(to_sign_in)?;
        session.touch(state, now).await.map_err(|err| OrgPageError::from(err).into_response())?;
        Ok(session)
    }
}

/// Opens a session for organizer `organizer`; the token goes to the cookie and nowhere else.
pub(crate) async fn open(state: &WalletState, organizer: i64) -> Result<String, sqlx::Error> {
    let token = random_token("tbo_");
    let now = crate::millis(chrono::Utc::now());
    let mut tx = state.db.begin_write().await?;
    sql("INSERT INTO wallet_organizer_sessions
         (token_hash, organizer_id, created_at, last_seen_at, idle_expires_at, expires_at) VALUES ($1, $2, $3, $3, $4, $5)")
    .bind(sha256(&token))
    .bind(organizer)
    .bind(now)
    .bind(now + IDLE_MS)
    .bind(now + LIFETIME_MS)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Ends the session for good (sign-out).
pub(crate) async fn close(state: &WalletState, session: &OrganizerSession) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin_write().await?;
    sql("UPDATE wallet_organizer_sessions SET revoked_at = $1 WHERE id = $2")
        .bind(crate::millis(chrono::Utc::now()))
        .bind(session.session_id)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

/// A `Set-Cookie` value for one of these pages' cookies: sent to `/wallet/organizer` only,
/// never to scripts, never from another site, over https only when the wallet is served so.
pub(crate) fn set_cookie(state: &WalletState, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{name}={value}; Path=/wallet/organizer; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}")
}

/// The session cookie's Max-Age: the session's whole life (idle expiry is the server's).
pub(crate) const COOKIE_SECONDS: i64 = LIFETIME_MS / 1000;
