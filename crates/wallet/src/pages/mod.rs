//! The web wallet at `/wallet/`: plain server-rendered pages with a little script, for a phone
//! browser. A session cookie (HttpOnly, SameSite=Strict, and Secure when the public URL is
//! https) names the device; every form that changes something carries a CSRF token derived
//! from the session under the server key. Every answer carries the headers of `headers.rs`.

mod actions;

mod code_display;
mod drafts;
mod free_devices;
mod gate_view;
pub(crate) mod headers;
pub(crate) mod html;
mod install;
mod phrases;
mod views;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use hmac::Mac;
use subtle::ConstantTimeEq;

use crate::WalletState;
use crate::error::WalletError;
use crate::spectator::session::{SESSION_COOKIE, SpectatorSession};

/// Remembers the device across sign-ins, so signing in again does not use up a new device.
pub(crate) const DEVICE_COOKIE: &str = "tb_device";

pub(crate) fn routes() -> Router<WalletState> {
    Router::new()
        .route("/wallet", get(|| async { axum::response::Redirect::permanent("/wallet/") }))
        .route("/wallet/", get(views::get_home))
        .route("/wallet/app.js", get(headers::get_script))
        .route("/wallet/app.css", get(headers::get_style))
        .route("/wallet/sw.js", get(install::get_service_worker))
        .route("/wallet/manifest.webmanifest", get(install::get_manifest))
        .route("/wallet/icon.svg", get(install::get_icon))
        .route("/wallet/gate.js", get(gate_view::get_gate_script))
        .route("/wallet/devices/free-link", post(free_devices::post_free_link))
        .route("/wallet/devices/free", get(free_devices::get_free).post(free_devices::post_free))
        .route("/wallet/sign-in", get(actions::get_sign_in_link).post(actions::post_sign_in))
        .route("/wallet/sign-in/link", post(actions::post_sign_in_link))
        .route("/wallet/session", post(actions::post_session))
        .route("/wallet/sign-out", post(actions::post_sign_out))
        .route("/wallet/tickets/{id}", get(views::get_ticket))
        .route("/wallet/tickets/{id}/code.svg", get(views::get_code_svg))
        .route("/wallet/tickets/{id}/holder", post(actions::post_holder))
        .route("/wallet/tickets/{id}/activate", post(actions::post_activate))
        .route("/wallet/tickets/{id}/transfer", post(actions::post_transfer))
        .route("/wallet/tickets/{id}/return", post(actions::post_return))
        .route("/wallet/transfers/{id}/{action}", post(actions::post_transfer_action))
        .layer(axum::middleware::from_fn(crate::i18n::choose::choose_language))
        .layer(axum::middleware::from_fn(headers::secure_headers))
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value for one of the wallet's cookies; `Secure` (sent over https only) when
/// spectators reach the wallet at an https public URL.
pub(crate) fn set_cookie(state: &WalletState, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}")
}

/// The CSRF token of a session: an HMAC of its token hash, so nothing is stored.
pub(crate) fn csrf_token(state: &WalletState, session: &SpectatorSession) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&state.key.derive("wallet-web-csrf"))
        .expect("HMAC takes any key length");
    mac.update(&session.token_hash);
    hex::encode(mac.finalize().into_bytes())
}

pub(crate) fn check_csrf(state: &WalletState, session: &SpectatorSession, given: &str) -> Result<(), PageError> {
    if bool::from(csrf_token(state, session).as_bytes().ct_eq(given.as_bytes())) {
        Ok(())
    } else {
        Err(PageError(StatusCode::FORBIDDEN, crate::i18n::t("error.form_expired").into()))
    }
}

/// The session of a page request, or none (the page then offers to sign in).
pub(crate) struct PageSession(pub Option<SpectatorSession>);

impl FromRequestParts<WalletState> for PageSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WalletState) -> Result<Self, PageError> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Ok(Self(None)) };
        let session = SpectatorSession::from_token(state, &token).await.map_err(WalletError::from)?;
        Ok(Self(session))
    }
}

/// A page that could not be served: a status and a sentence for a person.
#[derive(Debug)]
pub(crate) struct PageError(pub StatusCode, pub String);

impl From<WalletError> for PageError {
    /// The refusals a fan meets on the pages in the page's language; the others in the API's
    /// words.
    fn from(err: WalletError) -> Self {
        match err {
            WalletError::Unauthorized(_) => Self(StatusCode::UNAUTHORIZED, crate::i18n::t("error.link_used").into()),
            WalletError::DeviceLimit { active, .. } => Self(
                StatusCode::FORBIDDEN,
                format!(
                    "{} {}",
                    crate::i18n::tf("devices.limit", &[("active", &active.to_string())]),
                    crate::i18n::t("devices.offer")
                ),
            ),
            err => {
                let api: tixbridge_web::ApiError = err.into();
                Self(api.status, api.error)
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/wallet/\">{}</a></p>",
            html::escape(crate::i18n::t("error.title")),
            html::escape(&self.1),
            html::escape(crate::i18n::t("error.back"))
        );
        (self.0, Html(html::page(crate::i18n::t("error.title"), &body))).into_response()
    }
}
