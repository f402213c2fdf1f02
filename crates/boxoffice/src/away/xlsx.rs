//! The away export as an `.xlsx` workbook (docs/interface.md#away-fans): one sheet with the
//! CSV's header and rows. Every cell is a text cell, in columns formatted as text, so a
//! barcode keeps its leading zeros, nothing the operator typed as a block or seat runs as a
//! formula (an xlsx cell is a formula only when written as one), and the names the club
//! types in stay text.

use axum::Extension;
use axum::extract::State;
use axum::response::IntoResponse;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use tixbridge_web::ApiError;
use tixbridge_web::{Path, Query};

use super::{AwayFilter, AwayLine, HEADER, attachment, run_export};
use crate::BoxOfficeState;
use crate::access::Access;

/// The media type of an `.xlsx` workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An `.xlsx` workbook, as the API document names its bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // a description only: the handler answers the bytes
pub struct XlsxWorkbook(Vec<u8>);

/// The name of the workbook's one sheet.
const SHEET: &str = "Away fans";

/// The export as a workbook: the header in bold on a frozen first row, then each line with
/// the three columns to fill empty.
pub fn workbook(lines: &[AwayLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let text = Format::new().set_num_format("@");
    let heading = Format::new().set_num_format("@").set_bold();
    for (col, name) in (0u16..).zip(HEADER) {
        sheet.set_column_format(col, &text)?;
        sheet.set_column_width(col, if col < 3 { 8 } else { 18 })?;
        sheet.write_string_with_format(0, col, name, &heading)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, line) in (1u32..).zip(lines) {
        for (col, cell) in (0u16..).zip(line) {
            if !cell.is_empty() {
                sheet.write_string(row, col, cell.as_str())?;
            }
        }
    }
    book.save_to_buffer()
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/performances/{product}/{performance}/away-export.xlsx",
    summary = "Export the away fans' spreadsheet as an .xlsx workbook: the same export as the CSV one",
    description = "The same listing, printing and record as the CSV export (away-export), answered as an .xlsx workbook of one sheet with the same header and rows; every cell is text.",
    params(
        ("org" = String, Path, description = "the organization's code"),
        ("product" = String, Path, description = "the product's code"),
        ("performance" = String, Path, description = "the performance's code"),
        AwayFilter
    ),
    responses(
        (status = 200, description = "exported", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxWorkbook, description = "one sheet: block,row,seat,barcode,ticketId,firstName,lastName,email (the last three empty)"),
        crate::openapi::answers::ExportRefusals
    )
)]
pub(crate) async fn post_away_export_xlsx(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((org, product, performance)): Path<(String, String, String)>,
    Query(filter): Query<AwayFilter>,
) -> Result<impl IntoResponse, ApiError> {
    let exported = run_export(&state, &access, &org, &product, &performance, filter).await?;
    let bytes =
        workbook(&exported.lines).map_err(|err| ApiError::internal(format!("writing the away workbook: {err}")))?;
    Ok(attachment(XLSX, &format!("away-{product}-{performance}.xlsx"), bytes))
}
