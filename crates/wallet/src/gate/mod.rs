//! The wallet's side of the gate: `POST /api/organizer/gate/verify` (online check of one
//! scanned code, scanned within [`ONLINE_SCAN_TOLERANCE_SECONDS`] of the server clock), `POST /api/organizer/gate/offline-scans` (scans recorded offline, uploaded
//! later), `GET /api/gate/bundle` (the signed offline bundle of one event) and
//! `GET /api/gate/public-key` (to check bundles).

pub mod bundle;
pub mod queue;
pub mod verify;

use axum::Json;
use axum::extract::State;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::Query;
use tixbridge_web::{ApiError, JsonBody};

use crate::WalletState;
use crate::auth::Organizer;
use verify::{Scan, Source, verify_scans};

/// The most scans one upload may carry.
const MAX_OFFLINE_SCANS: usize = 10_000;
/// Uploaded scans verified per transaction: the one SQLite writer is not held for a whole
/// upload at once.
const OFFLINE_SCANS_PER_TRANSACTION: usize = 500;
/// How far an online scan's `scannedAt` may be from the server clock. A scan that happened
/// longer ago was recorded offline and goes through the offline upload; without this bound a
/// backdated `scannedAt` would make an old screenshot's code look fresh.
pub const ONLINE_SCAN_TOLERANCE_SECONDS: i64 = 120;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanBody {
    code: String,
    scanned_at: Option<String>,
    event: Option<String>,
}

fn scanned_at(text: Option<&str>, field: &str) -> Result<DateTime<Utc>, ApiError> {
    match text {
        None => Ok(Utc::now()),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| ApiError::bad_request(field, "must be an RFC 3339 date-time")),
    }
}

#[utoipa::path(
    post,
    path = "/api/organizer/gate/verify",
    summary = "Verify one scanned code; ACCEPTED makes the ticket CONTROLLED and uses the code up",
    request_body = crate::openapi::spectator::Scan,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals,
        (status = 422, description = "scannedAt more than 2 minutes from the server clock: upload such scans to /api/organizer/gate/offline-scans")
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_verify(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: ScanBody = serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    if body.code.len() > 4096 {
        return Err(ApiError::bad_request("code", "at most 4096 characters"));
    }
    let at = scanned_at(body.scanned_at.as_deref(), "scannedAt")?;
    if (at - Utc::now()).num_seconds().abs() > ONLINE_SCAN_TOLERANCE_SECONDS {
        return Err(ApiError::unprocessable(
            "scannedAt",
            format!(
                "must be within {} minutes of the server clock for an online scan; upload older scans to \
                 POST /api/organizer/gate/offline-scans",
                ONLINE_SCAN_TOLERANCE_SECONDS / 60
            ),
        ));
    }
    let scan = Scan { code: body.code, scanned_at: at, event: body.event, source: Source::Online };
    let verdict = state.scans.verify(organizer, scan).await.map_err(ApiError::internal)?;
    Ok(Json(serde_json::to_value(verdict).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfflineScans {
    scans: Vec<ScanBody>,
}

#[utoipa::path(
    post,
    path = "/api/organizer/gate/offline-scans",
    summary = "Upload scans recorded offline (each with its time), without double entry",
    request_body = crate::openapi::spectator::OfflineScans,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_offline_scans(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: OfflineScans =
        serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    if body.scans.len() > MAX_OFFLINE_SCANS {
        return Err(ApiError::bad_request("scans", format!("at most {MAX_OFFLINE_SCANS} scans per upload")));
    }
    let mut times = Vec::with_capacity(body.scans.len());
    for (i, scan) in body.scans.iter().enumerate() {
        if scan.scanned_at.is_none() {
            return Err(ApiError::bad_request(format!("scans[{i}].scannedAt"), "is required for an offline scan"));
        }
        times.push(scanned_at(scan.scanned_at.as_deref(), &format!("scans[{i}].scannedAt"))?);
    }
    let scans: Vec<Scan> = body
        .scans
        .into_iter()
        .zip(times)
        .map(|(scan, at)| Scan { code: scan.code, scanned_at: at, event: scan.event, source: Source::Offline })
        .collect();
    // one transaction per chunk, the scans in the order uploaded
    let mut results = Vec::with_capacity(scans.len());
    for chunk in scans.chunks(OFFLINE_SCANS_PER_TRANSACTION) {
        results.extend(verify_scans(&state.db, &state.key, organizer, chunk).await.map_err(ApiError::internal)?);
    }
    Ok(Json(json!({ "results": results })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BundleQuery {
    #[param(required = true)]
    event: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/gate/bundle",
    summary = "The signed offline bundle of one event",
    params(BundleQuery),
    responses(
        (status = 200, description = "payload (base64 JSON) and its Ed25519 signature", body = crate::openapi::spectator::SignedBundle),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, response = tixbridge_web::openapi::NotFound)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_bundle(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Query(query): Query<BundleQuery>,
) -> Result<Json<bundle::SignedBundle>, ApiError> {
    let event = query.event.filter(|e| !e.is_empty()).ok_or_else(|| ApiError::bad_request("event", "is required"))?;
    bundle::build_bundle(&state.db, &state.key, organizer, &event, Utc::now())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no event {event:?}")).with_field("event"))
}

#[utoipa::path(
    get,
    path = "/api/gate/public-key",
    summary = "The Ed25519 public key bundles are signed with",
    responses(
        (status = 200, description = "{algorithm, publicKey (base64)}")
    )
)]
pub(crate) async fn get_public_key(State(state): State<WalletState>) -> Json<Value> {
    let public = bundle::signing_key(&state.key).verifying_key();
    Json(json!({
        "algorithm": "Ed25519",
        "publicKey": base64::engine::general_purpose::STANDARD.encode(public.to_bytes()),
    }))
}
