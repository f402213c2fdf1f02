//! Handlers of the ticket templates (docs/interface.md#ticket-templates): create, list, read,
//! change, delete, and preview against a real ticket.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tixbridge_boxoffice::access::Access;
use tixbridge_boxoffice::access::audit::AuditEntry;
use tixbridge_boxoffice::idempotency::Idempotent;
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody};

use super::handlers::{Answer, ok};
use crate::config::{self, InterfaceError};
use crate::engine::Engine;
use crate::template::{self, FieldsInput, PreviewRequest};

/// A template as an operator writes it: its name, and its fields either as an object or as
/// that object's text (the editor's content, whose errors name a line).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(max_length = 128)]
    name: String,
    /// wallet JSON path → text with ${variables}; or give `source`
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    fields: Option<Map<String, Value>>,
    /// the same object written as JSON text; an error names its line (field `source`)
    source: Option<String>,
}

impl TemplateInput {
    fn fields(&self) -> FieldsInput {
        FieldsInput { fields: self.fields.clone(), source: self.source.clone() }
    }
}

fn audit(organization: i64, access: &Access, action: &str, object: String) -> AuditEntry {
    AuditEntry::new(organization, access.caller.actor(), action, object).with_fields(["name", "fields"])
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/templates",
    summary = "Save a ticket template (event.id, event.startTime, event.expirationDate refused; an error in source names its line)",
    params(tixbridge_boxoffice::openapi::OrgPath, tixbridge_boxoffice::openapi::IdempotencyKey),
    request_body = TemplateInput,
    responses((status = 201, description = "done (or the first answer to its Idempotency-Key)", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn create_template(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    Idempotent(key, input): Idempotent<TemplateInput>,
) -> Result<tixbridge_boxoffice::idempotency::Answer, ApiError> {
    if let Some(replay) = key.replay(&engine.db, access.organization_id).await? {
        return Ok(replay);
    }
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let audit = audit(organization, &access, "template.create", "template".into());
    let mut tx = engine.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, access.organization_id).await? {
        return Ok(replay);
    }
    let saved = template::create_template_in(&mut tx, organization, &input.name, &input.fields(), &audit).await?;
    Ok(key.finish(tx, access.organization_id, StatusCode::CREATED, &saved.view(&[])).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/templates",
    summary = "The organization's ticket templates by id, each with the injection functions naming it; a page at a time",
    params(tixbridge_boxoffice::openapi::OrgPath, tixbridge_web::PageParams),
    responses((status = 200, description = "done", body = tixbridge_web::Page<serde_json::Value>), (status = 400, response = tixbridge_web::openapi::BadRequest), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn list_templates(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    page: tixbridge_web::PageQuery,
) -> Answer {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let after = page.after("templates")?.unwrap_or(0);
    let found = template::list_templates(&engine.db, organization, after, page.rows_to_read()).await?;
    let page = page.page("templates", found, |(t, _)| t.id);
    ok(
        json!({ "results": page.results.iter().map(|(t, used_by)| t.view(used_by)).collect::<Vec<_>>(), "next": page.next }),
    )
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/templates/{id}",
    summary = "One ticket template: its fields, their text as saved, and the injection functions naming it",
    params(tixbridge_boxoffice::openapi::OrgPath, ("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn show_template(State(engine): State<Engine>, Path((org, id)): Path<(String, i64)>) -> Answer {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let (saved, used_by) = template::load_template(&engine.db, organization, id).await?;
    ok(saved.view(&used_by))
}

#[utoipa::path(
    put,
    path = "/api/boxoffice/organizations/{org}/templates/{id}",
    summary = "Change a ticket template (the same rules as when created); the next run uses it",
    params(tixbridge_boxoffice::openapi::OrgPath, ("id" = i64, Path)),
    request_body = TemplateInput,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn update_template(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path((org, id)): Path<(String, i64)>,
    JsonBody(input): JsonBody<TemplateInput>,
) -> Answer {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let audit = audit(organization, &access, "template.update", format!("template {id}"));
    template::update_template(&engine.db, organization, id, &input.name, &input.fields(), &audit).await?;
    let (saved, used_by) = template::load_template(&engine.db, organization, id).await?;
    ok(saved.view(&used_by))
}

#[utoipa::path(
    delete,
    path = "/api/boxoffice/organizations/{org}/templates/{id}",
    summary = "Delete a ticket template (409 naming id while an injection function names it)",
    params(tixbridge_boxoffice::openapi::OrgPath, ("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 409, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn delete_template(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path((org, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let audit = AuditEntry::new(organization, access.caller.actor(), "template.delete", format!("template {id}"));
    template::delete_template(&engine.db, organization, id, &audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/templates/{id}/preview",
    summary = "Render the template (or a draft given as fields or source) against a real ticket: the JSON the wallet would receive, next to the untemplated JSON, the changed fields with their lines, and the wallet's verdict; nothing sent or written",
    params(tixbridge_boxoffice::openapi::OrgPath, ("id" = i64, Path)),
    request_body = PreviewRequest,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn preview_template(
    State(engine): State<Engine>,
    Path((org, id)): Path<(String, i64)>,
    JsonBody(request): JsonBody<PreviewRequest>,
) -> Answer {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let (saved, _) = template::load_template(&engine.db, organization, id).await?;
    let interface = match config::load_interface_of_org(&engine.db, &engine.key, &org).await {
        Ok(interface) => Some(interface),
        Err(InterfaceError::NotFound(_)) => None,
        Err(err) => return Err(err.into()),
    };
    ok(template::preview(&engine.db, organization, interface.as_ref(), &saved, &request).await?)
}
