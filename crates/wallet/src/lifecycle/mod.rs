//! `POST …/delete` and `POST …/control`: organizer-driven status changes, per ticket, through
//! the one state machine. An illegal move is answered `REJECTED` with the current status and
//! changes nothing; the rest of the batch still goes through.

mod store;
pub(crate) mod transfers;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tixbridge_web::{ApiError, BodyBytes};

use crate::WalletState;
use crate::auth::Organizer;
use crate::inject::batch_elements;
use crate::results::{BatchAnswer, TicketResult};

/// An organizer request about one ticket.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    Delete {
        reason: Option<String>,
        show_deleted_ticket: bool,
    },
    /// `notify_spectator`: the spectator's wallet tells them the ticket was controlled.
    Control {
        at: DateTime<Utc>,
        notify_spectator: bool,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteItem {
    ticket_id: String,
    reason: Option<String>,
    show_deleted_ticket: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ControlItem {
    ticket_id: String,
    controlled_at: Option<String>,
    notify_spectator: Option<bool>,
}

/// The items of a batch body (see [`batch_elements`]), each read into `T`; the first that
/// does not fit is refused by its position.
pub(crate) fn parse_items<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, ApiError> {
    batch_elements(body)?
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            serde_json::from_str(raw.get()).map_err(|err| ApiError::bad_request(format!("[{i}]"), err.to_string()))
        })
        .collect()
}

#[utoipa::path(
    post,
    path = "/api/organizer/tickets/delete",
    summary = "Delete tickets: DELETION_PENDING, or DELETED when no device holds them",
    request_body(content = Vec<crate::openapi::tickets::DeleteRequest>, description = "at most 10,000 tickets"),
    responses(crate::openapi::tickets::BatchAnswers),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_delete(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    BodyBytes(body): BodyBytes,
) -> Result<Json<BatchAnswer>, ApiError> {
    let items: Vec<DeleteItem> = parse_items(&body)?;
    let requests = items
        .into_iter()
        .map(|item| {
            let request = match item.reason {
                Some(reason) if reason.chars().count() > 256 => {
                    Err(TicketResult::rejected(&item.ticket_id, "reason: at most 256 characters"))
                }
                reason => {
                    Ok(Request::Delete { reason, show_deleted_ticket: item.show_deleted_ticket.unwrap_or(false) })
                }
            };
            (item.ticket_id, request)
        })
        .collect();
    let results = store::apply(&state.db, organizer, requests, Utc::now()).await?;
    Ok(Json(BatchAnswer { results }))
}

#[utoipa::path(
    post,
    path = "/api/organizer/tickets/control",
    summary = "Mark tickets CONTROLLED",
    request_body(content = Vec<crate::openapi::tickets::ControlRequest>, description = "at most 10,000 tickets"),
    responses(crate::openapi::tickets::BatchAnswers),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_control(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    BodyBytes(body): BodyBytes,
) -> Result<Json<BatchAnswer>, ApiError> {
    let items: Vec<ControlItem> = parse_items(&body)?;
    let now = Utc::now();
    let requests = items
        .into_iter()
        .map(|item| {
            let notify_spectator = item.notify_spectator.unwrap_or(false);
            let request = match item.controlled_at.as_deref().map(DateTime::parse_from_rfc3339) {
                None => Ok(Request::Control { at: now, notify_spectator }),
                Some(Ok(at)) => Ok(Request::Control { at: at.with_timezone(&Utc), notify_spectator }),
                Some(Err(_)) => {
                    Err(TicketResult::rejected(&item.ticket_id, "controlledAt: must be an RFC 3339 date-time"))
                }
            };
            (item.ticket_id, request)
        })
        .collect();
    let results = store::apply(&state.db, organizer, requests, now).await?;
    Ok(Json(BatchAnswer { results }))
}
