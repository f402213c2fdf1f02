//! Correcting a contact (`PATCH …/contacts/{id}`): the fields given are set, a `null` clears
//! one, the others stay. Every field is checked by the rule it has at creation, the contact
//! must keep a last name or an e-mail, and the change is recorded in the audit record (the
//! names of the fields set, never their values) in the same transaction.

use axum::extract::State;
use axum::{Extension, Json};
use serde::{Deserialize, Deserializer};
use tixbridge_store::sql;
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody};

use super::{Contact, TEXT_FIELDS, check_identifiable, check_kind, check_text, get_in};
use crate::access::Access;
use crate::access::audit::{self, AuditEntry};
use crate::{BoxOfficeError, BoxOfficeState, organizations};

/// A correction: each member present is set (`null` clears a text field); absent ones stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ContactChange)]
pub struct ContactChange {
    /// `INDIVIDUAL` or `RELAY`
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub temporary: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub pending_creation: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub has_internet_account: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Email, max_length = 256)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 40)]
    pub phone: Option<Option<String>>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub nationality: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 3)]
    pub country_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub birth_region: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub birth_place: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 10)]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub consent_marketing: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub consent_third_party: Option<Option<bool>>,
}

/// A member that is present: `Some(None)` for `null`, so that it differs from an absent one.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One column to set.
enum Value {
    Text(Option<String>),
    Flag(bool),
}

/// Corrects contact `id` of `organization_id` as `actor`; answers the contact as it now is.
pub async fn change(
    db: &tixbridge_store::Db,
    organization_id: i64,
    id: i64,
    change: ContactChange,
    actor: &str,
) -> Result<Contact, BoxOfficeError> {
    let texts = [
        &change.title,
        &change.first_name,
        &change.last_name,
        &change.email,
        &change.phone,
        &change.birth_date,
        &change.nationality,
        &change.id_number,
        &change.country_code,
        &change.birth_region,
        &change.birth_place,
        &change.language,
    ];
    let mut set: Vec<(&str, &str, Value)> = Vec::new();
    if let Some(kind) = &change.kind {
        let kind =
            kind.as_deref().ok_or_else(|| BoxOfficeError::invalid("kind", "must be INDIVIDUAL or RELAY, not null"))?;
        set.push(("kind", "kind", Value::Text(Some(check_kind(Some(kind))?.to_owned()))));
    }
    for ((field, column, max), value) in TEXT_FIELDS.iter().zip(texts) {
        if let Some(value) = value {
            set.push((field, column, Value::Text(check_text(field, *max, value.as_deref())?)));
        }
    }
    let flags = [
        ("temporary", "temporary", change.temporary),
        ("pendingCreation", "pending_creation", change.pending_creation),
        ("hasInternetAccount", "has_internet_account", change.has_internet_account),
        ("consentMarketing", "consent_marketing", change.consent_marketing),
        ("consentThirdParty", "consent_third_party", change.consent_third_party),
    ];
    for (field, column, value) in flags {
        if let Some(value) = value {
            let value = value.ok_or_else(|| BoxOfficeError::invalid(field, "must be true or false, not null"))?;
            set.push((field, column, Value::Flag(value)));
        }
    }
    let mut tx = db.begin_write().await?;
    let lock = tx.backend().for_update();
    let current = get_in(&mut tx, organization_id, id, lock).await?;
    if set.is_empty() {
        return Ok(current);
    }
    let after = |field: &str, now: &Option<String>| -> Option<String> {
        match set.iter().find(|(f, ..)| *f == field) {
            Some((_, _, Value::Text(value))) => value.clone(),
            _ => now.clone(),
        }
    };
    check_identifiable(after("lastName", &current.last_name).as_deref(), after("email", &current.email).as_deref())?;
    let mut update = sql("UPDATE bo_contacts SET ");
    for (i, (_, column, value)) in set.iter().enumerate() {
        update.push(if i == 0 { "" } else { ", " }).push(column).push(" = ");
        match value {
            Value::Text(text) => update.push_bind(text.clone()),
            Value::Flag(flag) => update.push_bind(*flag),
        };
    }
    update.push(" WHERE id = ").push_bind(id).push(" AND organization_id = ").push_bind(organization_id);
    update.execute(&mut tx).await?;
    let entry = AuditEntry::new(organization_id, actor, "contact.update", format!("contact {id}"))
        .with_fields(set.iter().map(|(field, ..)| *field));
    audit::record(&mut tx, &entry).await?;
    let changed = get_in(&mut tx, organization_id, id, "").await?;
    tx.commit().await?;
    Ok(changed)
}

#[utoipa::path(
    patch,
    path = "/api/boxoffice/organizations/{org}/contacts/{id}",
    summary = "Correct a contact: members given are set (null clears), others stay; recorded in the audit record",
    params(crate::openapi::OrgIdPath),
    request_body = ContactChange,
    responses((status = 200, description = "the contact as it now is", body = Contact), crate::openapi::answers::ChangeRefusals)
)]
pub(crate) async fn patch_contact(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((org, id)): Path<(String, i64)>,
    JsonBody(body): JsonBody<ContactChange>,
) -> Result<Json<Contact>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(Json(change(&state.db, org.id, id, body, &access.caller.actor()).await?))
}
