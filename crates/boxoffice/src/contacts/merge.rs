//! Merging a duplicate contact into another (`POST …/contacts/{id}/merge {"duplicateId"}`):
//! the tickets it owns or holds, its files and its distribution history move to the kept
//! contact, the kept contact's empty fields are filled from it, and it is removed — in one
//! transaction with its audit record.

use axum::extract::State;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use tixbridge_store::{Db, sql};
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody};

use super::{Contact, TEXT_FIELDS, get_in};
use crate::access::Access;
use crate::access::audit::{self, AuditEntry};
use crate::{BoxOfficeError, BoxOfficeState, organizations};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ContactMerge)]
pub struct MergeRequest {
    /// the contact merged into this one, then removed
    pub duplicate_id: i64,
}

/// What a merge did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ContactMerged)]
pub struct Merged {
    /// the kept contact, as it now is
    pub contact: Contact,
    /// the removed contact's id
    pub merged_contact_id: i64,
    /// tickets it owned or held, now the kept contact's
    pub tickets_moved: u64,
    pub files_moved: u64,
    /// the kept contact's fields filled from the duplicate
    pub fields_filled: Vec<String>,
}

/// Merges contact `duplicate` into contact `keep`, both of `organization_id`, as `actor`.
pub async fn merge(
    db: &Db,
    organization_id: i64,
    keep: i64,
    duplicate: i64,
    actor: &str,
) -> Result<Merged, BoxOfficeError> {
    if keep == duplicate {
        return Err(BoxOfficeError::invalid("duplicateId", "must be another contact than the one kept"));
    }
    let mut tx = db.begin_write().await?;
    let lock = tx.backend().for_update();
    // Locked in id order, so two merges of the same pair never wait on each other in a cycle.
    let (first, second) = (keep.min(duplicate), keep.max(duplicate));
    let found_first = get_in(&mut tx, organization_id, first, lock).await;
    let found_second = get_in(&mut tx, organization_id, second, lock).await;
    let (kept, dup) = if first == keep { (found_first, found_second) } else { (found_second, found_first) };
    let kept = kept?;
    let dup = dup.map_err(|err| match err {
        BoxOfficeError::NotFound(what) => BoxOfficeError::Missing { field: "duplicateId".to_owned(), what },
        other => other,
    })?;
    // The kept contact's empty fields, filled from the duplicate's.
    let text = |c: &Contact, field: &str| -> Option<String> {
        match field {
            "title" => c.title.clone(),
            "firstName" => c.first_name.clone(),
            "lastName" => c.last_name.clone(),
            "email" => c.email.clone(),
            "phone" => c.phone.clone(),
            "birthDate" => c.birth_date.clone(),
            "nationality" => c.nationality.clone(),
            "idNumber" => c.id_number.clone(),
            "countryCode" => c.country_code.clone(),
            "birthRegion" => c.birth_region.clone(),
            "birthPlace" => c.birth_place.clone(),
            "language" => c.language.clone(),
            _ => None,
        }
    };
    let mut filled: Vec<String> = Vec::new();
    let mut update = sql("UPDATE bo_contacts SET has_internet_account = ");
    update.push_bind(kept.has_internet_account || dup.has_internet_account);
    if dup.has_internet_account && !kept.has_internet_account {
        filled.push("hasInternetAccount".to_owned());
    }
    for (field, column, _) in TEXT_FIELDS {
        if let (None, Some(value)) = (text(&kept, field), text(&dup, field)) {
            update.push(", ").push(column).push(" = ").push_bind(value);
            filled.push(field.to_owned());
        }
    }
    update.push(" WHERE id = ").push_bind(keep);
    update.execute(&mut tx).await?;
    let mut tickets_moved = 0;
    for column in ["contact_id", "holder_contact_id"] {
        tickets_moved += sql(format!("UPDATE bo_tickets SET {column} = $1 WHERE {column} = $2"))
            .bind(keep)
            .bind(duplicate)
            .execute(&mut tx)
            .await?;
    }
    let files_moved = sql("UPDATE bo_files SET contact_id = $1 WHERE contact_id = $2")
        .bind(keep)
        .bind(duplicate)
        .execute(&mut tx)
        .await?;
    sql("UPDATE bo_distribution_history SET contact_id = $1 WHERE contact_id = $2")
        .bind(keep)
        .bind(duplicate)
        .execute(&mut tx)
        .await?;
    sql("DELETE FROM bo_contacts WHERE id = $1 AND organization_id = $2")
        .bind(duplicate)
        .bind(organization_id)
        .execute(&mut tx)
        .await?;
    let entry = AuditEntry::new(
        organization_id,
        actor,
        "contact.merge",
        format!("contact {keep} (contact {duplicate} merged into it)"),
    )
    .with_fields(std::iter::once("duplicateId".to_owned()).chain(filled.iter().cloned()));
    audit::record(&mut tx, &entry).await?;
    let contact = get_in(&mut tx, organization_id, keep, "").await?;
    tx.announce_change().await?;
    tx.commit().await?;
    db.changes().signal();
    Ok(Merged { contact, merged_contact_id: duplicate, tickets_moved, files_moved, fields_filled: filled })
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/contacts/{id}/merge",
    summary = "Merge a duplicate contact into this one: its tickets, files and history move here, empty fields are filled from it, it is removed; recorded in the audit record",
    params(crate::openapi::OrgIdPath),
    request_body = MergeRequest,
    responses((status = 200, description = "merged", body = Merged), crate::openapi::answers::ChangeRefusals)
)]
pub(crate) async fn merge_contact(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((org, id)): Path<(String, i64)>,
    JsonBody(body): JsonBody<MergeRequest>,
) -> Result<Json<Merged>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(Json(merge(&state.db, org.id, id, body.duplicate_id, &access.caller.actor()).await?))
}
