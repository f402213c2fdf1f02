//! API tokens: random bearer credentials of one organization with one role, shown once when
//! created, stored hashed, revocable, with an optional expiry and a last-used time. A `gate`
//! token may be bound to the wallet events it scans for.

use serde::{Deserialize, Serialize};
use tixbridge_store::{Db, sql};

use super::audit::{self, AuditEntry};
use super::{Caller, Principal, Role, secret};
use crate::{BoxOfficeError, validate};

/// The prefix of every API token.
pub const PREFIX: &str = "tbt";

/// How often the last-used time is written: at most once a minute per token, so a busy
/// scanner does not turn every request into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// What to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewToken {
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    /// RFC 3339; none: the token does not expire.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// Wallet event ids a `gate` token may scan for.
    pub events: Option<Vec<String>>,
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Token)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

/// A created token with its one-time text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The bearer credential; it exists nowhere else after this answer.
    pub token: String,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    role: String,
    events: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn info(self) -> Result<TokenInfo, BoxOfficeError> {
        Ok(TokenInfo {
            id: self.id,
            name: self.name,
            role: Role::parse(&self.role)?,
            events: self.events.as_deref().map(|e| serde_json::from_str(e).unwrap_or_default()),
            created_at: crate::rfc3339(self.created_at),
            expires_at: self.expires_at.map(crate::rfc3339),
            last_used_at: self.last_used_at.map(crate::rfc3339),
            revoked: self.revoked_at.is_some(),
        })
    }
}

fn parse_new(new: &NewToken) -> Result<(String, Role, Option<i64>, Option<String>), BoxOfficeError> {
    let name = validate::text("name", &new.name, 100)?;
    let role = Role::parse(&new.role)?;
    let expires_at = match new.expires_at.as_deref() {
        None => None,
        Some(text) => {
            let at = chrono::DateTime::parse_from_rfc3339(text.trim())
                .map_err(|_| BoxOfficeError::invalid("expiresAt", "must be an RFC 3339 date-time"))?
                .timestamp_millis();
            if at <= crate::now_ms() {
                return Err(BoxOfficeError::invalid("expiresAt", "must be in the future"));
            }
            Some(at)
        }
    };
    let events = match &new.events {
        None => None,
        Some(events) => {
            if role != Role::Gate {
                return Err(BoxOfficeError::invalid("events", "only a gate token is bound to events"));
            }
            if events.is_empty() || events.len() > 100 {
                return Err(BoxOfficeError::invalid("events", "must list 1 to 100 event ids"));
            }
            if events.iter().any(|e| e.trim().is_empty() || e.len() > 256) {
                return Err(BoxOfficeError::invalid("events", "each event id must be 1 to 256 characters"));
            }
            Some(serde_json::to_string(events).unwrap_or_default())
        }
    };
    Ok((name, role, expires_at, events))
}

/// Creates a token in `organization_id`; `actor` is recorded in the audit record.
pub async fn create(
    db: &Db,
    organization_id: i64,
    new: &NewToken,
    actor: &str,
) -> Result<CreatedToken, BoxOfficeError> {
    let (name, role, expires_at, events) = parse_new(new)?;
    let fresh = secret::generate();
    let now = crate::now_ms();
    let mut tx = db.begin_write().await?;
    let id: i64 =
        sql("INSERT INTO bo_api_tokens (organization_id, name, role, secret_hash, events, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(organization_id)
        .bind(&name)
        .bind(role.as_str())
        .bind(&fresh.hash)
        .bind(events.as_deref())
        .bind(now)
        .bind(expires_at)
        .scalar(&mut tx)
        .await?;
    let entry = AuditEntry::new(organization_id, actor, "token.create", format!("token {id}")).with_fields([
        "name",
        "role",
        "expiresAt",
        "events",
    ]);
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    let info = TokenInfo {
        id,
        name,
        role,
        events: events.map(|e| serde_json::from_str(&e).unwrap_or_default()),
        created_at: crate::rfc3339(now),
        expires_at: expires_at.map(crate::rfc3339),
        last_used_at: None,
        revoked: false,
    };
    Ok(CreatedToken { info, token: secret::compose(PREFIX, id, &fresh.secret) })
}

const SELECT: &str =
    "SELECT id, name, role, events, created_at, expires_at, last_used_at, revoked_at FROM bo_api_tokens";

/// The organization's tokens, newest first.
pub async fn list(
    db: &Db,
    organization_id: i64,
    before: Option<i64>,
    rows: i64,
) -> Result<Vec<TokenInfo>, BoxOfficeError> {
    let rows: Vec<TokenRow> = sql(format!("{SELECT} WHERE organization_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"))
        .bind(organization_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(rows)
        .fetch_all(&mut db.reader().await?)
        .await?;
    rows.into_iter().map(TokenRow::info).collect()
}

/// Revokes token `id` of `organization_id` (404 for another organization's token).
pub async fn revoke(db: &Db, organization_id: i64, id: i64, actor: &str) -> Result<TokenInfo, BoxOfficeError> {
    let mut tx = db.begin_write().await?;
    sql("UPDATE bo_api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND organization_id = $3")
        .bind(crate::now_ms())
        .bind(id)
        .bind(organization_id)
        .execute(&mut tx)
        .await?;
    let row: Option<TokenRow> = sql(format!("{SELECT} WHERE id = $1 AND organization_id = $2"))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&mut tx)
        .await?;
    if row.is_some() {
        let entry =
            AuditEntry::new(organization_id, actor, "token.revoke", format!("token {id}")).with_fields(["revoked"]);
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    row.ok_or_else(|| BoxOfficeError::not_found(format!("token {id}")))?.info()
}

#[derive(sqlx::FromRow)]
struct AuthRow {
    organization_id: i64,
    name: String,
    role: String,
    secret_hash: Vec<u8>,
    events: Option<String>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// The caller a presented token speaks for; `None` for anything not a live token of ours.
pub async fn authenticate(db: &Db, presented: &str) -> Result<Option<Caller>, sqlx::Error> {
    let Some((id, secret_text)) = secret::split(PREFIX, presented) else { return Ok(None) };
    let row: Option<AuthRow> =
        sql("SELECT organization_id, name, role, secret_hash, events, expires_at, last_used_at, revoked_at
         FROM bo_api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut db.reader().await?)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let now = crate::now_ms();
    let live = row.revoked_at.is_none() && row.expires_at.is_none_or(|at| at > now);
    if !secret::matches(secret_text, &row.secret_hash) || !live {
        return Ok(None);
    }
    let Ok(role) = Role::parse(&row.role) else { return Ok(None) };
    secret::mark_used(db, ("bo_api_tokens", "last_used_at"), id, row.last_used_at, now, LAST_USED_RESOLUTION_MS)
        .await?;
    Ok(Some(Caller {
        organization_id: row.organization_id,
        role,
        principal: Principal::Token { id, name: row.name },
        events: row.events.as_deref().map(|e| serde_json::from_str(e).unwrap_or_default()),
    }))
}
