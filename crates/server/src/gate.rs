//! The gate (`POST /api/gate/scan`): a scanner posts the text it read with its box-office gate
//! token. The gate asks the wallet over real HTTP (`POST …/organizer/gate/verify`, derived from
//! the organization's interface URL, with the interface's own wallet credentials) and, when
//! the wallet accepts, marks CONTROLLED the box-office ticket the wallet named — only if it
//! belongs to the scanning organization (or one selling from it).
//!
//! A gate token bound to events scans only for those; a token bound to none must name the
//! event of every scan, so a code of another event is never let in by accident.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_boxoffice::BoxOfficeError;
use tixbridge_boxoffice::access::{Access, Guard};
use tixbridge_domain::{OrganizationId, TicketId};
use tixbridge_store::Db;
use tixbridge_vault::ServerKey;
use tixbridge_web::{ApiError, JsonBody};

/// What the box office did with a ticket the wallet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoxOfficeOutcome {
    Controlled,
    AlreadyControlled,
    /// Cancelled or invalidated in the box office since it was injected.
    NotValid,
    /// No ticket of the scanning organization has this id (e.g. injected by CSV from elsewhere).
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

/// The box office's access control, as the gate needs it: control one ticket of an
/// organization by id. A trait so the gate can be pointed at another box office.
#[async_trait::async_trait]
pub trait BoxOfficeControl: Send + Sync {
    async fn control(
        &self,
        db: &Db,
        organization_id: OrganizationId,
        ticket_id: TicketId,
    ) -> anyhow::Result<BoxOfficeOutcome>;
}

/// This process's box office, through its library.
pub struct LocalBoxOffice;

#[async_trait::async_trait]
impl BoxOfficeControl for LocalBoxOffice {
    async fn control(
        &self,
        db: &Db,
        organization_id: OrganizationId,
        ticket_id: TicketId,
    ) -> anyhow::Result<BoxOfficeOutcome> {
        match tixbridge_boxoffice::tickets::control_accepted_scan(db, organization_id, ticket_id).await {
            Ok(_) => Ok(BoxOfficeOutcome::Controlled),
            Err(BoxOfficeError::ScanRefused { code: "ALREADY_CONTROLLED", .. }) => {
                Ok(BoxOfficeOutcome::AlreadyControlled)
            }
            Err(BoxOfficeError::ScanRefused { .. }) => Ok(BoxOfficeOutcome::NotValid),
            Err(BoxOfficeError::NotFound(_)) => Ok(BoxOfficeOutcome::NotFound),
            Err(err) => Err(err.into()),
        }
    }
}

/// How long the gate keeps an organization's wallet target (verify URL and credentials)
/// before reading the interface again: three reads and an unsealing per scan otherwise. A
/// change of the interface reaches the gates within this time (docs/access.md#gates).
const WALLET_TARGET_TTL: Duration = Duration::from_secs(2);

/// Where and as whom the gate asks an organization's wallet.
struct WalletTarget {
    verify_url: String,
    login: String,
    password: String,
    read_at: Instant,
}

#[derive(Clone)]
pub struct GateState {
    db: Db,
    key: ServerKey,
    client: reqwest::Client,
    box_office: Arc<dyn BoxOfficeControl>,
    /// Wallet targets by scanning organization, read at most every [`WALLET_TARGET_TTL`].
    targets: Arc<Mutex<HashMap<i64, Arc<WalletTarget>>>>,
}

impl GateState {
    pub fn new(db: Db, key: ServerKey) -> Self {
        Self {
            db,
            key,
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                // The wallet answers verify itself; a redirect would send its credentials elsewhere.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            box_office: Arc::new(LocalBoxOffice),
            targets: Arc::default(),
        }
    }

