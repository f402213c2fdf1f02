//! The pages: sign-in, my tickets (with transfers offered to me), and one ticket with its
//! rotating code drawn as a QR image that the page redraws every period.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::Value;

use super::html::{escape, form, page};
use super::{PageError, PageSession, csrf_token};
use crate::WalletState;
use crate::spectator::session::SpectatorSession;
use crate::spectator::{tickets, transfers};

pub(crate) fn sign_in_page(message: Option<&str>, email: Option<&str>) -> String {
    let note = message.map(|m| format!("<p>{}</p>", escape(m))).unwrap_or_default();
    let code_form = match email {
        Some(email) => format!(
            "<form method=\"post\" action=\"/wallet/session\"><input type=\"hidden\" name=\"email\" value=\"{}\">\
             <label>Code from the e-mail<br><input name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required></label><br>\
             <button type=\"submit\">Sign in</button></form>",
            escape(email)
        ),
        None => String::new(),
    };
    page(
        "Sign in · tixbridge wallet",
        &format!(
            "<h1>My tickets</h1>{note}<form method=\"post\" action=\"/wallet/sign-in\">\
             <label>E-mail the tickets were sent to<br><input type=\"email\" name=\"email\" required></label><br>\
             <button type=\"submit\">Send me a sign-in code</button></form>{code_form}"
        ),
    )
}

/// The page the mailed link opens: one button that signs this browser in (by POST, so that
/// following the link alone changes nothing).
pub(crate) fn sign_in_link_page(token: &str, ticket: Option<i64>) -> String {
    let ticket = ticket.map(|id| format!("<input type=\"hidden\" name=\"ticket\" value=\"{id}\">")).unwrap_or_default();
    page(
        "Sign in · tixbridge wallet",
        &format!(
            "<h1>My tickets</h1><p>Sign in on this device to see your tickets.</p>\
             <form method=\"post\" action=\"/wallet/sign-in/link\"><input type=\"hidden\" name=\"token\" value=\"{}\">{ticket}\
             <button type=\"submit\" id=\"sign-in\">Sign in on this device</button></form>",
            escape(token)
        ),
    )
}

/// My tickets and the transfers offered to me.
pub(crate) async fn home_page(state: &WalletState, session: &SpectatorSession) -> Result<String, PageError> {
    let csrf = csrf_token(state, session);
    let own = tickets::list(state, session).await?;
    let mut body = format!("<h1>My tickets</h1><p>{}</p>", escape(&session.email));
    if own.is_empty() {
        body.push_str("<p>No tickets yet.</p>");
    }
    for t in &own {
        body.push_str(&format!(
            "<div class=\"card\"><a href=\"/wallet/tickets/{}\"><strong>{}</strong></a> <span class=\"status\">{}</span>\
             <br>{} · {}<br>{}</div>",
            t.id,
            escape(&t.event_name),
            escape(&t.status),
            escape(&t.start_time),
            escape(&t.ticket_id),
            escape(&t.seat_line())
        ));
    }
    let offers = transfers::list(state, session, 0, i64::MAX).await?;
    for offer in offers.iter().filter(|offer| offer["direction"] == "incoming") {
        let id = offer["transferId"].as_i64().unwrap_or(0);
        body.push_str(&format!(
            "<div class=\"card\">{} offers you a ticket for <strong>{}</strong>{}{}</div>",
            escape(offer["sender"].as_str().unwrap_or("")),
            escape(offer["event"].as_str().unwrap_or("")),
            form(&format!("/wallet/transfers/{id}/accept"), &csrf, "", "Accept"),
            form(&format!("/wallet/transfers/{id}/reject"), &csrf, "", "Reject"),
        ));
    }
    body.push_str(&form("/wallet/sign-out", &csrf, "", "Sign out on this device"));
    Ok(page("My tickets · tixbridge wallet", &body))
}

pub(crate) async fn get_home(State(state): State<WalletState>, PageSession(session): PageSession) -> Response {
    match session {
        None => Html(sign_in_page(None, None)).into_response(),
        Some(session) => match home_page(&state, &session).await {
            Ok(html) => Html(html).into_response(),
            Err(err) => err.into_response(),
        },
    }
}

