//! One event's page: its counters, its rules as a form (transfers, holder fields, activation,
//! the manual activation code, the entry code's period), finding a ticket, and its tickets
//! changed last.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tixbridge_store::sql;

use super::counters::{self, EventCounts};
use super::fields::{FieldErrors, input, sentence};
use super::rules_form::{RulesForm, label_of};
use super::{OrgPageError, OrganizerSession, frame, row_id};
use crate::WalletState;
use crate::i18n::Lang;
use crate::i18n::dates::{EventZone, human_text};
use crate::pages::html::{escape, form};
use crate::settings::{load_settings, replace_event_settings};

/// How many of the event's tickets changed last the page lists.
const RECENT: i64 = 50;

/// The event's start, written for people in its own zone.
pub(crate) fn starts(event: &EventCounts) -> String {
    human_text(&event.start_time, zone(&event.body, &event.start_time), Lang::En)
}

pub(crate) fn zone(event_body: &str, start_time: &str) -> EventZone {
    let body: serde_json::Value = serde_json::from_str(event_body).unwrap_or_default();
    EventZone::of(&body, start_time)
}

/// What the page says besides the stored state.
#[derive(Default)]
struct Shown {
    rules: Option<RulesForm>,
    errors: FieldErrors,
    notice: Option<String>,
    find: Option<(String, String)>,
}

async fn own_event(state: &WalletState, session: &OrganizerSession, event: &str) -> Result<EventCounts, OrgPageError> {
    let pk = row_id(event)?;
    counters::one_event(state, session.organizer_id, pk).await?.ok_or_else(OrgPageError::not_found)
}

async fn recent_tickets(state: &WalletState, event: &EventCounts) -> Result<String, OrgPageError> {
    let rows: Vec<(i64, String, String)> = sql(format!(
        "SELECT id, ticket_id, status FROM wallet_tickets WHERE event_pk = $1 ORDER BY change_seq DESC LIMIT {RECENT}"
    ))
    .bind(event.id)
    .fetch_all(&mut state.db.reader().await?)
    .await?;
    if rows.is_empty() {
        return Ok(String::new());
    }
    let rows: String = rows
        .iter()
        .map(|(pk, id, status)| {
            format!(
                "<tr><td><a href=\"/wallet/organizer/tickets/{pk}\">{}</a></td><td>{}</td></tr>",
                escape(id),
                escape(status)
            )
        })
        .collect();
    Ok(format!(
        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Tickets changed last\"><table><caption>The {RECENT} tickets changed last</caption>\
         <thead><tr><th scope=\"col\">Ticket</th><th scope=\"col\">Status</th></tr></thead><tbody>{rows}</tbody></table></div>"
    ))
}

async fn event_page(
    state: &WalletState,
    session: &OrganizerSession,
    event: &EventCounts,
    shown: Shown,
) -> Result<String, OrgPageError> {
    let csrf = session.csrf(state);
    let settings = load_settings(&mut state.db.reader().await?, event.id).await?;
    let rules = shown.rules.unwrap_or_else(|| RulesForm::from_settings(&settings));
    let notice = shown.notice.map_or_else(String::new, |n| format!("<div class=\"notice\" role=\"status\">{n}</div>"));
    let (find_value, find_error) = shown.find.unwrap_or_default();
    let mut find_errors = FieldErrors::default();
    if !find_error.is_empty() {
        find_errors.add("ticketId", find_error);
    }
    let find = format!(
        "<form method=\"get\" action=\"/wallet/organizer/events/{}/find\">{}<button type=\"submit\">Show the ticket</button></form>",
        event.id,
        input("ticketId", "Ticket id", "text", &find_value, None, &find_errors, "required")
    );
    let body = format!(
        "<p><a href=\"/wallet/organizer/\">← Your events</a></p><h1>{}</h1><p>{} · starts {}</p>{notice}{}\
         <h2>Find a ticket</h2>{find}<h2 id=\"rules\">Rules</h2>{}{}{}",
        escape(&event.name),
        escape(&event.event_id),
        escape(&starts(event)),
        counters::table(std::slice::from_ref(event), "Tickets by how far they got"),
        shown.errors.summary(label_of),
        form(
            &format!("/wallet/organizer/events/{}/rules", event.id),
            &csrf,
            &rules.fields(settings.manual_code_hash.is_some(), &shown.errors),
            "Save the rules"
        ),
        recent_tickets(state, event).await?,
    );
    Ok(frame(&event.name, Some((session, &csrf)), &body))
}

