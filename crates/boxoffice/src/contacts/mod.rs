//! Contacts: ticket owners and holders. E-mails are stored lower-cased so that looking a
//! contact up by e-mail (feedback, CSV import) finds it whatever the case it was typed in.
//!
//! [`find_by_email_preferring`] is the one place that decides which contact an e-mail means
//! when there are several (docs/interface.md#contacts-and-distribution). A contact is corrected
//! with `PATCH` ([`change`]) and a duplicate merged into another ([`merge`]), each recorded in
//! the audit record (docs/boxoffice-api.md#contacts).

pub mod change;
pub mod merge;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_store::{Conn, Db, Tx, sql};
use tixbridge_web::{ApiError, Page, PageParams, PageQuery};
use tixbridge_web::{Path, Query};

use crate::idempotency::{Answer, Idempotent};
use crate::{BoxOfficeError, BoxOfficeState, organizations, validate};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: i64,
    #[serde(skip)]
    pub organization_id: i64,
    /// `INDIVIDUAL` or `RELAY`.
    pub kind: String,
    pub temporary: bool,
    pub pending_creation: bool,
    pub has_internet_account: bool,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub id_number: Option<String>,
    pub country_code: Option<String>,
    pub birth_region: Option<String>,
    pub birth_place: Option<String>,
    pub language: Option<String>,
    pub consent_marketing: bool,
    pub consent_third_party: bool,
}

/// A contact to create; every field but one of `lastName` / `email` may be absent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewContact {
    /// `INDIVIDUAL` (the default) or `RELAY`
    pub kind: Option<String>,
    pub temporary: Option<bool>,
    pub pending_creation: Option<bool>,
    pub has_internet_account: Option<bool>,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub id_number: Option<String>,
    pub country_code: Option<String>,
    pub birth_region: Option<String>,
    pub birth_place: Option<String>,
    pub language: Option<String>,
    pub consent_marketing: Option<bool>,
    pub consent_third_party: Option<bool>,
}

pub(crate) const COLUMNS: &str = "id, organization_id, kind, temporary, pending_creation, has_internet_account, title, \
    first_name, last_name, email, phone, birth_date, nationality, id_number, country_code, birth_region, birth_place, \
    language, consent_marketing, consent_third_party";

/// Preference among contacts sharing an e-mail: an internet account first, then an
/// individual over a relay, then the oldest.
/// The order in which contacts sharing an e-mail are preferred
/// (docs/interface.md#contacts-and-distribution); feedback uses it too.
pub const PREFERENCE: &str = "ORDER BY has_internet_account DESC, CASE WHEN kind = 'INDIVIDUAL' THEN 0 ELSE 1 END, id";

/// [`PREFERENCE`] for contacts already loaded: the smallest rank is the preferred contact.
pub(crate) fn preference_rank(has_internet_account: bool, kind: &str, id: i64) -> (bool, bool, i64) {
    (!has_internet_account, kind != "INDIVIDUAL", id)
}

/// Lower-cases and trims an e-mail the way contacts store it.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The contact an e-mail means in `organization_id`
/// (docs/interface.md#contacts-and-distribution): prefer one with an internet account;
/// between an individual and a relay prefer the individual. `None` when none has it.
pub async fn find_by_email_preferring(
    db: &Db,
    organization_id: i64,
    email: &str,
) -> Result<Option<Contact>, sqlx::Error> {
    sql(format!("SELECT {COLUMNS} FROM bo_contacts WHERE organization_id = $1 AND email = $2 {PREFERENCE} LIMIT 1"))
        .bind(organization_id)
        .bind(normalize_email(email))
        .fetch_optional(&mut db.reader().await?)
        .await
}

/// Every contact with `email`, preferred first.
pub async fn list_by_email(db: &Db, organization_id: i64, email: &str) -> Result<Vec<Contact>, sqlx::Error> {
    sql(format!("SELECT {COLUMNS} FROM bo_contacts WHERE organization_id = $1 AND email = $2 {PREFERENCE}"))
        .bind(organization_id)
        .bind(normalize_email(email))
        .fetch_all(&mut db.reader().await?)
        .await
}

/// One contact of the organization.
pub async fn get(db: &Db, organization_id: i64, id: i64) -> Result<Contact, BoxOfficeError> {
    get_in(&mut db.reader().await?, organization_id, id, "").await
}

/// [`get`] on `conn`; `lock` is appended to the query (`FOR UPDATE` on PostgreSQL).
pub(crate) async fn get_in(
    conn: &mut impl Conn,
    organization_id: i64,
    id: i64,
    lock: &str,
) -> Result<Contact, BoxOfficeError> {
    let found: Option<Contact> =
        sql(format!("SELECT {COLUMNS} FROM bo_contacts WHERE organization_id = $1 AND id = $2{lock}"))
            .bind(organization_id)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    found.ok_or_else(|| BoxOfficeError::not_found(format!("contact {id}")))
}

/// The text fields of a contact: API name, column, longest value. E-mail and birth date have
/// rules of their own ([`check_text`]).
pub(crate) const TEXT_FIELDS: [(&str, &str, usize); 12] = [
    ("title", "title", 20),
    ("firstName", "first_name", 50),
    ("lastName", "last_name", 100),
    ("email", "email", 256),
    ("phone", "phone", 40),
    ("birthDate", "birth_date", 10),
    ("nationality", "nationality", 64),
    ("idNumber", "id_number", 64),
    ("countryCode", "country_code", 3),
    ("birthRegion", "birth_region", 100),
    ("birthPlace", "birth_place", 100),
    ("language", "language", 10),
];

