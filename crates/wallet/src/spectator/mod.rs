//! The spectator API (JSON under `/api/spectator/…`): sign-in by a mailed code or link, then a
//! session token naming one device; own tickets, holder, activation, entry code, transfers and
//! device sync. Another spectator's ticket or transfer answers 404, as an unknown one does.

pub mod csrf;
pub(crate) mod devices;
pub(crate) mod free_devices;
pub(crate) mod holder;
pub(crate) mod offer_mail;
pub(crate) mod profile;
pub(crate) mod session;
pub mod sign_in;
pub(crate) mod tickets;
pub mod transfers;
pub(crate) mod view;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody, Page, PageParams, PageQuery};

use crate::WalletState;
use crate::error::WalletError;
use session::SpectatorSession;
use sign_in::{DeviceClaim, Proof};

/// The client's IP address, for the per-network sign-in limits.
pub(crate) struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
        Ok(Self(addr))
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|err| ApiError::bad_request("body", err.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInBody {
    email: String,
}

/// Mails a sign-in code and link. Answers the same whether or not the address has tickets.
#[utoipa::path(
    post,
    path = "/api/spectator/sign-in",
    summary = "Mail a one-time sign-in code and link (same answer whether or not the address has tickets)",
    request_body = crate::openapi::spectator::SignIn,
    responses(
        (status = 202, description = "done", body = serde_json::Value),
        crate::openapi::Refusals,
        (status = 429, description = "too many sign-in attempts for this account or address")
    )
)]
pub(crate) async fn post_sign_in(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: SignInBody = parse(body)?;
    let email = body.email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(WalletError::invalid("email", "must be an e-mail address").into());
    }
    state.limiter.attempt(&state.db, &email, addr).await?;
    send_sign_in(&state, &email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message": "if tickets were sent to this address, a sign-in code and link are on their way" })),
    ))
}

/// Issues and mails a code and link for `email` (nothing when it has no account).
pub(crate) async fn send_sign_in(state: &WalletState, email: &str) -> Result<(), ApiError> {
    let Some(issued) = sign_in::issue_sign_in(&state.db, &state.key, email).await? else { return Ok(()) };
    let link = format!("{}/wallet/sign-in?token={}", state.public_url.trim_end_matches('/'), issued.link_token);
    // in the language of the page that asked (English from the API)
    let text = crate::i18n::tf("mail.sign_in.body", &[("code", &issued.code), ("link", &link)]);
    let mail = tixbridge_mail::Email::new([issued.email.as_str()], crate::i18n::t("mail.sign_in.subject"), text)
        .map_err(|err| ApiError::unprocessable("email", err.to_string()))?;
    state.mailer.send(&mail).await.map_err(|err| {
        tracing::warn!(error = %err, "sign-in e-mail not sent");
        ApiError::new(StatusCode::BAD_GATEWAY, "the sign-in e-mail could not be sent: try again later")
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionBody {
    email: Option<String>,
    code: Option<String>,
    token: Option<String>,
    device_id: Option<String>,
    device_name: Option<String>,
}

/// Exchanges a code (with its e-mail) or a link token for a session on a device.
#[utoipa::path(
    post,
    path = "/api/spectator/session",
    summary = "Exchange a code (with its e-mail) or a link token for a session on a device",
    request_body = crate::openapi::spectator::SessionRequest,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals,
        (status = 429, description = "too many sign-in attempts for this account or address")
    )
)]
pub(crate) async fn post_session(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: SessionBody = parse(body)?;
    let proof = match (body.email, body.code, body.token) {
        (Some(email), Some(code), None) => {
            // a typed code is counted; the mailed link's token is a secret nobody guesses
            state.limiter.attempt(&state.db, &email.trim().to_lowercase(), addr).await?;
            Proof::Code { email, code }
        }
        (None, None, Some(token)) => Proof::Link { token },
        _ => return Err(ApiError::bad_request("body", "give either email and code, or token")),
    };
    let device = DeviceClaim { device_id: body.device_id, name: body.device_name.unwrap_or_default() };
    let session = sign_in::exchange(&state.db, &state.key, &proof, &device).await?;
    let opened = SpectatorSession::from_token(&state, &session.token)
        .await?
        .ok_or_else(|| ApiError::internal("a session just opened cannot be read"))?;
    Ok(Json(json!({
        "sessionToken": session.token,
        "csrfToken": crate::pages::csrf_token(&state, &opened),
        "deviceId": session.device_id,
        "expiresAt": crate::rfc3339(session.expires_at),
    })))
}

