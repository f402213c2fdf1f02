//! Storing functions, and the rule that spans interfaces: one active feedback function per
//! wallet organizer (two would race on the same feed cursor).

use tixbridge_boxoffice::access::audit::AuditEntry;
use tixbridge_boxoffice::wallet_side::printing::point_of_sale_id;
use tixbridge_store::{Backend, Conn, Db, Tx, sql};

use super::{FunctionDef, FunctionInput, FunctionKind, Launch, Settings};
use crate::config::{ConfigError, Interface, InterfaceError};

fn refuse(field: &str, rule: impl Into<String>) -> InterfaceError {
    InterfaceError::Invalid(ConfigError { field: field.to_owned(), rule: rule.into() })
}

fn parse_time(field: &str, text: Option<&str>) -> Result<Option<i64>, InterfaceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|at| Some(at.timestamp_millis()))
            .map_err(|_| refuse(field, "must be an RFC 3339 date-time")),
    }
}

/// The checked columns of a function.
struct Checked {
    kind: FunctionKind,
    name: String,
    launch: Launch,
    frequency_seconds: Option<i64>,
    start_at: Option<i64>,
    end_at: Option<i64>,
    active: bool,
    settings: Settings,
}

fn check(input: &FunctionInput) -> Result<Checked, InterfaceError> {
    let kind = FunctionKind::parse(input.kind.trim()).ok_or_else(|| {
        refuse("kind", "must be INJECTION, FEEDBACK, PUSH_CANCELLED, PUSH_CONTROLLED, PRIVILEGES or RECONCILE")
    })?;
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(refuse("name", "is required, at most 128 characters"));
    }
    let launch = Launch::parse(input.launch.trim())
        .ok_or_else(|| refuse("launch", "must be MANUAL, AUTOMATIC or CONTINUOUS"))?;
    if kind == FunctionKind::Reconcile && launch == Launch::Continuous {
        // a reconcile reads every ticket: it runs when asked or on a schedule, never per change
        return Err(refuse("launch", "a RECONCILE function is MANUAL or AUTOMATIC"));
    }
    let frequency_seconds = match (launch, input.frequency_minutes) {
        (Launch::Automatic, None | Some(0)) => {
            return Err(refuse("frequencyMinutes", "is required for an AUTOMATIC function (whole minutes ≥ 1)"));
        }
        (_, Some(minutes)) if minutes > 7 * 24 * 60 => return Err(refuse("frequencyMinutes", "at most one week")),
        (_, minutes) => minutes.map(|m| i64::from(m) * 60),
    };
    let start_at = parse_time("start", input.start.as_deref())?;
    let end_at = parse_time("end", input.end.as_deref())?;
    if let (Some(start), Some(end)) = (start_at, end_at)
        && end <= start
    {
        return Err(refuse("end", "must be after start"));
    }
    let settings = Settings::parse(kind, input.settings.clone()).map_err(InterfaceError::Invalid)?;
    Ok(Checked { kind, name, launch, frequency_seconds, start_at, end_at, active: input.active, settings })
}

/// A push's `dateFrom`, when set (ms).
fn date_from(settings: &Settings) -> Option<i64> {
    match settings {
        Settings::Push(push) => push.date_from_ms(),
        _ => None,
    }
}

/// Refuses an injection whose `pointOfSale` is not one of the interface organization's points
/// of sale: the tickets it prints record it (docs/interface.md#ticket-injection).
async fn check_catalog(db: &Db, interface: &Interface, settings: &Settings) -> Result<(), InterfaceError> {
    let Settings::Injection(injection) = settings else { return Ok(()) };
    let Some((channel, pos)) = injection.point_of_sale_codes() else { return Ok(()) };
    let found = point_of_sale_id(&mut db.reader().await?, interface.organization_id, channel, pos).await?;
    match found {
        Some(_) => Ok(()),
        None => Err(refuse(
            "pointOfSale",
            format!("{channel};{pos}: sales channel {channel:?} of this organization has no point of sale {pos:?}"),
        )),
    }
}

