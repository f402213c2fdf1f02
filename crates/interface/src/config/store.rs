//! Storing interfaces. The wallet API key is sealed under the server key before it is
//! written and opened only when a function needs to call the wallet.

use tixbridge_boxoffice::access::audit::AuditEntry;
use tixbridge_boxoffice::wallet_side::organizations::{self, InterfaceOrganization};
use tixbridge_store::{Conn, Db, Tx, sql};
use tixbridge_vault::ServerKey;

use super::{ConfigError, Interface, InterfaceInput, InterfaceType, WalletHosts, refuse, validate};
use crate::params::CustomParameters;

/// The sealing context of interface passwords.
const PASSWORD_CONTEXT: &str = "interface-password";

#[derive(Debug, thiserror::Error)]
pub enum InterfaceError {
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    /// Several broken rules at once, each naming its field.
    #[error("{} fields are invalid", .0.len())]
    InvalidFields(Vec<ConfigError>),
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("the stored interface password cannot be opened with this server key")]
    Unseal,
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl From<Vec<ConfigError>> for InterfaceError {
    fn from(mut errors: Vec<ConfigError>) -> Self {
        match errors.len() {
            1 => InterfaceError::Invalid(errors.remove(0)),
            _ => InterfaceError::InvalidFields(errors),
        }
    }
}

pub(crate) async fn organization_by_code(db: &Db, code: &str) -> Result<InterfaceOrganization, InterfaceError> {
    let row = organizations::by_code(&mut db.reader().await?, code).await?;
    row.ok_or_else(|| InterfaceError::NotFound(format!("no organization {code:?}")))
}

/// The id of organization `code`.
pub async fn store_organization_id(db: &Db, code: &str) -> Result<i64, InterfaceError> {
    Ok(organization_by_code(db, code).await?.id)
}