#[utoipa::path(
    post,
    path = "/api/spectator/sign-out",
    summary = "Sign this device out: its sessions end and it releases its tickets",
    responses(
        (status = 204, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_sign_out(
    State(state): State<WalletState>,
    session: SpectatorSession,
) -> Result<StatusCode, ApiError> {
    session::sign_out(&state, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/spectator/tickets",
    summary = "Own tickets (summaries) by event start, a page at a time",
    params(PageParams),
    responses(
        (status = 200, description = "done", body = Page<serde_json::Value>),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_tickets(
    State(state): State<WalletState>,
    session: SpectatorSession,
    page: PageQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let after = page.after("own tickets")?;
    let found = tickets::list_after(&state, &session, after, page.rows_to_read()).await?;
    let page = page.page("own tickets", found, |t| (t.start_time.clone(), t.ticket_id.clone(), t.id));
    Ok(Json(Page { results: page.results.iter().map(tickets::list_item_json).collect(), next: page.next }))
}

#[utoipa::path(
    get,
    path = "/api/spectator/tickets/{id}",
    operation_id = "get_spectator_ticket",
    summary = "Fetch own ticket on this device: first fetch DOWNLOADED; online activation when due. Never the barcode: `entry` gives what the device needs to make its codes (code reference and device secret), once they may be revealed",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    responses(
        (status = 200, description = "done", body = crate::openapi::spectator::SpectatorTicket),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_ticket(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(tickets::fetch(&state, &session, id).await?))
}

#[utoipa::path(
    get,
    path = "/api/spectator/tickets/{id}/code",
    summary = "The rotating entry code this device shows now (activated tickets only)",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    responses(
        (status = 200, description = "done", body = crate::openapi::spectator::EntryCode),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_code(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(tickets::current_code(&state, &session, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/spectator/tickets/{id}/holder",
    summary = "Name the holder (ASSIGNED)",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    request_body = crate::openapi::spectator::Holder,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_holder(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(holder::assign(&state, &session, id, &parse(body)?).await?))
}

#[utoipa::path(
    post,
    path = "/api/spectator/tickets/{id}/activate",
    summary = "Activate: manual code, offline report, or online once the time is reached",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    request_body = crate::openapi::spectator::Activate,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals,
        (status = 422, description = "a wrong manualCode (field named); each counts as a try"),
        (status = 429, description = "5 wrong manual codes for this ticket on this device within 15 minutes: wait for the window")
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_activate(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(holder::activate(&state, &session, id, &parse(body)?).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    email: String,
}

#[utoipa::path(
    post,
    path = "/api/spectator/tickets/{id}/transfer",
    summary = "Offer the ticket to an e-mail (PENDING_TRANSFER)",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    request_body = crate::openapi::spectator::TransferOffer,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_transfer(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: TransferBody = parse(body)?;
    Ok(Json(transfers::offer(&state, &session, id, Some(&body.email), transfers::Kind::Forward).await?))
}

#[utoipa::path(
    post,
    path = "/api/spectator/tickets/{id}/return",
    summary = "Offer the ticket back to its previous owner (a backward transfer)",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id")),
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_return(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(transfers::offer(&state, &session, id, None, transfers::Kind::Return).await?))
}

#[utoipa::path(
    get,
    path = "/api/spectator/transfers",
    summary = "Open transfers offered to me (`direction` incoming) and by me (outgoing), by id, a page at a time",
    params(PageParams),
    responses(
        (status = 200, description = "done", body = Page<serde_json::Value>),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_transfers(
    State(state): State<WalletState>,
    session: SpectatorSession,
    page: PageQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let after = page.after("transfers")?.unwrap_or(0);
    let found = transfers::list(&state, &session, after, page.rows_to_read()).await?;
    Ok(Json(page.page("transfers", found, |t| t["transferId"].as_i64().unwrap_or_default())))
}

#[utoipa::path(
    post,
    path = "/api/spectator/transfers/{id}/{action}",
    summary = "Accept or reject (recipient), or cancel (sender) an open transfer",
    params(("id" = i64, Path, description = "the wallet's ticket (or transfer) id"), ("action" = inline(crate::openapi::spectator::TransferAction), Path)),
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_close_transfer(
    State(state): State<WalletState>,
    session: SpectatorSession,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Json<Value>, ApiError> {
    let outcome = match action.as_str() {
        "accept" => transfers::Outcome::Accept,
        "reject" => transfers::Outcome::Reject,
        "cancel" => transfers::Outcome::Cancel,
        _ => return Err(ApiError::not_found("a transfer can be accepted, rejected or cancelled")),
    };
    Ok(Json(transfers::close(&state, &session, id, outcome).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncBody {
    tickets: Vec<i64>,
}

#[utoipa::path(
    post,
    path = "/api/spectator/devices/sync",
    summary = "Tell which tickets this device still holds; answers which to delete",
    request_body = crate::openapi::spectator::DeviceSync,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn post_sync(
    State(state): State<WalletState>,
    session: SpectatorSession,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: SyncBody = parse(body)?;
    Ok(Json(devices::sync(&state, &session, &body.tickets).await?))
}
