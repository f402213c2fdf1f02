//! Away fans (docs/interface.md#away-fans): the spreadsheet the away club fills in. It
//! lists the tickets of a performance whose shipment mode is `MOBILE_EXTERNAL` ("Mobile –
//! External (Away)"), optionally of one seat category or contingent, with empty name and
//! e-mail columns; the filled file goes to the wallet's CSV injection.
//!
//! Exporting is the away tickets' printing: in one transaction the export prints the listed
//! `NOT_PRINTED` tickets (through the state machine), records itself, and marks each ticket
//! with the first export that listed it — the mark the pushes select on and feedback matches
//! the wallet's copies by. Exporting again lists the same tickets and prints or marks nothing
//! twice.
//!
//! The same export comes as CSV (`away-export`) or as an `.xlsx` workbook (`away-export.xlsx`,
//! [`xlsx`]): one listing, one record, two spellings of the same rows.

pub mod xlsx;

use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use tixbridge_domain::{ShipmentType, TicketStatus};
use tixbridge_store::{Db, Tx, sql};
use tixbridge_web::ApiError;
use tixbridge_web::{Path, Query};

use crate::access::Access;
use crate::organizations::{self, Organization};
use crate::wallet_side::printing::print_tickets;
use crate::{BoxOfficeError, BoxOfficeState};

/// The export's header row.
pub const HEADER: [&str; 8] = ["block", "row", "seat", "barcode", "ticketId", "firstName", "lastName", "email"];

/// The most ids one statement lists.
const CHUNK: usize = 1_000;

/// Narrows the export to one seat category or one contingent (by code).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AwayFilter {
    pub seat_category: Option<String>,
    pub contingent: Option<String>,
}

/// What one export did.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The export's record.
    pub id: i64,
    /// The listed tickets, in the export's order.
    pub lines: Vec<AwayLine>,
    /// Tickets listed.
    pub tickets: u64,
    /// Tickets this export printed (`NOT_PRINTED` → `PRINTED`); 0 when exporting again.
    pub printed: u64,
}

type AwayRow = (Option<String>, Option<String>, Option<String>, String, i64);

/// One listed ticket: block, row, seat, barcode and ticket id, as the spreadsheet shows them
/// (an absent block, row or seat is empty), before the three columns the club fills.
pub type AwayLine = [String; 5];

/// Exports the away tickets of `product`/`performance` (codes) as `actor`: lists them, prints
/// those not yet printed and records the export, in one transaction.
pub async fn export(
    db: &Db,
    org: &Organization,
    product: &str,
    performance: &str,
    filter: &AwayFilter,
    actor: &str,
) -> Result<Exported, BoxOfficeError> {
    let scope = org.catalog_scope();
    let now = crate::now_ms();
    let mut tx = db.begin_write().await?;
    let mut select =
        sql("SELECT pf.id FROM bo_performances pf JOIN bo_products p ON p.id = pf.product_id WHERE p.code = ");
    select.push_bind(product).push(" AND pf.code = ").push_bind(performance).push(" AND p.organization_id IN ");
    select.push_list(scope.iter().copied()).push(" LIMIT 1");
    let performance_id: Option<i64> = select.scalar_optional(&mut tx).await?;
    let performance_id = performance_id
        .ok_or_else(|| BoxOfficeError::not_found(format!("performance {performance:?} of product {product:?}")))?;
    check_code(&mut tx, &scope, "bo_seat_categories", "seatCategory", filter.seat_category.as_deref()).await?;
    check_code(&mut tx, &scope, "bo_contingents", "contingent", filter.contingent.as_deref()).await?;
    let rows = away_rows(&mut tx, org.id, performance_id, filter).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.4).collect();
    let printed = print_tickets(&mut tx, &ids, now, None).await?;
    let id: i64 = sql("INSERT INTO bo_away_exports (organization_id, performance_id, seat_category_code,
             contingent_code, actor, exported_at, tickets, printed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
    .bind(org.id)
    .bind(performance_id)
    .bind(filter.seat_category.as_deref())
    .bind(filter.contingent.as_deref())
    .bind(actor)
    .bind(now)
    .bind(ids.len() as i64)
    .bind(printed as i64)
    .scalar(&mut tx)
    .await?;
    for chunk in ids.chunks(CHUNK) {
        let mut mark = sql("UPDATE bo_tickets SET away_export_id = ");
        mark.push_bind(id).push(" WHERE away_export_id IS NULL AND id IN ").push_list(chunk.iter().copied());
        mark.execute(&mut tx).await?;
    }
    if printed > 0 {
        tx.announce_change().await?;
    }
    tx.commit().await?;
    if printed > 0 {
        db.changes().signal();
    }
    let lines = rows
        .into_iter()
        .map(|(block, row, seat, barcode, id)| {
            [block.unwrap_or_default(), row.unwrap_or_default(), seat.unwrap_or_default(), barcode, id.to_string()]
        })
        .collect();
    Ok(Exported { id, lines, tickets: ids.len() as u64, printed })
}

