//! The pages: sign-in, my tickets (with transfers offered to me and by me), and one ticket with
//! its rotating code drawn as a QR image that the page redraws every period. Everything they
//! say comes from the message catalogs in the page's language, and times are written for
//! people in the event's own time zone (docs/wallet-pages.md).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::Value;
use tixbridge_domain::WalletStatus;
use tixbridge_store::sql;

use super::drafts::{Draft, Input, input};
use super::html::{escape, form, page};
use super::phrases::status_phrase;
use super::{PageError, PageSession, csrf_token};
use crate::WalletState;
use crate::i18n::dates::{EventZone, human_ms, human_text};
use crate::i18n::{current, localized, t, tf};
use crate::settings::{EventSettings, load_settings};
use crate::spectator::session::SpectatorSession;
use crate::spectator::view::OwnTicket;
use crate::spectator::{tickets, transfers};

pub(crate) fn sign_in_page(message: Option<&str>, email: Option<&str>) -> String {
    let note = message.map(|m| format!("<p role=\"status\">{}</p>", escape(m))).unwrap_or_default();
    let code_form = match email {
        Some(email) => format!(
            "<form method=\"post\" action=\"/wallet/session\"><input type=\"hidden\" name=\"email\" value=\"{}\">\
             <div class=\"field\"><label for=\"sign-in-code\">{}</label>\
             <input id=\"sign-in-code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required></div>\
             <button type=\"submit\">{}</button></form>",
            escape(email),
            escape(t("sign_in.code")),
            escape(t("sign_in.submit"))
        ),
        None => String::new(),
    };
    page(
        t("sign_in.title"),
        &format!(
            "<h1>{}</h1>{note}<form method=\"post\" action=\"/wallet/sign-in\">\
             <div class=\"field\"><label for=\"sign-in-email\">{}</label>\
             <input id=\"sign-in-email\" type=\"email\" name=\"email\" autocomplete=\"email\" value=\"{}\" required></div>\
             <button type=\"submit\">{}</button></form>{code_form}",
            escape(t("home.title")),
            escape(t("sign_in.email")),
            escape(email.unwrap_or("")),
            escape(t("sign_in.send")),
        ),
    )
}

/// The page the mailed link opens: one button that signs this browser in (by POST, so that
/// following the link alone changes nothing).
pub(crate) fn sign_in_link_page(token: &str, ticket: Option<i64>) -> String {
    let ticket = ticket.map(|id| format!("<input type=\"hidden\" name=\"ticket\" value=\"{id}\">")).unwrap_or_default();
    page(
        t("sign_in.title"),
        &format!(
            "<h1>{}</h1><p>{}</p>\
             <form method=\"post\" action=\"/wallet/sign-in/link\"><input type=\"hidden\" name=\"token\" value=\"{}\">{ticket}\
             <button type=\"submit\" id=\"sign-in\">{}</button></form>",
            escape(t("home.title")),
            escape(t("sign_in.link_intro")),
            escape(token),
            escape(t("sign_in.link_button"))
        ),
    )
}

/// Where a ticket's times are read, and how its event is named in the page's language.
fn event_of(t: &OwnTicket) -> (EventZone, String) {
    let body: Value = serde_json::from_str(&t.event_body).unwrap_or_default();
    (EventZone::of(&body, &t.start_time), localized(body.get("name"), &t.event_name))
}

/// When the ticket's entry code appears, written for people (none once that time has come),
/// and whether the organizer's activation code is the way to reveal it.
fn code_from(t: &OwnTicket, settings: &EventSettings, zone: EventZone) -> (Option<String>, bool) {
    let plan = tickets::ticket_plan(t, settings);
    let later = plan.at > crate::millis(chrono::Utc::now());
    (later.then(|| human_ms(plan.at, zone, current())), settings.manual_code_hash.is_some())
}

