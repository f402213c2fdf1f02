//! What the web wallet's forms and the mailed link do. Every change goes through the same
//! functions as the JSON API; forms that change a ticket check the CSRF token first.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::drafts::Draft;
use super::free_devices::device_limit_page;
use super::views::{home_page, sign_in_link_page, sign_in_page, ticket_page, ticket_page_with};
use super::{DEVICE_COOKIE, PageError, PageSession, check_csrf, cookie, set_cookie};
use crate::WalletState;
use crate::error::WalletError;
use crate::i18n::t;
use crate::spectator::holder::{self, ActivateBody, HolderBody};
use crate::spectator::session::{NewSession, SESSION_COOKIE, SpectatorSession, session_ms};
use crate::spectator::sign_in::{DeviceClaim, Proof, exchange, link_owner};
use crate::spectator::transfers::{self, Kind, Outcome};
use crate::spectator::{ClientAddr, send_sign_in};

fn signed_in(session: Option<SpectatorSession>) -> Result<SpectatorSession, PageError> {
    session.ok_or_else(|| PageError(StatusCode::UNAUTHORIZED, t("error.session_ended").into()))
}

/// Opens a session for the browser: cookies for the session and the device. A refusal at the
/// device limit answers the page that offers to sign the other devices out, for `email`.
async fn open(
    state: &WalletState,
    headers: &HeaderMap,
    proof: Proof,
    email: Option<&str>,
) -> Result<(NewSession, SpectatorSession), Response> {
    let device = DeviceClaim { device_id: cookie(headers, DEVICE_COOKIE), name: "web browser".into() };
    let new = match exchange(&state.db, &state.key, &proof, &device).await {
        Ok(new) => new,
        Err(WalletError::DeviceLimit { active, .. }) => return Err(device_limit_page(active, email)),
        Err(err) => return Err(PageError::from(err).into_response()),
    };
    let session = SpectatorSession::from_token(state, &new.token)
        .await
        .map_err(|err| PageError::from(WalletError::from(err)).into_response())?;
    let session = session.ok_or_else(|| {
        PageError(StatusCode::INTERNAL_SERVER_ERROR, "The new session could not be read.".into()).into_response()
    })?;
    Ok((new, session))
}

/// The wallet (or one ticket of it) for a browser already signed in to the account a mailed
/// link was issued to: opening the link again is no reason to sign in again
/// (docs/wallet-pages.md#no-lockouts). None when the link is another account's.
async fn already_signed_in(
    state: &WalletState,
    session: Option<&SpectatorSession>,
    token: &str,
    ticket: Option<i64>,
) -> Result<Option<String>, PageError> {
    let Some(session) = session else { return Ok(None) };
    if link_owner(&state.db, token).await? != Some(session.spectator_id) {
        return Ok(None);
    }
    Ok(Some(match ticket {
        Some(id) => ticket_page(state, session, id).await?,
        None => home_page(state, session).await?,
    }))
}

pub(crate) fn with_cookies(state: &WalletState, new: &NewSession, html: String) -> Response {
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
/// mail scanner that follows every link in an e-mail leaves it working for the fan. A browser
/// already signed in to the link's account sees the wallet at once.
pub(crate) async fn get_sign_in_link(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Query(query): Query<LinkQuery>,
) -> Result<Html<String>, PageError> {
    if let Some(html) = already_signed_in(&state, session.as_ref(), &query.token, query.ticket).await? {
        return Ok(Html(html));
    }
    Ok(Html(sign_in_link_page(&query.token, query.ticket)))
}

/// The button of the link page: signs this browser in and shows the wallet (or one ticket) at
/// once. The mailed link is not throttled: its token is a 256-bit secret nobody guesses, and
/// throttling it would let others lock the fan out. The page is answered directly, not by
/// redirect, so the SameSite=Strict cookie is in place for everything the page does next.
pub(crate) async fn post_sign_in_link(
    State(state): State<WalletState>,
    PageSession(current): PageSession,
    headers: HeaderMap,
    Form(form): Form<LinkQuery>,
) -> Result<Response, PageError> {
    // pressed again (back button, reload) on a device the link already signed in
    if let Some(html) = already_signed_in(&state, current.as_ref(), &form.token, form.ticket).await? {
        return Ok(Html(html).into_response());
    }
    let (new, session) = match open(&state, &headers, Proof::Link { token: form.token }, None).await {
        Ok(opened) => opened,
        Err(page) => return Ok(page),
    };
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
    Ok(Html(sign_in_page(Some(t("sign_in.sent")), Some(&email))))
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
    let proof = Proof::Code { email: form.email.clone(), code: form.code };
    let (new, session) = match open(&state, &headers, proof, Some(&account)).await {
        Ok(opened) => opened,
        Err(page) => return Ok(page),
    };
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
    first_name: Option<String>,
    last_name: Option<String>,
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

/// The answer to a form of ticket `id` that `result` settled: back to the ticket when done;
/// the ticket page again, with the fan's values and the reason next to the field, when a field
/// was refused (422); the error page otherwise.
async fn settle<T>(
    state: &WalletState,
    session: &SpectatorSession,
    id: i64,
    result: Result<T, WalletError>,
    form: &'static str,
    values: &[(&str, Option<&str>)],
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(back_to(id)),
        Err(err) => match Draft::refused(form, values, &err) {
            Some(draft) => {
                let html = ticket_page_with(state, session, id, &draft).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
            }
            None => Err(err.into()),
        },
    }
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
        first_name: form.first_name,
        last_name: form.last_name,
        birth_date: form.birth_date,
        email: form.email,
        phone: form.phone,
        nationality: form.nationality,
        id_number: form.id_number,
        country_code: form.country_code,
    };
    let result = holder::assign(&state, &session, id, &body).await;
    let values = [
        ("title", body.title.as_deref()),
        ("firstName", body.first_name.as_deref()),
        ("lastName", body.last_name.as_deref()),
        ("birthDate", body.birth_date.as_deref()),
        ("email", body.email.as_deref()),
        ("phone", body.phone.as_deref()),
        ("nationality", body.nationality.as_deref()),
        ("idNumber", body.id_number.as_deref()),
        ("countryCode", body.country_code.as_deref()),
    ];
    settle(&state, &session, id, result, "holder", &values).await
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
    let body = ActivateBody { manual_code: Some(form.manual_code.clone()), method: None };
    let result = holder::activate(&state, &session, id, &body).await;
    settle(&state, &session, id, result, "activate", &[("manualCode", Some(&form.manual_code))]).await
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
    let result = transfers::offer(&state, &session, id, Some(&form.email), Kind::Forward).await;
    settle(&state, &session, id, result, "transfer", &[("email", Some(&form.email))]).await
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
