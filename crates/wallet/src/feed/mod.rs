//! The feedback feed (`GET …/diff`) and the whole-ticket view (`GET …/{ticketId}`).
//!
//! Every change stamps the ticket with the next position of its organizer's feed, so the
//! diff is "tickets whose position is past the cursor, in position order". A ticket changed
//! again later moves forward and is returned again.
//!
//! Each appearance carries the ticket's whole log up to the position it is read at, not only
//! the entries past the cursor: a ticket that changed again before the reader reached its
//! earlier position has moved past the cursor with its earlier entries, and the wallet cannot
//! tell which of them that reader already saw. The box office keeps each entry once.

mod view;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::{Path, Query};

use crate::WalletState;
use crate::auth::Organizer;
use view::{HistoryRow, TicketRow, history_json, load_history, ticket_json};

/// Largest page of the diff feed.
pub const MAX_DIFF_LIMIT: i64 = 10_000;
const DEFAULT_DIFF_LIMIT: i64 = 1_000;
/// The diff answer's header carrying the organizer's latest feed position (the feedback lag
/// of docs/observability.md is this minus the reader's key).
pub const FEED_POSITION_HEADER: &str = "x-feed-position";

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// empty starts from the beginning
    pagination_key: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10000, default = 1000)]
    limit: Option<String>,
}

fn parse_cursor(query: &DiffQuery) -> Result<(i64, i64), ApiError> {
    let cursor = match query.pagination_key.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(key) => key.parse::<i64>().ok().filter(|k| *k >= 0).ok_or_else(|| {
            ApiError::bad_request("paginationKey", "must be a key returned as nextPaginationKey, or empty")
        })?,
    };
    let limit = match query.limit.as_deref() {
        None | Some("") => DEFAULT_DIFF_LIMIT,
        Some(text) => text.parse::<i64>().ok().filter(|n| (1..=MAX_DIFF_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::bad_request("limit", format!("must be a whole number from 1 to {MAX_DIFF_LIMIT}"))
        })?,
    };
    Ok((cursor, limit))
}

#[utoipa::path(
    get,
    path = "/api/organizer/tickets/diff",
    summary = "Tickets changed after paginationKey, oldest first",
    params(DiffQuery),
    responses(
        (status = 200, description = "a page of the feed", body = crate::openapi::tickets::Diff, headers(
            ("X-Feed-Position" = String, description = "the organizer's latest feed position when the page was read: \
             how far a reader is behind is this minus its paginationKey")
        )),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_diff(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Query(query): Query<DiffQuery>,
) -> Result<([(&'static str, String); 2], Vec<u8>), ApiError> {
    let (cursor, limit) = parse_cursor(&query)?;
    let mut tx = state.db.begin_read().await?;
    let position: i64 =
        sql("SELECT feed_seq FROM wallet_organizers WHERE id = $1").bind(organizer).scalar::<i64>(&mut tx).await?;
    let tickets: Vec<TicketRow> = sql(format!(
        "{} WHERE t.organizer_id = $1 AND t.change_seq > $2 ORDER BY t.change_seq LIMIT $3",
        view::diff_select()
    ))
    .bind(organizer)
    .bind(cursor)
    .bind(limit)
    .fetch_all(&mut tx)
    .await?;
    let history = load_history(&mut tx, &tickets, -1).await?;
    tx.commit().await?;
    let next = tickets.last().map_or(cursor, |t| t.change_seq);
    let mut by_ticket = view::group_history(history);
    // Written one ticket at a time, as `Json` of the whole page would (keys in order): a page
    // of 10,000 tickets is never held as a tree of JSON values (docs/wallet-api.md#the-feedback-feed).
    let mut body = Vec::with_capacity(512 * tickets.len() + 64);
    body.extend_from_slice(b"{\"nextPaginationKey\":");
    serde_json::to_writer(&mut body, &next.to_string()).map_err(write_failed)?;
    body.extend_from_slice(b",\"tickets\":[");
    for (i, t) in tickets.iter().enumerate() {
        let entries = by_ticket.remove(&t.id).unwrap_or_default();
        // Entries newer than the ticket row we read belong to a later page.
        let entries: Vec<&HistoryRow> = entries.iter().filter(|h| h.feed_seq <= t.change_seq).collect();
        let mut item = ticket_json(t, false);
        item["history"] = history_json(entries);
        if i > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, &item).map_err(write_failed)?;
    }
    body.extend_from_slice(b"]}");
    Ok(([(FEED_POSITION_HEADER, position.to_string()), ("content-type", "application/json".to_owned())], body))
}

fn write_failed(err: serde_json::Error) -> ApiError {
    ApiError::internal(err)
}

#[utoipa::path(
    get,
    path = "/api/organizer/tickets/{ticketId}",
    operation_id = "get_organizer_ticket",
    summary = "One ticket, whole, with its hash-chained status log",
    params(("ticketId" = String, Path)),
    responses(
        (status = 200, description = "the ticket", body = crate::openapi::tickets::Ticket),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, response = tixbridge_web::openapi::NotFound)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_ticket(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Path(ticket_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut tx = state.db.begin_read().await?;
    let ticket: Option<TicketRow> =
        sql(format!("{} WHERE t.organizer_id = $1 AND t.ticket_id = $2", view::TICKET_SELECT))
            .bind(organizer)
            .bind(&ticket_id)
            .fetch_optional(&mut tx)
            .await?;
    let found = match ticket {
        Some(ticket) => {
            let history = load_history(&mut tx, std::slice::from_ref(&ticket), -1).await?;
            Some((ticket, history))
        }
        None => None,
    };
    tx.commit().await?;
    let (ticket, history) =
        found.ok_or_else(|| ApiError::not_found(format!("no ticket {ticket_id:?}")).with_field("ticketId"))?;
    let mut item = ticket_json(&ticket, true);
    item["history"] = history_json(history.iter().collect());
    Ok(Json(item))
}