/// The QR image of the code this device shows now.
pub(crate) fn qr_svg(code: &str) -> String {
    match QrCode::new(code.as_bytes()) {
        Ok(qr) => qr.render::<svg::Color<'_>>().min_dimensions(320, 320).quiet_zone(true).build(),
        Err(_) => "<p class=\"error\">This code cannot be drawn.</p>".to_owned(),
    }
}

/// One ticket: fetching it records the download (and online activation when due).
pub(crate) async fn ticket_page(state: &WalletState, session: &SpectatorSession, id: i64) -> Result<String, PageError> {
    let ticket = tickets::fetch(state, session, id).await?;
    let csrf = csrf_token(state, session);
    let text = |v: &Value| escape(v.as_str().unwrap_or(""));
    let status = ticket["status"].as_str().unwrap_or("");
    let mut body = format!(
        "<p><a href=\"/wallet/\">← My tickets</a></p><h1>{}</h1><p>{} · <span class=\"status\" id=\"status\">{}</span></p><p>{}</p>",
        text(&ticket["event"]["name"]),
        text(&ticket["event"]["startTime"]),
        escape(status),
        text(&ticket["seat"]),
    );
    if let Some(message) = ticket["notice"]["message"].as_str() {
        body.push_str(&format!("<p class=\"notice\" id=\"notice\">{}</p>", escape(message)));
    }
    let active = status.ends_with("_ACTIVATED");
    if active {
        body.push_str(&super::code_display::code_block(state, session, id).await?);
    } else if !status.starts_with("DELETION") && status != "DELETED" && status != "CONTROLLED" {
        body.push_str(&format!(
            "<p>The entry code appears from {}.</p>{}",
            text(&ticket["entry"]["activatesAt"]),
            form(
                &format!("/wallet/tickets/{id}/activate"),
                &csrf,
                "<label>Activation code (if the organizer gave one)<br><input name=\"manualCode\" required></label><br>",
                "Activate"
            )
        ));
    }
    let held = matches!(status, "DOWNLOADED" | "ASSIGNED" | "FAILURE_TRANSFER" | "FAILURE" | "TRANSFERRED");
    if held {
        let holder = &ticket["holder"];
        body.push_str(&format!(
            "<h2>Holder</h2>{}",
            form(
                &format!("/wallet/tickets/{id}/holder"),
                &csrf,
                &format!(
                    "<input name=\"title\" placeholder=\"Title\"> \
                     <input name=\"firstName\" placeholder=\"First name\" value=\"{}\" required> \
                     <input name=\"lastName\" placeholder=\"Last name\" value=\"{}\" required><br>\
                     <input name=\"birthDate\" placeholder=\"Birth date YYYY-MM-DD\"> <input name=\"email\" placeholder=\"E-mail\"> \
                     <input name=\"phone\" placeholder=\"Phone\"><br>\
                     <input name=\"nationality\" placeholder=\"Nationality (FR)\" maxlength=\"2\"> \
                     <input name=\"idNumber\" placeholder=\"ID or passport number\"> \
                     <input name=\"countryCode\" placeholder=\"Country (FR)\" maxlength=\"2\"><br>",
                    text(&holder["firstName"]),
                    text(&holder["lastName"])
                ),
                "Save holder"
            )
        ));
    }
    if held || active {
        body.push_str(&format!(
            "<h2>Transfer</h2>{}{}",
            form(
                &format!("/wallet/tickets/{id}/transfer"),
                &csrf,
                "<input type=\"email\" name=\"email\" placeholder=\"Recipient's e-mail\" required><br>",
                "Offer this ticket"
            ),
            form(&format!("/wallet/tickets/{id}/return"), &csrf, "", "Return to sender")
        ));
    }
    Ok(page("Ticket · tixbridge wallet", &body))
}

pub(crate) async fn get_ticket(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
) -> Response {
    let Some(session) = session else {
        return Html(sign_in_page(Some("Sign in to see this ticket."), None)).into_response();
    };
    match ticket_page(&state, &session, id).await {
        Ok(html) => Html(html).into_response(),
        Err(err) => err.into_response(),
    }
}

pub(crate) async fn get_code_svg(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let session = session.ok_or_else(|| PageError(axum::http::StatusCode::UNAUTHORIZED, "Sign in first.".into()))?;
    let code = tickets::current_code(&state, &session, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")],
        qr_svg(code["code"].as_str().unwrap_or("")),
    )
        .into_response())
}
