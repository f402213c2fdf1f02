//! Away fans (docs/interface.md#away-fans): the spreadsheet the away club fills in. It
//! lists the tickets of a performance whose shipment mode is `MOBILE_EXTERNAL` ("Mobile –
//! External (Away)"), optionally of one seat category or contingent, with empty name and
//! e-mail columns; the filled file goes to the wallet's CSV injection.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use tixbridge_domain::{ShipmentType, TicketStatus};
use tixbridge_store::{Db, sql};
use tixbridge_web::ApiError;

use crate::organizations::{self, Organization};
use crate::{BoxOfficeError, BoxOfficeState};

/// The export's header row.
pub const HEADER: [&str; 8] = ["block", "row", "seat", "barcode", "ticketId", "firstName", "lastName", "email"];

/// Narrows the export to one seat category or one contingent (by code).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AwayFilter {
    pub seat_category: Option<String>,
    pub contingent: Option<String>,
}

type AwayRow = (Option<String>, Option<String>, Option<String>, String, i64);

/// The CSV text of the away export of `product`/`performance` (codes).
pub async fn export(
    db: &Db,
    org: &Organization,
    product: &str,
    performance: &str,
    filter: &AwayFilter,
) -> Result<Vec<u8>, BoxOfficeError> {
    let scope = org.catalog_scope();
    let mut select =
        sql("SELECT pf.id FROM bo_performances pf JOIN bo_products p ON p.id = pf.product_id WHERE p.code = ");
    select.push_bind(product).push(" AND pf.code = ").push_bind(performance).push(" AND p.organization_id IN ");
    select.push_list(scope.iter().copied()).push(" LIMIT 1");
    let conn = &mut db.reader().await?;
    let performance_id: Option<i64> = select.scalar_optional(conn).await?;
    let performance_id = performance_id
        .ok_or_else(|| BoxOfficeError::not_found(format!("performance {performance:?} of product {product:?}")))?;
    let mut select = sql("SELECT t.block, t.row_name, t.seat, t.barcode, t.id FROM bo_tickets t
         JOIN bo_shipment_modes sm ON sm.id = t.shipment_mode_id
         LEFT JOIN bo_seat_categories sc ON sc.id = t.seat_category_id
         LEFT JOIN bo_contingents cg ON cg.id = t.contingent_id
         WHERE t.organization_id = ");
    select.push_bind(org.id).push(" AND t.performance_id = ").push_bind(performance_id);
    select.push(" AND sm.type = ").push_bind(ShipmentType::MobileExternal.as_str());
    select.push(" AND t.status IN ").push_list([TicketStatus::NotPrinted.as_str(), TicketStatus::Printed.as_str()]);
    if let Some(code) = &filter.seat_category {
        select.push(" AND sc.code = ").push_bind(code.as_str());
    }
    if let Some(code) = &filter.contingent {
        select.push(" AND cg.code = ").push_bind(code.as_str());
    }
    select.push(" ORDER BY t.block, t.row_name, t.seat, t.id");
    let rows: Vec<AwayRow> = select.fetch_all(conn).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let to_io = |err: csv::Error| BoxOfficeError::Sql(sqlx::Error::Io(std::io::Error::other(err.to_string())));
    out.write_record(HEADER).map_err(to_io)?;
    for (block, row, seat, barcode, id) in rows {
        let id = id.to_string();
        let fields = [block.as_deref(), row.as_deref(), seat.as_deref(), Some(barcode.as_str()), Some(id.as_str())];
        let cells = fields.iter().map(|f| neutralise_formula(f.unwrap_or("")));
        let record = cells.chain(["".into(), "".into(), "".into()]).collect::<Vec<std::borrow::Cow<'_, str>>>();
        let record = record.iter().map(|cell| cell.as_bytes());
        out.write_record(record).map_err(to_io)?;
    }
    out.into_inner().map_err(|err| to_io(err.into_error().into()))
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so the away club's spreadsheet shows it as text: the
/// export carries operator-typed block, row and seat names to another organization's computer.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/performances/{product}/{performance}/away-export",
    summary = "Away fans' spreadsheet: MOBILE_EXTERNAL tickets of the performance",
    params(
        ("org" = String, Path, description = "the organization's code"),
        ("product" = String, Path, description = "the product's code"),
        ("performance" = String, Path, description = "the performance's code"),
        AwayFilter
    ),
    responses(
        (status = 200, description = "found", content_type = "text/csv", body = String, description = "block,row,seat,barcode,ticketId,firstName,lastName,email (the last three empty)"),
        crate::openapi::answers::ExportRefusals
    )
)]
pub(crate) async fn get_away_export(
    State(state): State<BoxOfficeState>,
    Path((org, product, performance)): Path<(String, String, String)>,
    Query(filter): Query<AwayFilter>,
) -> Result<impl IntoResponse, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let filter = AwayFilter {
        seat_category: filter.seat_category.filter(|c| !c.is_empty()),
        contingent: filter.contingent.filter(|c| !c.is_empty()),
    };
    let body = export(&state.db, &org, &product, &performance, &filter).await?;
    let disposition = format!("attachment; filename=\"away-{product}-{performance}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn cells_a_spreadsheet_would_run_are_quoted_and_others_left_alone() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"));
        }
        for cell in ["", "A", "12", "Block = 3"] {
            assert_eq!(neutralise_formula(cell), cell);
        }
    }
}
