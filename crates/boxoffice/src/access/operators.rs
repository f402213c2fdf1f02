//! Operators: people of one organization who sign in with an e-mail and a password (stored as
//! an argon2id hash) and act with one role.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use tixbridge_store::{Db, sql};

use super::Role;
use super::audit::{self, AuditEntry};
use crate::{BoxOfficeError, validate};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOperator {
    pub email: String,
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    /// None: a password is generated and returned once.
    #[schema(min_length = 12, format = Password)]
    pub password: Option<String>,
}

/// An operator as listed: never the password or its hash.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Operator)]
pub struct OperatorInfo {
    pub id: i64,
    pub email: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = crate::access::Role)]
    pub role: RoleText,
    #[serde(skip)]
    pub disabled_at: Option<i64>,
}

/// A role read from the database (kept as text by sqlx, checked on the way out).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RoleText(pub Role);

impl TryFrom<String> for RoleText {
    type Error = BoxOfficeError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Role::parse(&text).map(RoleText)
    }
}

/// A created operator, with the generated password when none was given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOperator {
    #[serde(flatten)]
    pub operator: OperatorInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

fn check_password(password: &str) -> Result<(), BoxOfficeError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > 1024 {
        return Err(BoxOfficeError::invalid(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to 1,024 characters long"),
        ));
    }
    Ok(())
}

/// A password of 24 random URL-safe characters.
pub fn generate_password() -> String {
    super::secret::generate().secret.chars().take(24).collect()
}

/// The argon2id hash of `password`, off the async workers (it is deliberately slow).
async fn hash_password(password: String) -> Result<String, BoxOfficeError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string())
    })
    .await
    .map_err(|err| BoxOfficeError::Sql(sqlx::Error::Protocol(err.to_string())))?
    .map_err(|err| BoxOfficeError::Sql(sqlx::Error::Protocol(format!("hashing a password: {err}"))))
}

/// Whether `password` matches the stored hash; a missing hash still costs one verification,
/// so timing does not tell an unknown e-mail from a wrong password.
pub(crate) async fn verify_password(password: String, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let verified = tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| {
            // A real hash of a throwaway password, computed with the same parameters.
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(b"unknown operator", &salt).map(|h| h.to_string()).unwrap_or_default()
        });
        PasswordHash::new(&stored)
            .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
    })
    .await
    .unwrap_or(false);
    known && verified
}

/// Creates an operator in `organization_id`.
pub async fn create(
    db: &Db,
    organization_id: i64,
    new: NewOperator,
    actor: &str,
) -> Result<CreatedOperator, BoxOfficeError> {
    let email =
        validate::email("email", Some(&new.email))?.ok_or_else(|| BoxOfficeError::invalid("email", "is required"))?;
    let role = Role::parse(&new.role)?;
    let generated_password = new.password.is_none().then(generate_password);
    let password = new.password.or_else(|| generated_password.clone()).unwrap_or_default();
    check_password(&password)?;
    let hash = hash_password(password).await?;
    let mut tx = db.begin_write().await?;
    let inserted: Option<i64> =
        sql("INSERT INTO bo_operators (organization_id, email, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, email) DO NOTHING RETURNING id")
        .bind(organization_id)
        .bind(&email)
        .bind(&hash)
        .bind(role.as_str())
        .bind(crate::now_ms())
        .scalar_optional(&mut tx)
        .await?;
    if let Some(id) = inserted {
        let entry = AuditEntry::new(organization_id, actor, "operator.create", format!("operator {id}"))
            .with_fields(["email", "role", "password"]);
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    let id =
        inserted.ok_or_else(|| BoxOfficeError::duplicate("email", format!("an operator {email} already exists")))?;
    Ok(CreatedOperator {
        operator: OperatorInfo { id, email, role: RoleText(role), disabled_at: None },
        generated_password,
    })
}

/// The organization's operators who may still sign in.
pub async fn list(
    db: &Db,
    organization_id: i64,
    after: Option<(String, i64)>,
    rows: i64,
) -> Result<Vec<OperatorInfo>, BoxOfficeError> {
    let (email, id) = after.unwrap_or_default();
    Ok(sql("SELECT id, email, role, disabled_at FROM bo_operators
         WHERE organization_id = $1 AND disabled_at IS NULL AND (email, id) > ($2, $3) ORDER BY email, id LIMIT $4")
    .bind(organization_id)
    .bind(email)
    .bind(id)
    .bind(rows)
    .fetch_all(&mut db.reader().await?)
    .await?)
}

/// Disables operator `id` of `organization_id` and ends its sessions.
pub async fn disable(db: &Db, organization_id: i64, id: i64, actor: &str) -> Result<(), BoxOfficeError> {
    let now = crate::now_ms();
    let mut tx = db.begin_write().await?;
    let changed =
        sql("UPDATE bo_operators SET disabled_at = $1 WHERE id = $2 AND organization_id = $3 AND disabled_at IS NULL")
            .bind(now)
            .bind(id)
            .bind(organization_id)
            .execute(&mut tx)
            .await?;
    if changed > 0 {
        sql("UPDATE bo_operator_sessions SET ended_at = $1 WHERE operator_id = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let entry = AuditEntry::new(organization_id, actor, "operator.disable", format!("operator {id}"))
            .with_fields(["disabled"]);
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    if changed == 0 {
        return Err(BoxOfficeError::not_found(format!("operator {id}")));
    }
    Ok(())
}

/// The operator `email` of `organization_id`, for signing in: id, role and password hash.
pub(crate) async fn for_sign_in(
    db: &Db,
    organization_id: i64,
    email: &str,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    sql("SELECT id, role, password_hash FROM bo_operators
         WHERE organization_id = $1 AND email = $2 AND disabled_at IS NULL")
    .bind(organization_id)
    .bind(email.trim().to_lowercase())
    .fetch_optional(&mut db.reader().await?)
    .await
}
