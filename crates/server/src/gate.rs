//! The gate (`POST /api/gate/scan`): a scanner posts the text it read; the gate asks the
//! wallet over real HTTP (`POST …/api/organizer/gate/verify`, with the organizer's
//! `X-Api-Key` the scanner presented) and, when the wallet accepts, marks the box-office ticket
//! `CONTROLLED` — the wallet's `ticketId` is the box-office ticket id.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_store::Db;
use tixbridge_web::{ApiError, JsonBody};

/// What the box office did with a ticket the wallet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoxOfficeOutcome {
    Controlled,
    AlreadyControlled,
    /// Cancelled or invalidated in the box office since it was injected.
    NotValid,
    /// No box-office ticket has this id (e.g. a ticket injected by CSV from elsewhere).
    NotFound,
}

impl BoxOfficeOutcome {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Controlled => "CONTROLLED",
            Self::AlreadyControlled => "ALREADY_CONTROLLED",
            Self::NotValid => "NOT_VALID",
            Self::NotFound => "NOT_FOUND",
        }
    }
}

/// The box office's access control, as the gate needs it: control one ticket by id. A trait
/// so the gate can be pointed at another box office.
#[async_trait::async_trait]
pub trait BoxOfficeControl: Send + Sync {
    async fn control(&self, db: &Db, ticket_id: i64) -> anyhow::Result<BoxOfficeOutcome>;
}

/// This process's box office, through its library (`tixbridge_boxoffice::tickets::control`).
pub struct LocalBoxOffice;

#[async_trait::async_trait]
impl BoxOfficeControl for LocalBoxOffice {
    async fn control(&self, db: &Db, ticket_id: i64) -> anyhow::Result<BoxOfficeOutcome> {
        // The ticket's own organization: the wallet only knows the ticket id.
        let organization: Option<i64> = tixbridge_store::on_reader!(db, |pool| {
            sqlx::query_scalar("SELECT organization_id FROM bo_tickets WHERE id = $1")
                .bind(ticket_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(organization) = organization else { return Ok(BoxOfficeOutcome::NotFound) };
        match tixbridge_boxoffice::tickets::control(db, organization, ticket_id).await {
            Ok(_) => Ok(BoxOfficeOutcome::Controlled),
            Err(tixbridge_boxoffice::BoxOfficeError::IllegalMove(refused)) => {
                Ok(if refused.from == tixbridge_domain::TicketStatus::Controlled {
                    BoxOfficeOutcome::AlreadyControlled
                } else {
                    BoxOfficeOutcome::NotValid
                })
            }
            Err(tixbridge_boxoffice::BoxOfficeError::NotFound(_)) => Ok(BoxOfficeOutcome::NotFound),
            Err(err) => Err(err.into()),
        }
    }
}

#[derive(Clone)]
pub struct GateState {
    db: Db,
    verify_url: String,
    client: reqwest::Client,
    box_office: Arc<dyn BoxOfficeControl>,
}

impl GateState {
    pub fn new(db: Db, wallet_url: String) -> Self {
        Self {
            db,
            verify_url: format!("{}/api/organizer/gate/verify", wallet_url.trim_end_matches('/')),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("an HTTP client"),
            box_office: Arc::new(LocalBoxOffice),
        }
    }
}

pub fn router(state: GateState) -> Router {
    Router::new().route("/api/gate/scan", post(post_scan)).with_state(state)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanBody {
    code: String,
    event: Option<String>,
    scanned_at: Option<String>,
}

async fn post_scan(
    State(state): State<GateState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: ScanBody = serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))?;
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("the gate authenticates with the organizer's X-Api-Key"))?;
    let response = state
        .client
        .post(&state.verify_url)
        .header("X-Api-Key", key)
        .json(&json!({ "code": body.code, "event": body.event, "scannedAt": body.scanned_at }))
        .send()
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "the wallet did not answer the gate");
            ApiError::new(StatusCode::BAD_GATEWAY, "the wallet cannot be reached: scan again or use the offline bundle")
        })?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status == StatusCode::UNAUTHORIZED {
        return Err(ApiError::unauthorized("the wallet refused the gate's X-Api-Key"));
    }
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        // a refused scan (e.g. a `scannedAt` too far from the clock) is the scanner's to fix
        let why = answer["error"].as_str().unwrap_or("the wallet refused the scan");
        return Err(ApiError::unprocessable(answer["field"].as_str().unwrap_or("body").to_owned(), why.to_owned()));
    }
    if !status.is_success() {
        let why = answer["error"].as_str().unwrap_or("no reason given");
        return Err(ApiError::new(StatusCode::BAD_GATEWAY, format!("the wallet answered {status}: {why}")));
    }
    let mut reply = json!({ "result": answer["result"], "ticketId": answer["ticketId"], "eventId": answer["eventId"] });
    if answer["result"] == "ACCEPTED" {
        let outcome = match answer["ticketId"].as_str().and_then(|id| id.parse::<i64>().ok()) {
            None => BoxOfficeOutcome::NotFound,
            Some(id) => state.box_office.control(&state.db, id).await.map_err(ApiError::internal)?,
        };
        reply["boxOffice"] = json!(outcome.as_str());
    }
    Ok(Json(reply))
}