    fn targets(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<WalletTarget>>> {
        self.targets.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets organization `organization_id`'s target, so the next scan reads it again (after
    /// the wallet refused its credentials or could not be reached).
    fn forget_target(&self, organization_id: i64) {
        self.targets().remove(&organization_id);
    }
}

pub fn router(state: GateState, guard: Guard) -> Router {
    Router::new()
        .route("/api/gate/scan", post(post_scan))
        .route_layer(from_fn_with_state(guard, tixbridge_boxoffice::access::guard::guard))
        .with_state(state)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanBody {
    code: String,
    event: Option<String>,
    scanned_at: Option<String>,
}

/// The event a scan is for: the one it names, which must be among the token's events; or the
/// token's only event. Anything else is refused before the wallet is asked (no code is used up).
fn scan_event(access: &Access, named: Option<String>) -> Result<String, ApiError> {
    let named = named.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    match (&access.caller.events, named) {
        (Some(bound), Some(event)) if bound.contains(&event) => Ok(event),
        (Some(_), Some(event)) => {
            Err(ApiError::new(StatusCode::FORBIDDEN, format!("this gate token is not bound to event {event:?}"))
                .with_field("event"))
        }
        (Some(bound), None) if bound.len() == 1 => Ok(bound[0].clone()),
        (Some(_), None) => {
            Err(ApiError::unprocessable("event", "is required: this gate token is bound to several events"))
        }
        (None, Some(event)) => Ok(event),
        (None, None) => Err(ApiError::unprocessable("event", "is required: this token is not bound to events")),
    }
}

/// The wallet's verify URL and credentials, from the organization's interface (kept for
/// [`WALLET_TARGET_TTL`]).
async fn wallet_of(state: &GateState, organization_id: i64) -> Result<Arc<WalletTarget>, ApiError> {
    let kept = state.targets().get(&organization_id).filter(|t| t.read_at.elapsed() < WALLET_TARGET_TTL).cloned();
    if let Some(target) = kept {
        return Ok(target);
    }
    let target = Arc::new(read_wallet_of(state, organization_id).await?);
    state.targets().insert(organization_id, target.clone());
    Ok(target)
}

async fn read_wallet_of(state: &GateState, organization_id: i64) -> Result<WalletTarget, ApiError> {
    let org = tixbridge_boxoffice::organizations::find_by_id(&state.db, organization_id).await?;
    let owner = org.inventory_owner_code.clone().unwrap_or(org.code.clone());
    let interface =
        tixbridge_interface::config::load_interface_of_org(&state.db, &state.key, &owner).await.map_err(|_| {
            ApiError::new(StatusCode::CONFLICT, "the organization has no wallet interface to verify codes with")
                .with_field("interface")
        })?;
    let base = interface.url.strip_suffix("/tickets").unwrap_or(&interface.url);
    Ok(WalletTarget {
        verify_url: format!("{base}/gate/verify"),
        login: interface.login,
        password: interface.password,
        read_at: Instant::now(),
    })
}

#[utoipa::path(
    post,
    path = "/api/gate/scan",
    summary = "Gate scan with a box-office gate token (bound to its events, or the scan names its event): verified with the organization's wallet using its interface credentials; ACCEPTED marks CONTROLLED the organization's own ticket",
    request_body = tixbridge_wallet::openapi::spectator::Scan,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 404, response = tixbridge_web::openapi::NotFound),
        (status = 409, response = tixbridge_wallet::openapi::RuleRefusal),
        (status = 422, description = "the wallet refused the scan (e.g. scannedAt), naming the field")
    )
)]
async fn post_scan(
    State(state): State<GateState>,
    Extension(access): Extension<Access>,
    JsonBody(body): JsonBody<ScanBody>,
) -> Result<Json<Value>, ApiError> {
    let event = scan_event(&access, body.event)?;
    let target = wallet_of(&state, access.organization_id).await?;
    let response = state
        .client
        .post(&target.verify_url)
        .basic_auth(&target.login, Some(&target.password))
        .json(&json!({ "code": body.code, "event": event, "scannedAt": body.scanned_at }))
        .send()
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "the wallet did not answer the gate");
            state.forget_target(access.organization_id);
            ApiError::new(StatusCode::BAD_GATEWAY, "the wallet cannot be reached: scan again or use the offline bundle")
        })?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status == StatusCode::UNAUTHORIZED {
        state.forget_target(access.organization_id);
        return Err(ApiError::new(StatusCode::BAD_GATEWAY, "the wallet refused the interface's credentials"));
    }
    if !status.is_success() {
        let why = answer["error"].as_str().unwrap_or("no reason given");
        let field = answer["field"].as_str().unwrap_or("code").to_owned();
        let status = if status.is_client_error() { status } else { StatusCode::BAD_GATEWAY };
        return Err(ApiError::new(status, format!("the wallet refused the scan: {why}")).with_field(field));
    }
    // a result outside the wallet's documented set is counted as OTHER: labels stay bounded
    let result = serde_json::from_value::<tixbridge_wallet::gate::verify::GateResult>(answer["result"].clone())
        .map_or("OTHER", |result| result.as_str());
    state.db.metrics().gate_scan(result);
    let mut reply = json!({ "result": answer["result"], "ticketId": answer["ticketId"], "eventId": answer["eventId"] });
    if answer["result"] == "ACCEPTED" {
        let outcome = match answer["ticketId"].as_str().and_then(|id| id.parse::<TicketId>().ok()) {
            None => BoxOfficeOutcome::NotFound,
            Some(id) => {
                let organization = OrganizationId::new(access.organization_id);
                state.box_office.control(&state.db, organization, id).await.map_err(ApiError::internal)?
            }
        };
        reply["boxOffice"] = json!(outcome.as_str());
    }
    Ok(Json(reply))
}