/// The open offers as the pages read them: `{"incoming": [...], "outgoing": [...]}`.
fn by_direction(offers: Vec<Value>) -> Value {
    let (incoming, outgoing): (Vec<Value>, Vec<Value>) =
        offers.into_iter().partition(|offer| offer["direction"] == "incoming");
    serde_json::json!({ "incoming": incoming, "outgoing": outgoing })
}

/// The open offer of ticket `id` made by the signed-in fan: its id and recipient.
fn outgoing_offer(offers: &Value, id: i64) -> Option<(i64, String)> {
    offers["outgoing"]
        .as_array()?
        .iter()
        .find(|o| o["ticket"].as_i64() == Some(id))
        .map(|o| (o["transferId"].as_i64().unwrap_or(0), o["recipient"].as_str().unwrap_or("").to_owned()))
}

/// My tickets and the transfers offered to me and by me.
pub(crate) async fn home_page(state: &WalletState, session: &SpectatorSession) -> Result<String, PageError> {
    let csrf = csrf_token(state, session);
    let lang = current();
    let own = tickets::list(state, session).await?;
    let offers = by_direction(transfers::list(state, session, 0, i64::MAX).await?);
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        escape(t("home.title")),
        escape(&tf("home.signed_in_as", &[("email", &session.email)]))
    );
    let incoming = offers["incoming"].as_array().cloned().unwrap_or_default();
    if !incoming.is_empty() {
        body.push_str(&format!(
            "<section aria-labelledby=\"offered\"><h2 id=\"offered\">{}</h2>",
            escape(t("home.offered"))
        ));
        for offer in &incoming {
            let id = offer["transferId"].as_i64().unwrap_or(0);
            let start = offer["startTime"].as_str().unwrap_or("");
            let zone = EventZone::of(&serde_json::json!({ "timeZone": offer["timeZone"] }), start);
            let text = tf(
                "home.offer",
                &[
                    ("sender", offer["sender"].as_str().unwrap_or("")),
                    ("event", offer["event"].as_str().unwrap_or("")),
                    ("date", &human_text(start, zone, lang)),
                ],
            );
            body.push_str(&format!(
                "<div class=\"card\" id=\"offer-{id}\"><p>{}</p>{}{}</div>",
                escape(&text),
                form(&format!("/wallet/transfers/{id}/accept"), &csrf, "", t("home.accept")),
                form(&format!("/wallet/transfers/{id}/reject"), &csrf, "", t("home.refuse")),
            ));
        }
        body.push_str("</section>");
    }
    if own.is_empty() {
        body.push_str(&format!("<p>{}</p>", escape(t("home.none"))));
    }
    let mut conn = state.db.reader().await.map_err(crate::error::WalletError::from)?;
    for ticket in &own {
        let settings = load_settings(&mut conn, ticket.event_pk).await.map_err(crate::error::WalletError::from)?;
        let (zone, event) = event_of(ticket);
        let (from, manual) = code_from(ticket, &settings, zone);
        let pending = outgoing_offer(&offers, ticket.id);
        let phrase =
            status_phrase(ticket.status(), pending.as_ref().map(|(_, to)| to.as_str()), from.as_deref(), manual);
        let withdraw = match &pending {
            Some((transfer, _)) => {
                form(&format!("/wallet/transfers/{transfer}/cancel"), &csrf, "", t("ticket.withdraw"))
            }
            None => String::new(),
        };
        body.push_str(&format!(
            "<div class=\"card\"><a href=\"/wallet/tickets/{}\"><strong>{}</strong></a><br><span class=\"status\">{}</span>\
             <br>{} · {}<br>{}{withdraw}</div>",
            ticket.id,
            escape(&event),
            escape(&phrase),
            escape(&human_text(&ticket.start_time, zone, lang)),
            escape(&ticket.ticket_id),
            escape(&ticket.seat_line())
        ));
    }
    body.push_str(&form("/wallet/sign-out", &csrf, "", t("home.sign_out")));
    Ok(page(t("home.title"), &body))
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

