//! Operators' sign-in sessions: `POST /api/boxoffice/session` with organization, e-mail and
//! password sets an `HttpOnly`, `SameSite=Strict` cookie holding a random session secret (only
//! its hash is stored). A session ends when signed out, after [`IDLE_MS`] without use, or
//! [`LIFETIME_MS`] after sign-in, whichever comes first.

use tixbridge_store::{Db, sql};

use super::{Caller, Principal, Role, operators, secret};
use crate::BoxOfficeError;

/// The session cookie's name.
pub const COOKIE: &str = "tixbridge_console";
/// The prefix of a session credential.
const PREFIX: &str = "tbs";
/// A session ends this long after sign-in.
pub const LIFETIME_MS: i64 = 12 * 3600 * 1000;
/// A session ends after this long without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
/// How often `last_seen_at` is written (not on every request).
const SEEN_RESOLUTION_MS: i64 = 60_000;
/// Sign-in attempts allowed per e-mail from one client network, and per network, within
/// [`THROTTLE_WINDOW_MS`]: enough for a person mistyping, too few to guess a password, and
/// nobody elsewhere can use them up to lock an operator out.
pub const ATTEMPTS_PER_ACCOUNT_AND_NETWORK: i64 = 10;
pub const ATTEMPTS_PER_NETWORK: i64 = 60;
const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
const BUCKETS: tixbridge_store::throttle::BucketTable = tixbridge_store::throttle::BucketTable("bo_sign_in_buckets");

/// Counts a sign-in attempt for `email` of `organization` from `client`; refuses once either
/// bucket is full, saying when to come back.
pub async fn count_attempt(
    db: &Db,
    organization: &str,
    email: &str,
    client: Option<std::net::IpAddr>,
) -> Result<(), BoxOfficeError> {
    use sha2::{Digest, Sha256};
    let network = tixbridge_store::throttle::network_of(client);
    let account = format!("{}|{}", organization.trim().to_uppercase(), email.trim().to_lowercase());
    let keys = [
        Sha256::digest(format!("operator:{account}|network:{network}")).to_vec(),
        Sha256::digest(format!("network:{network}")).to_vec(),
    ];
    let now = crate::now_ms();
    let counted = tixbridge_store::throttle::hit(db, BUCKETS, &keys, now, THROTTLE_WINDOW_MS).await?;
    let limits = [ATTEMPTS_PER_ACCOUNT_AND_NETWORK, ATTEMPTS_PER_NETWORK];
    for ((hits, started), limit) in counted.into_iter().zip(limits) {
        if hits > limit {
            let minutes = (started + THROTTLE_WINDOW_MS - now).max(0) / 60_000 + 1;
            return Err(BoxOfficeError::TooMany(format!(
                "too many sign-in attempts: try again in {minutes} minute(s)"
            )));
        }
    }
    Ok(())
}

/// A new session: the cookie value and the operator it speaks for.
pub struct NewSession {
    pub cookie_value: String,
    pub operator_id: i64,
    pub role: Role,
}

/// Signs operator `email` of `organization_id` in; `None` for an unknown e-mail or a wrong
/// password (the two are not told apart).
pub async fn sign_in(
    db: &Db,
    organization_id: i64,
    email: &str,
    password: &str,
) -> Result<Option<NewSession>, BoxOfficeError> {
    let found = operators::for_sign_in(db, organization_id, email).await?;
    let stored = found.as_ref().map(|(_, _, hash)| hash.clone());
    if !operators::verify_password(password.to_owned(), stored).await {
        return Ok(None);
    }
    let Some((operator_id, role, _)) = found else { return Ok(None) };
    let role = Role::parse(&role)?;
    let fresh = secret::generate();
    let now = crate::now_ms();
    let id: i64 =
        sql("INSERT INTO bo_operator_sessions (operator_id, secret_hash, created_at, expires_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $3) RETURNING id")
        .bind(operator_id)
        .bind(&fresh.hash)
        .bind(now)
        .bind(now + LIFETIME_MS)
        .scalar(&mut db.writer().await?)
        .await?;
    Ok(Some(NewSession { cookie_value: secret::compose(PREFIX, id, &fresh.secret), operator_id, role }))
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    secret_hash: Vec<u8>,
    expires_at: i64,
    last_seen_at: i64,
    ended_at: Option<i64>,
    operator_id: i64,
    organization_id: i64,
    email: String,
    role: String,
    disabled_at: Option<i64>,
}

/// The caller a session cookie speaks for; `None` for anything not a live session.
pub async fn authenticate(db: &Db, cookie_value: &str) -> Result<Option<Caller>, sqlx::Error> {
    let Some((id, secret_text)) = secret::split(PREFIX, cookie_value) else { return Ok(None) };
    let row: Option<SessionRow> =
        sql("SELECT s.secret_hash, s.expires_at, s.last_seen_at, s.ended_at, o.id AS operator_id, o.organization_id,
                o.email, o.role, o.disabled_at
         FROM bo_operator_sessions s JOIN bo_operators o ON o.id = s.operator_id WHERE s.id = $1")
        .bind(id)
        .fetch_optional(&mut db.reader().await?)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let now = crate::now_ms();
    let live =
        row.ended_at.is_none() && row.disabled_at.is_none() && row.expires_at > now && now - row.last_seen_at < IDLE_MS;
    if !secret::matches(secret_text, &row.secret_hash) || !live {
        return Ok(None);
    }
    let Ok(role) = Role::parse(&row.role) else { return Ok(None) };
    let seen = Some(row.last_seen_at);
    secret::mark_used(db, ("bo_operator_sessions", "last_seen_at"), id, seen, now, SEEN_RESOLUTION_MS).await?;
    Ok(Some(Caller {
        organization_id: row.organization_id,
        role,
        principal: Principal::Operator { id: row.operator_id, email: row.email },
        events: None,
    }))
}

/// Ends the session a cookie names (nothing when it names none).
pub async fn sign_out(db: &Db, cookie_value: &str) -> Result<(), sqlx::Error> {
    let Some((id, secret_text)) = secret::split(PREFIX, cookie_value) else { return Ok(()) };
    let stored: Option<Vec<u8>> = sql("SELECT secret_hash FROM bo_operator_sessions WHERE id = $1")
        .bind(id)
        .scalar_optional(&mut db.reader().await?)
        .await?;
    if stored.is_some_and(|hash| secret::matches(secret_text, &hash)) {
        sql("UPDATE bo_operator_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(crate::now_ms())
            .bind(id)
            .execute(&mut db.writer().await?)
            .await?;
    }
    Ok(())
}
