//! The probes and the metrics (docs/observability.md): `GET /healthz` (the process answers),
//! `GET /readyz` (the database answers and its migrations are this binary's), both open and
//! saying nothing a stranger could use; `GET /metrics` for a scraper holding
//! `TIXBRIDGE_METRICS_TOKEN`, and for nobody while it is unset.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use subtle::ConstantTimeEq;
use tixbridge_store::Db;

/// The environment variable holding the bearer token `GET /metrics` asks for.
pub const METRICS_TOKEN_VAR: &str = "TIXBRIDGE_METRICS_TOKEN";

/// What the probes and the metrics route need.
#[derive(Clone)]
pub struct HealthState {
    pub db: Db,
    /// The scraper's bearer token; `None` turns `/metrics` off (404).
    pub metrics_token: Option<String>,
}

/// The process is up and answering.
#[utoipa::path(
    get,
    path = "/healthz",
    summary = "The process is up (liveness); no credential",
    responses((status = 200, description = "`{\"status\": \"up\"}`"))
)]
pub async fn get_healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "up" }))
}

/// 200 when the database answers and holds every migration of this binary, else 503 saying
/// which of the two is wrong (never the database's address or error).
#[utoipa::path(
    get,
    path = "/readyz",
    summary = "The database answers and holds this binary's migrations (readiness); no credential",
    responses(
        (status = 200, description = "`{\"status\": \"ready\", \"database\": \"reachable\", \"pendingMigrations\": 0}`"),
        (status = 503, description = "not ready: `database` is `unreachable`, or `pendingMigrations` counts the missing ones")
    )
)]
pub async fn get_readyz(State(state): State<HealthState>) -> Response {
    let readiness = state.db.readiness().await;
    let body = json!({
        "status": if readiness.is_ready() { "ready" } else { "not ready" },
        "database": if readiness.database_reachable { "reachable" } else { "unreachable" },
        "pendingMigrations": readiness.pending_migrations,
    });
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// The metrics in Prometheus text format, for `Authorization: Bearer <TIXBRIDGE_METRICS_TOKEN>`.
/// Unset token: 404, as if the route did not exist (default deny). Wrong or missing: 401.
#[utoipa::path(
    get,
    path = "/metrics",
    summary = "Metrics in Prometheus text format, for Authorization: Bearer TIXBRIDGE_METRICS_TOKEN",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4 (docs/observability.md lists the metrics)", content_type = "text/plain"),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, description = "no TIXBRIDGE_METRICS_TOKEN is set: the route is off")
    ),
    security(("metricsToken" = []))
)]
pub async fn get_metrics(State(state): State<HealthState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        // the very answer of a path no route serves: nothing tells the route is there
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        let refused = tixbridge_web::ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the metrics need Authorization: Bearer with the metrics token",
        )
        .with_field("Authorization");
        let mut response = refused.into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return response;
    }
    ([(header::CONTENT_TYPE, tixbridge_store::metrics::CONTENT_TYPE)], state.db.metrics().render()).into_response()
}