/// The QR image of the code this device shows now; its text alternative is on the element
/// that holds it (`#qr`, `role="img"`), so the drawing itself is hidden from screen readers.
pub(crate) fn qr_svg(code: &str) -> String {
    match QrCode::new(code.as_bytes()) {
        Ok(qr) => qr.render::<svg::Color<'_>>().min_dimensions(320, 320).quiet_zone(true).build().replacen(
            "<svg ",
            "<svg aria-hidden=\"true\" focusable=\"false\" ",
            1,
        ),
        Err(_) => "<p class=\"error\">This code cannot be drawn.</p>".to_owned(),
    }
}

/// One ticket: fetching it records the download (and online activation when due).
pub(crate) async fn ticket_page(state: &WalletState, session: &SpectatorSession, id: i64) -> Result<String, PageError> {
    ticket_page_with(state, session, id, &Draft::default()).await
}

/// The fan's e-mail address of whoever sent them ticket `id`, to whom "Return to sender" goes.
async fn previous_owner(state: &WalletState, id: i64) -> Result<Option<String>, PageError> {
    let found: Option<String> =
        sql("SELECT s.email FROM wallet_tickets t JOIN wallet_spectators s ON s.id = t.previous_owner_id
         WHERE t.id = $1")
        .bind(id)
        .scalar_optional(&mut state.db.reader().await.map_err(crate::error::WalletError::from)?)
        .await
        .map_err(crate::error::WalletError::from)?;
    Ok(found)
}

/// Whether the event's rules let this ticket be offered now (docs/wallet-api.md#transfers).
fn may_offer(t: &OwnTicket, settings: &EventSettings) -> bool {
    settings.transfers_enabled
        && settings.max_transfers.is_none_or(|max| t.forward_transfers < max)
        && (settings.transfer_after_activation || (t.activated_at.is_none() && !t.status().is_activated()))
}

/// One ticket, with `draft` (a refused form) shown again as the fan typed it.
pub(crate) async fn ticket_page_with(
    state: &WalletState,
    session: &SpectatorSession,
    id: i64,
    draft: &Draft,
) -> Result<String, PageError> {
    let ticket = tickets::fetch(state, session, id).await?;
    let (own, settings) = tickets::read_own(state, session, id).await?;
    let offers = by_direction(transfers::list(state, session, 0, i64::MAX).await?);
    let csrf = csrf_token(state, session);
    let lang = current();
    let (zone, event) = event_of(&own);
    let (from, manual) = code_from(&own, &settings, zone);
    let status = own.status();
    let pending = outgoing_offer(&offers, id);
    let seat = own.seat_line();
    let mut body = format!(
        "<p><a href=\"/wallet/\">{}</a></p><h1>{}</h1><p>{}</p><p>{}</p>\
         <p class=\"status\" id=\"status\" role=\"status\">{}</p>",
        escape(t("ticket.back")),
        escape(&event),
        escape(&human_text(&own.start_time, zone, lang)),
        escape(&seat),
        escape(&status_phrase(status, pending.as_ref().map(|(_, to)| to.as_str()), from.as_deref(), manual)),
    );
    if let Some(at) = own.controlled_at.filter(|_| ticket["notice"].is_object()) {
        let text = tf("ticket.controlled_notice", &[("date", &human_ms(at, zone, lang))]);
        body.push_str(&format!("<p class=\"notice\" id=\"notice\">{}</p>", escape(&text)));
    }
    let active = status.is_activated();
    if active {
        let period = ticket["entry"]["periodSeconds"].as_i64().unwrap_or(15);
        let what = if seat.is_empty() { own.ticket_id.clone() } else { seat.clone() };
        let alt = tf("ticket.code_alt", &[("event", &event), ("seat", &what), ("period", &period.to_string())]);
        body.push_str(&super::code_display::code_block(state, session, id, &alt).await?);
    } else if !status.is_deleted() && status != WalletStatus::Controlled && status != WalletStatus::PendingTransfer {
        // the status phrase above says when the code appears
        if manual {
            let field = input(
                Input {
                    form: "activate",
                    name: "manualCode",
                    label: t("ticket.activation_code"),
                    kind: "text",
                    value: "",
                    required: true,
                    extra: "autocomplete=\"off\"",
                },
                draft,
            );
            body.push_str(&form(&format!("/wallet/tickets/{id}/activate"), &csrf, &field, t("ticket.activate")));
        }
    }
    let held = matches!(
        status,
        WalletStatus::Downloaded
            | WalletStatus::Assigned
            | WalletStatus::FailureTransfer
            | WalletStatus::Failure
            | WalletStatus::Transferred
    );
    if held {
        body.push_str(&holder_form(id, &csrf, &ticket["holder"], &settings, draft));
    }
    if let Some((transfer, _)) = &pending {
        body.push_str(&form(&format!("/wallet/transfers/{transfer}/cancel"), &csrf, "", t("ticket.withdraw")));
    } else if (held || active) && may_offer(&own, &settings) {
        let field = input(
            Input {
                form: "transfer",
                name: "email",
                label: t("ticket.recipient"),
                kind: "email",
                value: "",
                required: true,
                extra: "autocomplete=\"off\"",
            },
            draft,
        );
        body.push_str(&format!(
            "<h2>{}</h2>{}",
            escape(t("ticket.transfer")),
            form(&format!("/wallet/tickets/{id}/transfer"), &csrf, &field, t("ticket.offer"))
        ));
        if let Some(sender) = previous_owner(state, id).await? {
            body.push_str(&format!(
                "<p>{}</p>{}",
                escape(&tf("ticket.return_intro", &[("email", &sender)])),
                form(&format!("/wallet/tickets/{id}/return"), &csrf, "", t("ticket.return"))
            ));
        }
    }
    Ok(page(&event, &body))
}

/// The holder form: every input labelled; the fields the event requires marked so.
fn holder_form(id: i64, csrf: &str, holder: &Value, settings: &EventSettings, draft: &Draft) -> String {
    let known = |key: &str| holder[key].as_str().unwrap_or("").to_owned();
    let fields: [(&str, &str, &str, bool); 9] = [
        ("title", "text", "honorific-prefix", false),
        ("firstName", "text", "given-name", true),
        ("lastName", "text", "family-name", true),
        ("birthDate", "text", "bday", settings.requires("birthDate")),
        ("email", "email", "email", settings.requires("email")),
        ("phone", "tel", "tel", settings.requires("phone")),
        ("nationality", "text", "off", false),
        ("idNumber", "text", "off", false),
        ("countryCode", "text", "country", false),
    ];
    let mut html = String::new();
    for (name, kind, autocomplete, required) in fields {
        let value = known(name);
        html.push_str(&input(
            Input {
                form: "holder",
                name,
                label: t(&format!("field.{name}")),
                kind,
                value: &value,
                required,
                extra: &format!("autocomplete=\"{autocomplete}\""),
            },
            draft,
        ));
    }
    format!(
        "<h2>{}</h2><p>{}</p>{}",
        escape(t("ticket.holder")),
        escape(t("ticket.holder_intro")),
        form(&format!("/wallet/tickets/{id}/holder"), csrf, &html, t("ticket.save_holder"))
    )
}

pub(crate) async fn get_ticket(
    State(state): State<WalletState>,
    PageSession(session): PageSession,
    Path(id): Path<i64>,
) -> Response {
    let Some(session) = session else {
        return Html(sign_in_page(Some(t("error.sign_in_first")), None)).into_response();
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
    let session =
        session.ok_or_else(|| PageError(axum::http::StatusCode::UNAUTHORIZED, t("error.session_ended").into()))?;
    let code = tickets::current_code(&state, &session, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")],
        qr_svg(code["code"].as_str().unwrap_or("")),
    )
        .into_response())
}
