//! No lockout at the device limit: the refused sign-in offers to mail a link that signs out
//! the account's other devices; the link opens a page whose button does it and signs this
//! browser in (by POST, so a mail scanner following the link changes nothing). The organizer's
//! "ever used" limit still holds (docs/wallet-pages.md#no-lockouts).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::html::{escape, page};
use super::views::home_page;
use super::{DEVICE_COOKIE, PageError, cookie};
use crate::WalletState;
use crate::error::WalletError;
use crate::i18n::{t, tf};
use crate::spectator::session::SpectatorSession;
use crate::spectator::sign_in::DeviceClaim;
use crate::spectator::{ClientAddr, free_devices};

/// The page of a sign-in refused at the device limit: `active` devices are signed in; the
/// form mails the link to `email` (filled in when known, editable).
pub(crate) fn device_limit_page(active: i64, email: Option<&str>) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p>{}</p><form method=\"post\" action=\"/wallet/devices/free-link\">\
         <div class=\"field\"><label for=\"free-email\">{}</label>\
         <input id=\"free-email\" type=\"email\" name=\"email\" autocomplete=\"email\" value=\"{}\" required></div>\
         <button type=\"submit\" id=\"free-devices\">{}</button></form>",
        escape(t("devices.limit_title")),
        escape(&tf("devices.limit", &[("active", &active.to_string())])),
        escape(t("devices.offer")),
        escape(t("sign_in.email")),
        escape(email.unwrap_or("")),
        escape(t("devices.send")),
    );
    (StatusCode::FORBIDDEN, Html(page(t("devices.limit_title"), &body))).into_response()
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    email: String,
}

/// Mails the link. Counted like a sign-in attempt, and answered the same whether or not the
/// address has an account.
pub(crate) async fn post_free_link(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<EmailForm>,
) -> Result<Html<String>, PageError> {
    let email = form.email.trim().to_lowercase();
    state.limiter.attempt(&state.db, &email, addr).await?;
    if let Some((email, token)) = free_devices::issue(&state.db, &email).await? {
        let link = format!("{}/wallet/devices/free?token={token}", state.public_url.trim_end_matches('/'));
        let mail = tixbridge_mail::Email::new(
            [email.as_str()],
            t("mail.free.subject"),
            tf("mail.free.body", &[("link", &link)]),
        )
        .map_err(|err| PageError(StatusCode::UNPROCESSABLE_ENTITY, err.to_string()))?;
        state.mailer.send(&mail).await.map_err(|err| {
            tracing::warn!(error = %err, "free-devices e-mail not sent");
            PageError(StatusCode::BAD_GATEWAY, "the e-mail could not be sent: try again later".into())
        })?;
    }
    let body =
        format!("<h1>{}</h1><p role=\"status\">{}</p>", escape(t("devices.limit_title")), escape(t("devices.sent")));
    Ok(Html(page(t("devices.limit_title"), &body)))
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: String,
}

/// The page the mailed link opens: one button.
pub(crate) async fn get_free(Query(query): Query<TokenQuery>) -> Html<String> {
    let body = format!(
        "<h1>{}</h1><p>{}</p><form method=\"post\" action=\"/wallet/devices/free\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\"><button type=\"submit\" id=\"free\">{}</button></form>",
        escape(t("devices.limit_title")),
        escape(t("devices.free_intro")),
        escape(&query.token),
        escape(t("devices.free_button")),
    );
    Html(page(t("devices.limit_title"), &body))
}

/// The button: signs out the other devices and signs this browser in, showing the wallet.
pub(crate) async fn post_free(
    State(state): State<WalletState>,
    headers: HeaderMap,
    Form(form): Form<TokenQuery>,
) -> Result<Response, PageError> {
    let device = DeviceClaim { device_id: cookie(&headers, DEVICE_COOKIE), name: "web browser".into() };
    let new = match free_devices::free_and_sign_in(&state, &form.token, &device).await {
        Ok(new) => new,
        Err(WalletError::Unauthorized(_)) => {
            return Err(PageError(StatusCode::UNAUTHORIZED, t("devices.link_used").into()));
        }
        Err(err) => return Err(err.into()),
    };
    let session = SpectatorSession::from_token(&state, &new.token)
        .await
        .map_err(WalletError::from)?
        .ok_or_else(|| PageError(StatusCode::INTERNAL_SERVER_ERROR, "The new session could not be read.".into()))?;
    let html = home_page(&state, &session).await?;
    Ok(super::actions::with_cookies(&state, &new, html))
}
