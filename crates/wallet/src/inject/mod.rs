//! `POST /api/organizer/tickets`: inject a batch. Each ticket is validated on its own, then the
//! whole batch is written in one transaction with multi-row statements, so a batch of 1,000
//! costs a handful of round trips, not thousands.

pub(crate) mod plan;
pub(crate) mod store;

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde_json::value::RawValue;
use tixbridge_web::{ApiError, BodyBytes, parse_json};

use crate::WalletState;
use crate::auth::Organizer;
use crate::results::BatchAnswer;

#[utoipa::path(
    post,
    path = "/api/organizer/tickets",
    summary = "Inject a batch of tickets; idempotent per ticketId",
    request_body(content = Vec<crate::openapi::tickets::InjectedTicket>, description = "at most 10,000 tickets"),
    responses(crate::openapi::tickets::BatchAnswers),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_tickets(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    BodyBytes(body): BodyBytes,
) -> Result<Json<BatchAnswer>, ApiError> {
    let now = Utc::now();
    // parsing and checking ten thousand tickets is tens of milliseconds of pure CPU: done off
    // the async workers, which meanwhile keep answering other calls (gate scans, pushes)
    let slots = tokio::task::spawn_blocking(move || raw_batch_items(&body).map(|items| plan::plan(items, now)))
        .await
        .map_err(|err| ApiError::internal(format!("checking the batch failed: {err}")))??;
    let results = store::inject(&state.db, organizer, slots, now).await?;
    Ok(Json(BatchAnswer { results }))
}

/// The tickets of an injection body, each parsed on its own and keeping its text.
fn raw_batch_items(body: &[u8]) -> Result<Vec<plan::BatchItem>, ApiError> {
    batch_elements(body)?
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            plan::BatchItem::from_raw(raw).map_err(|err| ApiError::bad_request(format!("[{i}]"), err.to_string()))
        })
        .collect()
}

/// The elements of a batch body — a JSON array (or `{"tickets": [...]}`) of at most
/// [`crate::MAX_BATCH_TICKETS`] objects — as unparsed JSON text borrowed from the body, so
/// each endpoint reads them into what it needs without an intermediate tree.
pub(crate) fn batch_elements(body: &[u8]) -> Result<Vec<&RawValue>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Wrapped<'a> {
        #[serde(borrow)]
        tickets: Option<Vec<&'a RawValue>>,
    }
    let not_a_list = || ApiError::bad_request("body", "must be a JSON array of tickets");
    let items: Vec<&RawValue> = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => parse_json(body)?,
        Some(b'{') => parse_json::<Wrapped<'_>>(body)?.tickets.ok_or_else(not_a_list)?,
        _ => {
            parse_json::<&RawValue>(body)?;
            return Err(not_a_list());
        }
    };
    check_count(items.len())?;
    if let Some(i) = items.iter().position(|raw| !raw.get().starts_with('{')) {
        return Err(ApiError::bad_request(format!("[{i}]"), "every ticket must be a JSON object"));
    }
    Ok(items)
}

fn check_count(count: usize) -> Result<(), ApiError> {
    if count > crate::MAX_BATCH_TICKETS {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {} tickets per call (got {count})", crate::MAX_BATCH_TICKETS),
        )
        .with_field("tickets"));
    }
    Ok(())
}
