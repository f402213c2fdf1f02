//! `POST /api/organizer/tickets/csv`: inject from a CSV file
//! (docs/wallet-api.md#the-organizer-api, docs/interface.md#away-fans — the away club's
//! filled spreadsheet). The file is checked and stored as a job, answered 202 at once, and
//! injected in the background; `GET …/tickets/csv/{jobId}` reports the job and a result per
//! row.

mod file;
mod jobs;
mod rows;
mod worker;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tixbridge_web::ApiError;
use tixbridge_web::Path;

pub use worker::resume_unfinished;

use crate::WalletState;
use crate::auth::Organizer;
use crate::rfc3339;

/// The longest a reader may ask to wait for a job to end (`?waitSeconds=`).
pub const MAX_WAIT_SECONDS: u64 = 60;

const CSV_TYPES: [&str; 6] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "text/comma-separated-values",
];

fn query(uri: &Uri) -> Result<BTreeMap<String, String>, ApiError> {
    tixbridge_web::parse_query(uri.query().unwrap_or_default())
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else { return Ok(()) };
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if CSV_TYPES.contains(&essence.as_str()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("the body must be a CSV file (text/csv), not {essence}"),
        )
        .with_field("content-type"))
    }
}

fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is larger than {} MiB", tixbridge_web::MAX_BODY_BYTES / (1024 * 1024)),
            )
            .with_field("body")
        } else {
            ApiError::bad_request(
                "body",
                "the request body could not be read to its end (cut short or sent too slowly)",
            )
        }
    })
}

#[utoipa::path(
    post,
    path = "/api/organizer/tickets/csv",
    summary = "Inject tickets from a CSV file (UTF-8, header row, at most 20,000 rows) as a background job",
    description = "Columns, in any order: ticketId, eventId, eventName, eventStartTime, eventExpirationDate, barcode, email (required), firstName, lastName, block, row, seat, category, price, currency, purchaseDate, fileNumber, site, city, countryCode. Dates are RFC 3339. Comma, semicolon or tab separated. The event columns may instead be given once as query parameters. A malformed file is refused and creates no job; each row is then injected like a ticket of POST /api/organizer/tickets.",
    params(crate::openapi::privileges::CsvEventColumns),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 202, description = "the file is stored; its job is IN_PROGRESS (Location: the job)", body = crate::openapi::privileges::CsvJobCreated),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 413, response = tixbridge_web::openapi::BadRequest),
        (status = 415, response = tixbridge_web::openapi::BadRequest)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_csv(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    check_content_type(&headers)?;
    let event = file::check_parameters(query(&uri)?)?;
    let bytes = body_bytes(body)?;
    let text = file::decode(&bytes)?;
    let (params, rows) = file::parse(text, &event)?;
    let job_id = hex::encode(rand::random::<[u8; 16]>());
    let pk = jobs::create(&state.db, organizer, &job_id, rows.len(), text, &params, crate::millis(chrono::Utc::now()))
        .await?;
    worker::run_in_background(state.db.clone(), pk);
    let location = format!("/api/organizer/tickets/csv/{job_id}");
    let answer = json!({ "jobId": job_id, "status": jobs::IN_PROGRESS, "total": rows.len() });
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(answer)).into_response())
}

fn wait_of(uri: &Uri) -> Result<Duration, ApiError> {
    let mut query = query(uri)?;
    let seconds = match query.remove("waitSeconds") {
        None => 0,
        Some(text) => text.trim().parse::<u64>().ok().filter(|s| *s <= MAX_WAIT_SECONDS).ok_or_else(|| {
            ApiError::bad_request("waitSeconds", format!("must be a whole number from 0 to {MAX_WAIT_SECONDS}"))
        })?,
    };
    if let Some(unknown) = query.keys().next() {
        return Err(ApiError::bad_request(unknown.as_str(), "unknown query parameter (known: waitSeconds)"));
    }
    Ok(Duration::from_secs(seconds))
}

/// `?waitSeconds=N` holds the answer until the job ends or N seconds pass, so a client (or a
/// test) awaits a job with one call instead of polling.
#[utoipa::path(
    get,
    path = "/api/organizer/tickets/csv/{jobId}",
    summary = "A CSV injection job: its status and one result per row",
    params(("jobId" = String, Path), ("waitSeconds" = Option<i64>, Query, minimum = 0, maximum = 60, description = "hold the answer until the job ends or this many seconds pass")),
    responses(
        (status = 200, description = "the job", body = crate::openapi::privileges::CsvJob),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, response = tixbridge_web::openapi::NotFound)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_job(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Path(job_id): Path<String>,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let deadline = Instant::now() + wait_of(&uri)?;
    let mut first = true;
    loop {
        let ended = worker::JOB_ENDED.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        let (job, results) = jobs::find(&state.db, organizer, &job_id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no CSV injection job {job_id:?}")).with_field("jobId"))?;
        let now = crate::millis(chrono::Utc::now());
        if first && job.status == jobs::IN_PROGRESS && job.lease_until.is_none_or(|until| until < now) {
            worker::take_over(state.db.clone(), job.id); // its worker is gone: resume it
        }
        first = false;
        let left = deadline.saturating_duration_since(Instant::now());
        if job.status != jobs::IN_PROGRESS || left.is_zero() {
            return Ok(Json(job_json(&job, &results)));
        }
        // Woken when a job of this process ends; the timeout covers jobs run by another process.
        let _ = tokio::time::timeout(left.min(Duration::from_millis(250)), ended).await;
    }
}

fn job_json(job: &jobs::JobView, results: &[jobs::RowResult]) -> Value {
    let accepted = results.iter().filter(|r| r.status == "ACCEPTED").count();
    json!({
        "jobId": job.job_id,
        "status": job.status,
        "total": job.total_rows,
        "processed": job.next_row,
        "accepted": accepted,
        "rejected": results.len() - accepted,
        "failure": job.failure,
        "createdAt": rfc3339(job.created_at),
        "finishedAt": job.finished_at.map(rfc3339),
        "results": results.iter().map(|r| {
            let mut item = json!({ "row": r.row_no, "ticketId": r.ticket_id, "status": r.status });
            if let Some(reason) = &r.reason {
                item["reason"] = json!(reason);
            }
            item
        }).collect::<Vec<_>>(),
    })
}
