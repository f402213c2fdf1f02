//! Tickets: reading them (one, or a page), and the operations an operator runs on one.
//! The operations are library functions in [`ops`]; the handlers here only wrap them.

pub mod ops;
pub mod view;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_domain::{OrganizationId, TicketId};
use tixbridge_web::{ApiError, JsonBody, Page, PageParams, PageQuery};
use tixbridge_web::{Path, Query};

pub use ops::{
    Reprinted, Scanned, amend_reason, apply, cancel, control, control_accepted_scan, control_by_barcode, invalidate,
    reprint,
};
pub use view::{TicketDetail, TicketFilter, TicketView};

use crate::idempotency::{Answer, Idempotency};
use crate::{BoxOfficeState, organizations};

/// The name of `GET …/tickets` in its cursors.
const LIST: &str = "tickets";

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}",
    summary = "One ticket, every column, with the feedback mirror and both histories",
    params(crate::openapi::OrgIdPath),
    responses((status = 200, description = "found", body = TicketDetail), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn get_ticket(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(Json(view::get(&state.db, OrganizationId::new(org.id), id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    status: Option<String>,
    /// the performance's code
    performance: Option<String>,
    /// the product's code
    product: Option<String>,
    /// true: only the tickets an away export listed (docs/interface.md#away-fans)
    away_exported: Option<bool>,
    /// the exact barcode
    barcode: Option<String>,
    /// the file (order) number
    file_number: Option<String>,
    /// the ticket's tax number
    tax_number: Option<String>,
    /// the buyer's, the holder's or the wallet owner's e-mail
    email: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/tickets",
    summary = "The organization's tickets by id, a page at a time",
    params(crate::openapi::OrgPath, ListQuery, PageParams),
    responses((status = 200, description = "found", body = Page<TicketView>), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn list_tickets(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Query(query): Query<ListQuery>,
    page: PageQuery,
) -> Result<Json<Page<TicketView>>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(status) => {
            Some(status.parse().map_err(|err: tixbridge_domain::boxoffice_status::UnknownTicketStatus| {
                ApiError::bad_request("status", err.to_string())
            })?)
        }
    };
    let filter = TicketFilter {
        status,
        performance_code: query.performance.filter(|p| !p.is_empty()),
        product_code: query.product.filter(|p| !p.is_empty()),
        away_exported: query.away_exported.unwrap_or(false),
        barcode: query.barcode.map(|b| b.trim().to_owned()).filter(|b| !b.is_empty()),
        file_number: query.file_number.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()),
        tax_number: query.tax_number.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        email: query.email.filter(|e| !e.trim().is_empty()),
        after_id: page.after(LIST)?.unwrap_or(0),
        limit: page.rows_to_read(),
    };
    let tickets = view::list(&state.db, org.id, &filter).await?;
    Ok(Json(page.page(LIST, tickets, |ticket| ticket.id)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Reason)]
pub(crate) struct ReasonBody {
    #[schema(max_length = 64, pattern = "^[A-Z0-9_]+$")]
    reason: String,
}

async fn answer(state: &BoxOfficeState, org: OrganizationId, id: TicketId) -> Result<Json<TicketDetail>, ApiError> {
    Ok(Json(view::get(&state.db, org, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}/cancel",
    summary = "Cancel: CANCELLED with a reason code",
    params(crate::openapi::OrgIdPath),
    request_body = ReasonBody,
    responses((status = 200, description = "done", body = TicketDetail), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn cancel_ticket(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    cancel(&state.db, OrganizationId::new(org.id), id, &body.reason).await?;
    answer(&state, OrganizationId::new(org.id), id).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}/invalidate",
    summary = "Invalidate: INVALIDATED with a reason code",
    params(crate::openapi::OrgIdPath),
    request_body = ReasonBody,
    responses((status = 200, description = "done", body = TicketDetail), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn invalidate_ticket(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    invalidate(&state.db, OrganizationId::new(org.id), id, &body.reason).await?;
    answer(&state, OrganizationId::new(org.id), id).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}/reason",
    summary = "Change the reason of a CANCELLED or INVALIDATED ticket",
    params(crate::openapi::OrgIdPath),
    request_body = ReasonBody,
    responses((status = 200, description = "done", body = TicketDetail), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn amend_ticket_reason(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    amend_reason(&state.db, OrganizationId::new(org.id), id, &body.reason).await?;
    answer(&state, OrganizationId::new(org.id), id).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}/control",
    summary = "Back-office check-in: CONTROLLED",
    params(crate::openapi::OrgIdPath),
    responses((status = 200, description = "done", body = TicketDetail), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn control_ticket(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    control(&state.db, OrganizationId::new(org.id), id).await?;
    answer(&state, OrganizationId::new(org.id), id).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Reprint)]
pub(crate) struct ReprintAnswer {
    /// The replaced ticket, now `INVALIDATED` with reason `REPRINT`.
    old: TicketDetail,
    /// The new `NOT_PRINTED` ticket, with its new barcode and `replacesTicketId`.
    new: TicketDetail,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tickets/{id}/reprint",
    summary = "Reprint: invalidate with REPRINT and issue a linked NOT_PRINTED copy with a new barcode",
    params(crate::openapi::OrgIdPath, crate::openapi::IdempotencyKey),
    responses((status = 201, description = "done (or the first answer to its Idempotency-Key)", body = ReprintAnswer), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn reprint_ticket(
    State(state): State<BoxOfficeState>,
    Path((org, id)): Path<(String, TicketId)>,
    key: Idempotency,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    let organization = OrganizationId::new(org.id);
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let done = ops::reprint_in(&mut tx, organization, id).await?;
    let old = view::get_in(&mut tx, organization, done.old_id).await?;
    let new = view::get_in(&mut tx, organization, done.new_id).await?;
    let answer = key.finish(tx, org.id, StatusCode::CREATED, &ReprintAnswer { old, new }).await?;
    state.db.changes().signal();
    Ok(answer)
}