/// Refuses a filter code that names no row of `table` in the catalog (`422` naming `field`).
async fn check_code(
    tx: &mut Tx,
    scope: &[i64],
    table: &str,
    field: &str,
    code: Option<&str>,
) -> Result<(), BoxOfficeError> {
    let Some(code) = code else { return Ok(()) };
    let mut select = sql(format!("SELECT id FROM {table} WHERE code = "));
    select.push_bind(code).push(" AND organization_id IN ").push_list(scope.iter().copied()).push(" LIMIT 1");
    match select.scalar_optional::<i64>(tx).await? {
        Some(_) => Ok(()),
        None => Err(BoxOfficeError::invalid(field, format!("{code:?} is not a code of this catalog"))),
    }
}

/// The performance's away tickets still valid (`NOT_PRINTED` or `PRINTED`), by seat.
async fn away_rows(
    tx: &mut Tx,
    organization_id: i64,
    performance_id: i64,
    filter: &AwayFilter,
) -> Result<Vec<AwayRow>, sqlx::Error> {
    let mut select = sql("SELECT t.block, t.row_name, t.seat, t.barcode, t.id FROM bo_tickets t
         JOIN bo_shipment_modes sm ON sm.id = t.shipment_mode_id
         LEFT JOIN bo_seat_categories sc ON sc.id = t.seat_category_id
         LEFT JOIN bo_contingents cg ON cg.id = t.contingent_id
         WHERE t.organization_id = ");
    select.push_bind(organization_id).push(" AND t.performance_id = ").push_bind(performance_id);
    select.push(" AND sm.type = ").push_bind(ShipmentType::MobileExternal.as_str());
    select.push(" AND t.status IN ").push_list([TicketStatus::NotPrinted.as_str(), TicketStatus::Printed.as_str()]);
    if let Some(code) = &filter.seat_category {
        select.push(" AND sc.code = ").push_bind(code.as_str());
    }
    if let Some(code) = &filter.contingent {
        select.push(" AND cg.code = ").push_bind(code.as_str());
    }
    select.push(" ORDER BY t.block, t.row_name, t.seat, t.id");
    select.fetch_all(tx).await
}

/// The export as CSV: the header, then each line with its formula-like cells neutralised
/// ([`neutralise_formula`]) and the three columns to fill empty.
pub fn csv_text(lines: &[AwayLine]) -> Result<Vec<u8>, BoxOfficeError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let to_io = |err: csv::Error| BoxOfficeError::Sql(sqlx::Error::Io(std::io::Error::other(err.to_string())));
    out.write_record(HEADER).map_err(to_io)?;
    for line in lines {
        let cells = line.iter().map(|cell| neutralise_formula(cell)).chain(["".into(), "".into(), "".into()]);
        out.write_record(cells.map(|cell| cell.into_owned())).map_err(to_io)?;
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
    post,
    path = "/api/boxoffice/organizations/{org}/performances/{product}/{performance}/away-export",
    summary = "Export the away fans' spreadsheet: the MOBILE_EXTERNAL tickets of the performance, printed by the export",
    description = "Lists the performance's NOT_PRINTED and PRINTED tickets on a MOBILE_EXTERNAL shipment mode and, in the same transaction, prints the NOT_PRINTED ones and records the export; exporting again lists the same tickets and prints nothing twice.",
    params(
        ("org" = String, Path, description = "the organization's code"),
        ("product" = String, Path, description = "the product's code"),
        ("performance" = String, Path, description = "the performance's code"),
        AwayFilter
    ),
    responses(
        (status = 200, description = "exported", content_type = "text/csv", body = String, description = "block,row,seat,barcode,ticketId,firstName,lastName,email (the last three empty)"),
        crate::openapi::answers::ExportRefusals
    )
)]
pub(crate) async fn post_away_export(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((org, product, performance)): Path<(String, String, String)>,
    Query(filter): Query<AwayFilter>,
) -> Result<impl IntoResponse, ApiError> {
    let exported = run_export(&state, &access, &org, &product, &performance, filter).await?;
    Ok(attachment("text/csv; charset=utf-8", &format!("away-{product}-{performance}.csv"), csv_text(&exported.lines)?))
}

/// Exports as the caller (the handlers of both spellings), logging what the export did.
pub(crate) async fn run_export(
    state: &BoxOfficeState,
    access: &Access,
    org: &str,
    product: &str,
    performance: &str,
    filter: AwayFilter,
) -> Result<Exported, ApiError> {
    let org = organizations::find(&state.db, org).await?;
    let filter = AwayFilter {
        seat_category: filter.seat_category.filter(|c| !c.is_empty()),
        contingent: filter.contingent.filter(|c| !c.is_empty()),
    };
    let exported = export(&state.db, &org, product, performance, &filter, &access.caller.actor()).await?;
    tracing::info!(
        export.id = exported.id,
        tickets = exported.tickets,
        printed = exported.printed,
        "away tickets exported"
    );
    Ok(exported)
}

/// A file to download: its media type, its name and its bytes.
pub(crate) fn attachment(kind: &'static str, name: &str, bytes: Vec<u8>) -> impl IntoResponse + use<> {
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
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