#[derive(Deserialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
}

pub(crate) async fn get_event(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Path(event): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Html<String>, OrgPageError> {
    let event = own_event(&state, &session, &event).await?;
    let notice = query.saved.map(|_| "The rules are saved.".to_owned());
    Ok(Html(event_page(&state, &session, &event, Shown { notice, ..Shown::default() }).await?))
}

/// Saves the rules whole or not at all; a refusal shows the form as sent with the error next
/// to its field. A newly made manual code is shown on this answer only.
pub(crate) async fn post_rules(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Path(event): Path<String>,
    Form(rules): Form<RulesForm>,
) -> Result<Response, OrgPageError> {
    let event = own_event(&state, &session, &event).await?;
    session.check_csrf(&state, &rules.csrf)?;
    let refused = |errors: FieldErrors, rules: RulesForm| Shown { rules: Some(rules), errors, ..Shown::default() };
    let body = match rules.to_body() {
        Ok(body) => body,
        Err(errors) => {
            let page = event_page(&state, &session, &event, refused(errors, rules)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    match replace_event_settings(&state, session.organizer_id, event.id, &event.event_id, body).await {
        Ok((_, None)) => Ok(Redirect::to(&format!("/wallet/organizer/events/{}?saved=1", event.id)).into_response()),
        Ok((_, Some(code))) => {
            let notice = format!(
                "The rules are saved. The event's new manual activation code is <span class=\"once\">{}</span>. \
                 Write it down now: it is shown only this once.",
                escape(&code)
            );
            let shown = Shown { notice: Some(notice), ..Shown::default() };
            Ok(Html(event_page(&state, &session, &event, shown).await?).into_response())
        }
        Err(err) if err.status.is_client_error() => {
            let field = err.field.clone().unwrap_or_else(|| "activationRule".into());
            let mut errors = FieldErrors::default();
            errors.add(&field, sentence(&field, &err.error));
            let page = event_page(&state, &session, &event, refused(errors, rules)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(err) => Err(OrgPageError(err.status, err.error)),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FindQuery {
    #[serde(default)]
    ticket_id: String,
}

/// Opens the page of the event's ticket with that id, or says next to the field that there is
/// none.
pub(crate) async fn get_find_ticket(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Path(event): Path<String>,
    Query(query): Query<FindQuery>,
) -> Result<Response, OrgPageError> {
    let event = own_event(&state, &session, &event).await?;
    let wanted = query.ticket_id.trim();
    let found: Option<i64> =
        sql("SELECT id FROM wallet_tickets WHERE event_pk = $1 AND organizer_id = $2 AND ticket_id = $3")
            .bind(event.id)
            .bind(session.organizer_id)
            .bind(wanted)
            .scalar_optional(&mut state.db.reader().await?)
            .await?;
    if let Some(pk) = found {
        return Ok(Redirect::to(&format!("/wallet/organizer/tickets/{pk}")).into_response());
    }
    let why = if wanted.is_empty() { "Enter a ticket id." } else { "This event has no ticket with this id." };
    let shown = Shown { find: Some((wanted.to_owned(), why.to_owned())), ..Shown::default() };
    Ok((StatusCode::NOT_FOUND, Html(event_page(&state, &session, &event, shown).await?)).into_response())
}
