//! What the web wallet's forms and the mailed link do. Every change goes through the same
//! functions as the JSON API; forms that change a ticket check the CSRF token first.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::views::{home_page, sign_in_link_page, sign_in_page, ticket_page};
use super::{DEVICE_COOKIE, PageError, PageSession, check_csrf, cookie, set_cookie};
use crate::WalletState;
use crate::error::WalletError;
use crate::spectator::holder::{self, ActivateBody, HolderBody};
use crate::spectator::session::{NewSession, SESSION_COOKIE, SpectatorSession, session_ms};
use crate::spectator::sign_in::{DeviceClaim, Proof, exchange};
use crate::spectator::transfers::{self, Kind, Outcome};
use crate::spectator::{ClientAddr, send_sign_in};

fn signed_in(session: Option<SpectatorSession>) -> Result<SpectatorSession, PageError> {
    session.ok_or_else(|| PageError(StatusCode::UNAUTHORIZED, "Your session has ended: sign in again.".into()))
}

/// Opens a session for the browser: cookies for the session and the device.
async fn open(
    state: &WalletState,
    headers: &HeaderMap,
    proof: Proof,
) -> Result<(NewSession, SpectatorSession), PageError> {
    let device = DeviceClaim { device_id: cookie(headers, DEVICE_COOKIE), name: "web browser".into() };
    let new = exchange(&state.db, &state.key, &proof, &device).await?;
    let session = SpectatorSession::from_token(state, &new.token)
        .await
        .map_err(WalletError::from)?
        .ok_or_else(|| PageError(StatusCode::INTERNAL_SERVER_ERROR, "The new session could not be read.".into()))?;
    Ok((new, session))
}

fn with_cookies(state: &WalletState, new: &NewSession, html: String) -> Response {
    let age = session_ms() / 1000;
    let mut response = Html(html).into_response();
    for cookie in [
        set_cookie(state, SESSION_COOKIE, &new.token, age),
        set_cookie(state, DEVICE_COOKIE, &new.device_id, 400 * 24 * 3600),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct LinkQuery {
    token: String,
    /// Show this ticket right after signing in.
    ticket: Option<i64>,
}

/// The mailed link opens a page with one button that signs in. Opening it uses nothing up: a
/// mail scanner that follows every link in an e-mail leaves it working for the fan.
pub(crate) async fn get_sign_in_link(Query(query): Query<LinkQuery>) -> Html<String> {
    Html(sign_in_link_page(&query.token, query.ticket))
}

/// The button of the link page: signs this browser in and shows the wallet (or one ticket) at
/// once. The mailed link is not throttled: its token is a 256-bit secret nobody guesses, and
/// throttling it would let others lock the fan out. The page is answered directly, not by
/// redirect, so the SameSite=Strict cookie is in place for everything the page does next.
pub(crate) async fn post_sign_in_link(
    State(state): State<WalletState>,
    headers: HeaderMap,
    Form(form): Form<LinkQuery>,
) -> Result<Response, PageError> {
    let (new, session) = open(&state, &headers, Proof::Link { token: form.token }).await?;
    let html = match form.ticket {
        Some(id) => ticket_page(&state, &session, id).await?,
        None => home_page(&state, &session).await?,
    };
    Ok(with_cookies(&state, &new, html))
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    email: String,
}

pub(crate) async fn post_sign_in(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<EmailForm>,
) -> Result<Html<String>, PageError> {
    let email = form.email.trim().to_lowercase();
    state.limiter.attempt(&state.db, &email, addr).await?;
    send_sign_in(&state, &email).await.map_err(|err| PageError(err.status, err.error))?;
    Ok(Html(sign_in_page(
        Some("If tickets were sent to this address, a code and a link are on their way."),
        Some(&email),
    )))
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    email: String,
    code: String,
}

pub(crate) async fn post_session(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let account = form.email.trim().to_lowercase();
    state.limiter.attempt(&state.db, &account, addr).await?;
    let proof = Proof::Code { email: form.email, code: form.code };
    let (new, session) = open(&state, &headers, proof).await?;
    Ok(with_cookies(&state, &new, home_page(&state, &session).await?))
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn post_sign_out(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    crate::spectator::session::sign_out(&state, &session).await?;
    Ok(([(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0))], Redirect::to("/wallet/")).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HolderForm {
    csrf: String,
    title: Option<String>,
    first_name: String,
    last_name: String,
    birth_date: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    nationality: Option<String>,
    id_number: Option<String>,
    country_code: Option<String>,
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/wallet/tickets/{id}")).into_response()
}

pub(crate) async fn post_holder(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
    Form(form): Form<HolderForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    let body = HolderBody {
        title: form.title,
        first_name: Some(form.first_name),
        last_name: Some(form.last_name),
        birth_date: form.birth_date,
        email: form.email,
        phone: form.phone,
        nationality: form.nationality,
        id_number: form.id_number,
        country_code: form.country_code,
    };
    holder::assign(&state, &session, id, &body).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActivateForm {
    csrf: String,
    manual_code: String,
}

pub(crate) async fn post_activate(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
    Form(form): Form<ActivateForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    let body = ActivateBody { manual_code: Some(form.manual_code), method: None };
    holder::activate(&state, &session, id, &body).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub(crate) struct TransferForm {
    csrf: String,
    email: String,
}

pub(crate) async fn post_transfer(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
    Form(form): Form<TransferForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    transfers::offer(&state, &session, id, Some(&form.email), Kind::Forward).await?;
    Ok(back_to(id))
}

pub(crate) async fn post_return(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    transfers::offer(&state, &session, id, None, Kind::Return).await?;
    Ok(back_to(id))
}

pub(crate) async fn post_transfer_action(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let session = signed_in(session)?;
    check_csrf(&state, &session, &form.csrf)?;
    let outcome = match action.as_str() {
        "accept" => Outcome::Accept,
        "reject" => Outcome::Reject,
        "cancel" => Outcome::Cancel,
        _ => return Err(PageError(StatusCode::NOT_FOUND, "No such action.".into())),
    };
    transfers::close(&state, &session, id, outcome).await?;
    Ok(Redirect::to("/wallet/").into_response())
}