/// Creates the wallet interface of organization `org_code`, pointing at one of `hosts`.
pub async fn create_interface(
    db: &Db,
    key: &ServerKey,
    hosts: &WalletHosts,
    org_code: &str,
    input: InterfaceInput,
    audit: &AuditEntry,
) -> Result<Interface, InterfaceError> {
    let mut tx = db.begin_write().await?;
    let created = create_interface_in(&mut tx, db, key, hosts, org_code, input, audit).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create_interface`] inside the caller's `tx`, left uncommitted (an idempotent create stores
/// its answer in the same transaction).
pub async fn create_interface_in(
    tx: &mut Tx,
    db: &Db,
    key: &ServerKey,
    hosts: &WalletHosts,
    org_code: &str,
    input: InterfaceInput,
    audit: &AuditEntry,
) -> Result<Interface, InterfaceError> {
    let valid = validate(input, true, hosts)?;
    let org = organization_by_code(db, org_code).await?;
    if !org.owns_inventory {
        return Err(InterfaceError::Conflict {
            field: "organization",
            message: "the wallet interface must live in the organization that owns the inventory (where the catalog is defined)".into(),
        });
    }
    let password = valid.password.clone().unwrap_or_default();
    let sealed = key.seal(PASSWORD_CONTEXT, password.as_bytes());
    let now = chrono::Utc::now().timestamp_millis();
    let id: Option<i64> = sql("INSERT INTO itf_interfaces (organization_id, name, type, url, login, password_sealed,
             notification_emails, custom_parameters, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (organization_id) DO NOTHING RETURNING id")
    .bind(org.id)
    .bind(&valid.name)
    .bind(valid.kind.as_str())
    .bind(&valid.url)
    .bind(&valid.login)
    .bind(&sealed)
    .bind(valid.notification_emails.join(","))
    .bind(&valid.custom_parameters)
    .bind(now)
    .scalar_optional(&mut *tx)
    .await?;
    let id = id.ok_or(InterfaceError::Conflict {
        field: "organization",
        message: "this organization already has a wallet interface (at most one: two would break the push functions)"
            .into(),
    })?;
    tixbridge_boxoffice::access::audit::record(tx, &audit.clone().on(format!("interface {id}"))).await?;
    load_interface_in(tx, key, id).await
}

/// Changes an interface; an absent password keeps the stored one, but only while the URL and
/// the login stay: otherwise whoever holds a box-office session could send the stored wallet
/// key to a server of their own.
pub async fn update_interface(
    db: &Db,
    key: &ServerKey,
    hosts: &WalletHosts,
    org_code: &str,
    input: InterfaceInput,
    audit: &AuditEntry,
) -> Result<Interface, InterfaceError> {
    let valid = validate(input, false, hosts)?;
    let current = load_interface_of_org(db, key, org_code).await?;
    let moved = valid.url != current.url.trim_end_matches('/') || valid.login != current.login;
    if moved && valid.password.is_none() {
        return Err(refuse(
            "password",
            "is required when the URL or the login changes: enter the wallet API key again",
        )
        .into());
    }
    let sealed = valid.password.as_ref().map(|p| key.seal(PASSWORD_CONTEXT, p.as_bytes()));
    let mut tx = db.begin_write().await?;
    sql("UPDATE itf_interfaces SET name = $1, type = $2, url = $3, login = $4,
             password_sealed = COALESCE($5, password_sealed), notification_emails = $6, custom_parameters = $7
         WHERE id = $8")
    .bind(&valid.name)
    .bind(valid.kind.as_str())
    .bind(&valid.url)
    .bind(&valid.login)
    .bind(sealed)
    .bind(valid.notification_emails.join(","))
    .bind(&valid.custom_parameters)
    .bind(current.id)
    .execute(&mut tx)
    .await?;
    tixbridge_boxoffice::access::audit::record(&mut tx, &audit.clone().on(format!("interface {}", current.id))).await?;
    tx.commit().await?;
    load_interface(db, key, current.id).await
}

#[derive(sqlx::FromRow)]
struct InterfaceRow {
    id: i64,
    organization_id: i64,
    name: String,
    #[sqlx(rename = "type")]
    kind: String,
    url: String,
    login: String,
    password_sealed: Vec<u8>,
    notification_emails: String,
    custom_parameters: String,
}

const SELECT: &str = "SELECT id, organization_id, name, type, url, login, password_sealed, notification_emails,
        custom_parameters FROM itf_interfaces";

pub async fn load_interface(db: &Db, key: &ServerKey, id: i64) -> Result<Interface, InterfaceError> {
    load_interface_in(&mut db.reader().await?, key, id).await
}

/// [`load_interface`] on `conn` (a transaction sees the interface it just made).
pub async fn load_interface_in(conn: &mut impl Conn, key: &ServerKey, id: i64) -> Result<Interface, InterfaceError> {
    let row: Option<InterfaceRow> = sql(format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    open_row(row.ok_or_else(|| InterfaceError::NotFound(format!("no interface {id}")))?, key)
}

pub async fn load_interface_of_org(db: &Db, key: &ServerKey, org_code: &str) -> Result<Interface, InterfaceError> {
    let org = organization_by_code(db, org_code).await?;
    let row: Option<InterfaceRow> = sql(format!("{SELECT} WHERE organization_id = $1"))
        .bind(org.id)
        .fetch_optional(&mut db.reader().await?)
        .await?;
    open_row(row.ok_or_else(|| InterfaceError::NotFound(format!("organization {org_code:?} has no interface")))?, key)
}

fn open_row(row: InterfaceRow, key: &ServerKey) -> Result<Interface, InterfaceError> {
    let password = key.open(PASSWORD_CONTEXT, &row.password_sealed).map_err(|_| InterfaceError::Unseal)?;
    Ok(Interface {
        id: row.id,
        organization_id: row.organization_id,
        name: row.name,
        kind: InterfaceType::parse(&row.kind).unwrap_or(InterfaceType::Tixngo),
        url: row.url,
        login: row.login,
        password: String::from_utf8(password).map_err(|_| InterfaceError::Unseal)?,
        notification_emails: row.notification_emails.split(',').filter(|e| !e.is_empty()).map(str::to_owned).collect(),
        params: CustomParameters::parse(&row.custom_parameters).unwrap_or_default(),
        custom_parameters_text: row.custom_parameters,
    })
}

/// Whether `key` opens the wallet API key sealed in this database: `None` when nothing is
/// sealed yet. Lets a process started on a database older than its key fingerprint tell a
/// wrong key at start rather than at its first run.
pub async fn sealed_secrets_open_with(db: &Db, key: Option<&ServerKey>) -> Result<Option<bool>, sqlx::Error> {
    let sealed: Option<Vec<u8>> = sql("SELECT password_sealed FROM itf_interfaces ORDER BY id LIMIT 1")
        .scalar_optional(&mut db.reader().await?)
        .await?;
    Ok(sealed.map(|sealed| key.is_some_and(|key| key.open(PASSWORD_CONTEXT, &sealed).is_ok())))
}