/// One text field checked by its rule (blank is `None`).
pub(crate) fn check_text(field: &str, max: usize, value: Option<&str>) -> Result<Option<String>, BoxOfficeError> {
    match field {
        "email" => validate::email(field, value),
        "birthDate" => validate::date(field, value),
        _ => validate::optional(field, value, max),
    }
}

/// A contact's kind: `INDIVIDUAL` (the default) or `RELAY`.
pub(crate) fn check_kind(value: Option<&str>) -> Result<&'static str, BoxOfficeError> {
    match value.map(str::trim) {
        None | Some("") | Some("INDIVIDUAL") => Ok("INDIVIDUAL"),
        Some("RELAY") => Ok("RELAY"),
        Some(_) => Err(BoxOfficeError::invalid("kind", "must be INDIVIDUAL or RELAY")),
    }
}

/// A contact is found by its last name or its e-mail: it needs one of them.
pub(crate) fn check_identifiable(last_name: Option<&str>, email: Option<&str>) -> Result<(), BoxOfficeError> {
    if last_name.is_none() && email.is_none() {
        return Err(BoxOfficeError::invalid("lastName", "a contact needs at least a last name or an e-mail"));
    }
    Ok(())
}

/// Creates a contact after checking every field.
pub async fn create(db: &Db, organization_id: i64, new: NewContact) -> Result<Contact, BoxOfficeError> {
    let mut tx = db.begin_write().await?;
    let created = create_in(&mut tx, organization_id, new).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create`] in the caller's transaction.
async fn create_in(tx: &mut Tx, organization_id: i64, new: NewContact) -> Result<Contact, BoxOfficeError> {
    let kind = check_kind(new.kind.as_deref())?;
    let given = [
        &new.title,
        &new.first_name,
        &new.last_name,
        &new.email,
        &new.phone,
        &new.birth_date,
        &new.nationality,
        &new.id_number,
        &new.country_code,
        &new.birth_region,
        &new.birth_place,
        &new.language,
    ];
    let mut values: Vec<Option<String>> = Vec::with_capacity(given.len());
    for ((field, _, max), value) in TEXT_FIELDS.iter().zip(given) {
        values.push(check_text(field, *max, value.as_deref())?);
    }
    check_identifiable(values[2].as_deref(), values[3].as_deref())?;
    let mut insert =
        sql("INSERT INTO bo_contacts (organization_id, kind, temporary, pending_creation, has_internet_account, \
         title, first_name, last_name, email, phone, birth_date, nationality, id_number, country_code, \
         birth_region, birth_place, language, consent_marketing, consent_third_party, created_at) ");
    insert.push_values([()], |row, ()| {
        row.bind(organization_id)
            .bind(kind)
            .bind(new.temporary.unwrap_or(false))
            .bind(new.pending_creation.unwrap_or(false))
            .bind(new.has_internet_account.unwrap_or(false));
        for value in &values {
            row.bind(value.as_deref());
        }
        row.bind(new.consent_marketing.unwrap_or(false))
            .bind(new.consent_third_party.unwrap_or(false))
            .bind(crate::now_ms());
    });
    insert.push(" RETURNING id");
    let id: i64 = insert.scalar(tx).await?;
    get_in(tx, organization_id, id, "").await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/contacts",
    summary = "Create a contact",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewContact,
    responses((status = 201, description = "created (or the first answer to its Idempotency-Key)", body = Contact), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_contact(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewContact>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let created = create_in(&mut tx, org.id, body).await?;
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &created).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/contacts/{id}",
    summary = "One contact",
    params(crate::openapi::OrgIdPath),
    responses((status = 200, description = "found", body = Contact), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn get_contact(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, i64)>,
) -> Result<Json<Contact>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(Json(get(&state.db, org.id, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ContactQuery {
    /// only the contacts with this e-mail, the preferred one first
    email: Option<String>,
}

/// The name of `GET …/contacts` in its cursors.
const LIST: &str = "contacts";

/// A contact's place in [`PREFERENCE`] order: (no internet account, not an individual, id).
type Rank = (i64, i64, i64);

/// `GET …/contacts`: every contact by id, or those with one e-mail, the preferred one first.
#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/contacts",
    summary = "The organization's contacts by id, or those with an e-mail, the preferred first; a page at a time",
    params(crate::openapi::OrgPath, ContactQuery, PageParams),
    responses((status = 200, description = "found", body = Page<Contact>), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn list_contacts(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Query(query): Query<ContactQuery>,
    page: PageQuery,
) -> Result<Json<Page<Contact>>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let after: Rank = page.after(LIST)?.unwrap_or((-1, -1, 0));
    let email = query.email.filter(|e| !e.trim().is_empty());
    let mut select = sql(format!("SELECT {COLUMNS} FROM bo_contacts WHERE organization_id = "));
    select.push_bind(org.id);
    match &email {
        Some(email) => {
            select.push(" AND email = ").push_bind(normalize_email(email));
            select.push(
                " AND (CASE WHEN has_internet_account THEN 0 ELSE 1 END, \
                 CASE WHEN kind = 'INDIVIDUAL' THEN 0 ELSE 1 END, id) > (",
            );
            select.push_bind(after.0).push(", ").push_bind(after.1).push(", ").push_bind(after.2).push(") ");
            select.push(PREFERENCE);
        }
        None => {
            select.push(" AND id > ").push_bind(after.2).push(" ORDER BY id");
        }
    }
    select.push(" LIMIT ").push_bind(page.rows_to_read());
    let contacts: Vec<Contact> = select.fetch_all(&mut state.db.reader().await?).await?;
    Ok(Json(page.page(LIST, contacts, |c| {
        let (no_account, not_individual, id) = preference_rank(c.has_internet_account, &c.kind, c.id);
        (i64::from(no_account), i64::from(not_individual), id)
    })))
}