/// Refuses a second active feedback function for the same wallet organizer (same URL and
/// login), inside `tx`; on PostgreSQL an advisory lock on the organizer serializes the check.
async fn ensure_single_feedback(tx: &mut Tx, interface: &Interface, except: i64) -> Result<(), InterfaceError> {
    if tx.backend() == Backend::Postgres {
        sql("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("feedback:{}:{}", interface.url, interface.login))
            .execute(tx)
            .await?;
    }
    let others: i64 = sql("SELECT COUNT(*) FROM itf_functions f JOIN itf_interfaces i ON i.id = f.interface_id
         WHERE f.kind = 'FEEDBACK' AND f.active = $1 AND i.url = $2 AND i.login = $3 AND f.id <> $4")
    .bind(true)
    .bind(&interface.url)
    .bind(&interface.login)
    .bind(except)
    .scalar(tx)
    .await?;
    if others > 0 {
        return Err(refuse(
            "active",
            "this wallet organizer already has an active feedback function (only one may be active)",
        ));
    }
    Ok(())
}

/// The template an injection names must be one of the interface organization's.
async fn ensure_template(tx: &mut Tx, interface: &Interface, settings: &Settings) -> Result<(), InterfaceError> {
    if let Settings::Injection(s) = settings
        && let Some(id) = s.template_id
        && !crate::template::template_exists(tx, interface.organization_id, id).await?
    {
        return Err(refuse("settings.templateId", format!("no template {id} in this organization")));
    }
    Ok(())
}

pub async fn create_function(
    db: &Db,
    interface: &Interface,
    input: FunctionInput,
    audit: &AuditEntry,
) -> Result<FunctionDef, InterfaceError> {
    let mut tx = db.begin_write().await?;
    let created = create_function_in(&mut tx, db, interface, input, audit).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create_function`] inside the caller's `tx`, left uncommitted (an idempotent create stores
/// its answer in the same transaction); `db` reads the catalog.
pub async fn create_function_in(
    tx: &mut Tx,
    db: &Db,
    interface: &Interface,
    input: FunctionInput,
    audit: &AuditEntry,
) -> Result<FunctionDef, InterfaceError> {
    let c = check(&input)?;
    super::fits_interface(&c.settings, interface)?;
    check_catalog(db, interface, &c.settings).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let next_run_at = c
        .frequency_seconds
        .filter(|_| c.launch == Launch::Automatic)
        .map(|f| super::schedule::first_run(f * 1000, c.start_at, now, interface.params.stick_to_the_hour));
    ensure_template(tx, interface, &c.settings).await?;
    if c.kind == FunctionKind::Feedback && c.active {
        ensure_single_feedback(tx, interface, -1).await?;
    }
    let id: i64 =
        sql("INSERT INTO itf_functions (interface_id, kind, name, launch, frequency_seconds, start_at, end_at,
             active, settings, pagination_key, next_run_at, created_at, date_from_armed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
        .bind(interface.id)
        .bind(c.kind.as_str())
        .bind(&c.name)
        .bind(c.launch.as_str())
        .bind(c.frequency_seconds)
        .bind(c.start_at)
        .bind(c.end_at)
        .bind(c.active)
        .bind(c.settings.to_json().to_string())
        .bind(input.pagination_key.as_deref().unwrap_or(""))
        .bind(next_run_at)
        .bind(now)
        .bind(date_from(&c.settings).map(|_| now))
        .scalar(&mut *tx)
        .await?;
    tixbridge_boxoffice::access::audit::record(tx, &audit.clone().on(format!("function {id}"))).await?;
    load_function_in(tx, id).await
}

pub async fn update_function(
    db: &Db,
    interface: &Interface,
    id: i64,
    input: FunctionInput,
    audit: &AuditEntry,
) -> Result<FunctionDef, InterfaceError> {
    let current = load_function(db, id).await?;
    let c = check(&input)?;
    if c.kind != current.kind {
        return Err(refuse("kind", "cannot change: create a new function instead"));
    }
    super::fits_interface(&c.settings, interface)?;
    check_catalog(db, interface, &c.settings).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let next_run_at = c
        .frequency_seconds
        .filter(|_| c.launch == Launch::Automatic)
        .map(|f| super::schedule::first_run(f * 1000, c.start_at, now, interface.params.stick_to_the_hour));
    let mut tx = db.begin_write().await?;
    ensure_template(&mut tx, interface, &c.settings).await?;
    if c.kind == FunctionKind::Feedback && c.active {
        ensure_single_feedback(&mut tx, interface, id).await?;
    }
    // a dateFrom set or changed is armed: the next successful run applies it, once
    let armed_at = match date_from(&c.settings) {
        None => None,
        Some(new) if date_from(&current.settings) == Some(new) => current.date_from_armed_at,
        Some(_) => Some(now),
    };
    sql("UPDATE itf_functions SET name = $1, launch = $2, frequency_seconds = $3, start_at = $4, end_at = $5,
             active = $6, settings = $7, pagination_key = COALESCE($8, pagination_key), next_run_at = $9,
             date_from_armed_at = $10
         WHERE id = $11")
    .bind(&c.name)
    .bind(c.launch.as_str())
    .bind(c.frequency_seconds)
    .bind(c.start_at)
    .bind(c.end_at)
    .bind(c.active)
    .bind(c.settings.to_json().to_string())
    .bind(input.pagination_key.as_deref())
    .bind(next_run_at)
    .bind(armed_at)
    .bind(id)
    .execute(&mut tx)
    .await?;
    tixbridge_boxoffice::access::audit::record(&mut tx, audit).await?;
    tx.commit().await?;
    load_function(db, id).await
}

#[derive(sqlx::FromRow)]
struct FunctionRow {
    id: i64,
    interface_id: i64,
    kind: String,
    name: String,
    launch: String,
    frequency_seconds: Option<i64>,
    start_at: Option<i64>,
    end_at: Option<i64>,
    active: bool,
    settings: String,
    pagination_key: String,
    next_run_at: Option<i64>,
    last_success_at: Option<i64>,
    date_from_armed_at: Option<i64>,
}

const SELECT: &str = "SELECT id, interface_id, kind, name, launch, frequency_seconds, start_at, end_at, active,
        settings, pagination_key, next_run_at, last_success_at, date_from_armed_at FROM itf_functions";

fn from_row(row: FunctionRow) -> Result<FunctionDef, InterfaceError> {
    let kind = FunctionKind::parse(&row.kind).ok_or_else(|| refuse("kind", format!("stored kind {:?}", row.kind)))?;
    let settings_json: serde_json::Value = serde_json::from_str(&row.settings).unwrap_or_default();
    Ok(FunctionDef {
        id: row.id,
        interface_id: row.interface_id,
        kind,
        name: row.name,
        launch: Launch::parse(&row.launch).unwrap_or(Launch::Manual),
        frequency_seconds: row.frequency_seconds,
        start_at: row.start_at,
        end_at: row.end_at,
        active: row.active,
        settings: Settings::parse(kind, settings_json).map_err(InterfaceError::Invalid)?,
        pagination_key: row.pagination_key,
        next_run_at: row.next_run_at,
        last_success_at: row.last_success_at,
        date_from_armed_at: row.date_from_armed_at,
    })
}

pub async fn load_function(db: &Db, id: i64) -> Result<FunctionDef, InterfaceError> {
    load_function_in(&mut db.reader().await?, id).await
}

/// [`load_function`] on `conn` (a transaction sees the function it just made).
pub async fn load_function_in(conn: &mut impl Conn, id: i64) -> Result<FunctionDef, InterfaceError> {
    let row: Option<FunctionRow> = sql(format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    from_row(row.ok_or_else(|| InterfaceError::NotFound(format!("no function {id}")))?)
}

pub async fn list_functions(db: &Db, interface_id: i64) -> Result<Vec<FunctionDef>, InterfaceError> {
    let rows: Vec<FunctionRow> = sql(format!("{SELECT} WHERE interface_id = $1 ORDER BY id"))
        .bind(interface_id)
        .fetch_all(&mut db.reader().await?)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// A page of the interface's functions by id: `rows` of them after id `after`.
pub async fn page_functions(
    db: &Db,
    interface_id: i64,
    after: i64,
    rows: i64,
) -> Result<Vec<FunctionDef>, InterfaceError> {
    let found: Vec<FunctionRow> = sql(format!("{SELECT} WHERE interface_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
        .bind(interface_id)
        .bind(after)
        .bind(rows)
        .fetch_all(&mut db.reader().await?)
        .await?;
    found.into_iter().map(from_row).collect()
}

/// Feedback keeps its own cursor; an operator may also reset it.
pub async fn set_pagination_key(db: &Db, id: i64, key: &str) -> Result<(), InterfaceError> {
    sql("UPDATE itf_functions SET pagination_key = $1 WHERE id = $2")
        .bind(key)
        .bind(id)
        .execute(&mut db.writer().await?)
        .await?;
    Ok(())
}
