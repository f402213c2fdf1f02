//! Access control: a gate scans a barcode and the ticket becomes `CONTROLLED`, once.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody};

use crate::tickets::{self, TicketDetail};
use crate::{BoxOfficeState, organizations};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BarcodeScan)]
pub(crate) struct Scan {
    barcode: String,
}

/// `POST …/scans`: 200 with the controlled ticket; 404 for an unknown barcode; 409 with
/// `code` `ALREADY_CONTROLLED` or `NOT_VALID` and the ticket's `currentStatus`.
#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/scans",
    summary = "Gate scan: control the ticket with this barcode (404 unknown; 409 code ALREADY_CONTROLLED or NOT_VALID)",
    params(crate::openapi::OrgPath),
    request_body = Scan,
    responses((status = 200, description = "done", body = TicketDetail), crate::openapi::answers::MoveRefusals)
)]
pub(crate) async fn create_scan(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<Scan>,
) -> Result<Json<TicketDetail>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let barcode = body.barcode.trim();
    if barcode.is_empty() {
        return Err(ApiError::unprocessable("barcode", "is required"));
    }
    let scanned =
        tickets::control_by_barcode(&state.db, tixbridge_domain::OrganizationId::new(org.id), barcode).await?;
    Ok(Json(tickets::view::get(&state.db, scanned.organization_id, scanned.ticket_id).await?))
}
