//! Bulk load (`POST …/import/csv`, `tixbridge boxoffice import-csv`): a UTF-8 CSV file of
//! tickets, one row per ticket. All or nothing: every row is checked before anything is
//! written, and any bad row fails the whole file with each bad row named.
//!
//! The file is read twice, as a stream, never whole (docs/boxoffice-api.md#csv-import): the
//! first pass checks every row (`check.rs`), the second writes them in one transaction a
//! chunk at a time (`write.rs`), so a million rows fit in a small, fixed amount of memory.

mod bad;
mod check;
mod dedupe;
mod lines;
mod parse;
mod write;

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tixbridge_store::Db;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

pub use parse::{COLUMNS, MAX_LISTED_BAD_ROWS};

use crate::catalog::Catalog;
use crate::idempotency::{Answer, Idempotency};
use crate::organizations::{self, Organization};
use crate::{BoxOfficeError, BoxOfficeState};

/// The largest import body the HTTP endpoint accepts.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// The most rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 1_000_000;
/// Rows read, checked and written together: a chunk's rows are all that is held of the file.
const CHUNK_ROWS: usize = 10_000;

/// One refused field of one row; `row` counts data rows from 1, `line` is the file line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadRow {
    /// data row, from 1
    pub row: usize,
    pub line: u64,
    pub field: String,
    pub error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{count} bad rows; nothing was written")]
    BadRows { rows: Vec<BadRow>, count: usize },
    #[error("{0}")]
    Header(String),
    #[error("more than {0} rows")]
    TooManyRows(usize),
    #[error(transparent)]
    BoxOffice(#[from] BoxOfficeError),
}

impl From<sqlx::Error> for ImportError {
    fn from(err: sqlx::Error) -> Self {
        Self::BoxOffice(err.into())
    }
}

impl From<ImportError> for ApiError {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::BadRows { rows, count } => {
                ApiError::unprocessable("rows", format!("{count} bad rows; nothing was written"))
                    .with_detail("badRowCount", count)
                    .with_detail("badRows", json!(rows))
            }
            ImportError::Header(message) => ApiError::unprocessable("header", message),
            ImportError::TooManyRows(max) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("an import holds at most {max} rows; split the file"),
            )
            .with_field("rows"),
            ImportError::BoxOffice(err) => err.into(),
        }
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub rows: usize,
    pub tickets_created: usize,
    pub files_created: usize,
    pub contacts_created: usize,
}

/// How far an import is, for a progress line.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Parsed(usize),
    Written { done: usize, total: usize },
}

/// Imports a CSV file of tickets into `org` (see [`COLUMNS`]); the file is read twice.
pub async fn import_csv(
    db: &Db,
    org: &Organization,
    input: impl Read + Seek + Send + 'static,
    progress: impl FnMut(Progress) + Send + 'static,
) -> Result<ImportOutcome, ImportError> {
    let answer = import_csv_once(db, org, input, &Idempotency::none(), progress).await?;
    serde_json::from_str(&answer.body).map_err(|err| ImportError::Header(format!("import answer: {err}")))
}

/// [`import_csv`] for a request carrying an idempotency `key`: the first answer to the key
/// when it was used before, else the import and its answer, stored for the key.
pub async fn import_csv_once<R: Read + Seek + Send + 'static>(
    db: &Db,
    org: &Organization,
    input: R,
    key: &Idempotency,
    progress: impl FnMut(Progress) + Send + 'static,
) -> Result<Answer, ImportError> {
    if let Some(replay) = key.replay(db, org.id).await? {
        return Ok(replay);
    }
    let catalog = Arc::new(Catalog::load(db, org).await?);
    let mut progress = progress;
    let mut reading = Reading::start(catalog.clone(), input);
    let mut check = check::FileCheck::start(db).await?;
    while let Some(chunk) = reading.next().await {
        check.rows(chunk, &mut progress).await?;
    }
    let mut input = reading.end().await?;
    let summary = check.finish().await?;
    input.seek(SeekFrom::Start(0)).map_err(|err| ImportError::Header(format!("cannot read the file again: {err}")))?;
    write::write(db, org.id, summary, Reading::start(catalog, input), key, &mut progress).await
}

/// The rows of a file, read and checked on their own on a blocking thread (parsing a million
/// rows is CPU work to keep off the async workers) and handed over a chunk at a time; at most
/// two chunks wait, so reading never runs far ahead of the pass using them.
pub(crate) struct Reading<R> {
    chunks: mpsc::Receiver<Vec<parse::CheckedRow>>,
    reader: JoinHandle<Result<R, ImportError>>,
}

impl<R: Read + Send + 'static> Reading<R> {
    fn start(catalog: Arc<Catalog>, mut input: R) -> Self {
        let (send, chunks) = mpsc::channel(2);
        let reader = tokio::task::spawn_blocking(move || {
            parse::chunks(&catalog, &mut input, CHUNK_ROWS, |chunk| send.blocking_send(chunk).is_ok())?;
            Ok(input)
        });
        Self { chunks, reader }
    }
}

impl<R: Send + 'static> Reading<R> {
    /// The next chunk; `None` at the end of the file or when reading stopped (see [`Self::end`]).
    pub(crate) async fn next(&mut self) -> Option<Vec<parse::CheckedRow>> {
        self.chunks.recv().await
    }

    /// The input, read to its end; or why reading stopped (not CSV, a bad header).
    pub(crate) async fn end(self) -> Result<R, ImportError> {
        drop(self.chunks);
        self.reader.await.map_err(|err| ImportError::Header(format!("import stopped: {err}")))?
    }
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/import/csv",
    summary = "Load tickets from CSV (UTF-8, header row, ≤ 64 MiB, ≤ 1,000,000 rows), all or nothing",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body(content = String, content_type = "text/csv", description = "columns: fileNumber, contactEmail, contactFirstName, contactLastName, productCode, performanceCode, seatCategoryCode, tariffCode, contingentCode, shipmentModeCode, taxNumber, barcode, block, row, seat, priceCents, currency, salesChannelCode (the first two and productCode, shipmentModeCode required)"),
    responses(
        (status = 201, description = "written (or the first answer to its Idempotency-Key)", body = ImportOutcome),
        (status = 404, description = "unknown organization", body = crate::openapi::answers::ErrorBody),
        (status = 413, description = "body or row count over the limit", body = crate::openapi::answers::ErrorBody),
        (status = 422, description = "bad header, an Idempotency-Key used for another request, or bad rows (each listed in badRows with its line and field: a bad value, a seat already sold or sold twice, a place beyond a capacity); nothing was written", body = crate::openapi::answers::ImportRefused)
    )
)]
pub(crate) async fn import_tickets_csv(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("an import is at most {} MiB; split the file", MAX_IMPORT_BYTES >> 20),
            )
            .with_field("body")
        } else {
            ApiError::bad_request(
                "body",
                "the request body could not be read to its end (cut short or sent too slowly)",
            )
        }
    })?;
    let key = Idempotency::new(&headers, &method, uri.path(), &body)?;
    let started = std::time::Instant::now();
    let answer = import_csv_once(&state.db, &org, std::io::Cursor::new(body), &key, |_| {}).await?;
    tracing::info!(
        organization = %org.code,
        replayed = answer.replayed,
        duration_ms = started.elapsed().as_millis() as u64,
        "CSV import answered"
    );
    Ok(answer)
}
