//! `GET …/organizer/tickets/digest` (docs/wallet-api.md#digest): the count and hash of the
//! organizer's tickets in a range of ticket ids — an event's, or all of them — cut into parts
//! a client can bisect, and, for a small range, the tickets themselves. The rule (what a
//! ticket's state is, how it is hashed) is the domain's, shared with the box office.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_domain::WalletStatus;
use tixbridge_domain::digest::{self, DigestStatus, IdRange, TicketState};
use tixbridge_store::packed::{self, Packed, PackedRead, PackedRow};
use tixbridge_store::{Backend, Conn, sql};
use tixbridge_web::ApiError;
use tixbridge_web::Query;

use crate::WalletState;
use crate::auth::Organizer;

/// The most parts a range is cut into.
pub const MAX_PARTS: usize = 1_024;
const DEFAULT_PARTS: usize = 16;
/// The most tickets one answer lists.
pub const MAX_LIST: usize = 1_000;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct DigestQuery {
    /// the wallet event; absent: every ticket of the organizer
    event_id: Option<String>,
    /// the first ticket id of the range (byte order); absent: from the first
    from: Option<String>,
    /// the ticket id the range stops before; absent: to the last
    to: Option<String>,
    /// how many parts to cut the range into
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1024, default = 16)]
    parts: Option<String>,
    /// list the range's tickets when it holds at most this many
    #[param(value_type = Option<i64>, minimum = 0, maximum = 1000, default = 0)]
    list: Option<String>,
}

/// A whole number in `bounds` from the query, `default` when absent.
fn number(
    field: &str,
    text: Option<&str>,
    bounds: std::ops::RangeInclusive<usize>,
    default: usize,
) -> Result<usize, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(text) => text.parse::<usize>().ok().filter(|n| bounds.contains(n)).ok_or_else(|| {
            ApiError::bad_request(field, format!("must be a whole number from {} to {}", bounds.start(), bounds.end()))
        }),
    }
}

/// A ticket id bound from the query; empty is absent.
fn bound(field: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    match text.filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > 256 => Err(ApiError::bad_request(field, "a ticket id: at most 256 characters")),
        other => Ok(other.map(str::to_owned)),
    }
}

/// The columns a ticket's digest state is made of, in [`state`]'s order.
const COLUMNS: [&str; 5] = ["ticket_id", "status", "barcode", "deletion_reason", "show_deleted_ticket"];

/// The digest state of one packed row of [`COLUMNS`].
fn state(row: PackedRow<'_>) -> TicketState {
    // a stored status that does not parse is taken as deleted, as every change does
    let status = row.get(1).parse().unwrap_or(WalletStatus::Deleted);
    TicketState::new(row.get(0), DigestStatus::of_wallet(status), row.get(2), row.optional(3), row.flag(4))
}

/// Compares ticket ids byte by byte on both backends: SQLite compares text that way,
/// PostgreSQL needs the "C" collation.
fn ticket_id_column(conn: &impl Conn) -> &'static str {
    match conn.backend() {
        Backend::Postgres => "ticket_id COLLATE \"C\"",
        Backend::Sqlite => "ticket_id",
    }
}

/// The organizer's tickets in `range` (of event `event_pk`, if any) as packed rows of
/// [`COLUMNS`], in no order, read packed (docs/interface.md#reconcile): a whole event or organizer in windows
/// of the table's key, a bounded range — a bisection's part — in one read along the ticket id
/// index.
async fn rows(
    conn: &mut impl Conn,
    organizer: i64,
    event_pk: Option<i64>,
    range: &IdRange,
) -> Result<Vec<Packed>, sqlx::Error> {
    let column = ticket_id_column(conn);
    let mut filter = sql("WHERE organizer_id = ");
    filter.push_bind(organizer);
    if let Some(pk) = event_pk {
        filter.push(" AND event_pk = ").push_bind(pk);
    }
    if let Some(from) = &range.from {
        filter.push(&format!(" AND {column} >= ")).push_bind(from.as_str());
    }
    if let Some(to) = &range.to {
        filter.push(&format!(" AND {column} < ")).push_bind(to.as_str());
    }
    let read = PackedRead { table: "wallet_tickets", columns: &COLUMNS, filter, key: "id" };
    if range.from.is_none() && range.to.is_none() {
        packed::fetch_windows(conn, &read, packed::WINDOW_ROWS).await
    } else {
        Ok(vec![packed::fetch(conn, &read).await?])
    }
}

/// The range's digest, its parts' and, when it holds at most `list` tickets, the tickets:
/// every ticket is hashed, so this runs off the async workers.
struct Summary {
    whole: digest::Digest,
    parts: Vec<digest::Part>,
    listed: Option<Vec<TicketState>>,
}

fn summarize(windows: Vec<Packed>, range: &IdRange, parts: usize, list: usize) -> Summary {
    let mut states = Vec::with_capacity(windows.iter().map(Packed::len).sum());
    for window in &windows {
        states.extend(window.rows().map(state));
    }
    drop(windows);
    digest::sort(&mut states);
    let whole = digest::digest(&states);
    let parts = digest::parts(range, &states, parts);
    let listed = (list > 0 && states.len() <= list).then_some(states);
    Summary { whole, parts, listed }
}

/// The event of each of `tickets`.
async fn events_of(
    conn: &mut impl Conn,
    organizer: i64,
    tickets: &[TicketState],
) -> Result<HashMap<String, String>, sqlx::Error> {
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = sql("SELECT t.ticket_id, e.event_id FROM wallet_tickets t JOIN wallet_events e ON e.id = t.event_pk
         WHERE t.organizer_id = ");
    q.push_bind(organizer).push(" AND t.ticket_id IN ").push_list(tickets.iter().map(|t| &*t.ticket_id));
    Ok(q.fetch_all::<(String, String)>(conn).await?.into_iter().collect())
}

#[utoipa::path(
    get,
    path = "/api/organizer/tickets/digest",
    summary = "Count and hash of the organizer's tickets in a range of ticket ids, cut into parts to bisect",
    params(DigestQuery),
    responses(
        (status = 200, description = "the range's digest, its parts' digests and, when asked and small enough, its tickets", body = crate::openapi::tickets::DigestAnswer),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 404, response = tixbridge_web::openapi::NotFound)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn get_digest(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    Query(query): Query<DigestQuery>,
) -> Result<Json<Value>, ApiError> {
    let parts = number("parts", query.parts.as_deref(), 1..=MAX_PARTS, DEFAULT_PARTS)?;
    let list = number("list", query.list.as_deref(), 0..=MAX_LIST, 0)?;
    let range = IdRange { from: bound("from", query.from.as_deref())?, to: bound("to", query.to.as_deref())? };
    if range.is_empty() {
        return Err(ApiError::bad_request("to", "must come after from (the range stops before to)"));
    }
    let event_id = query.event_id.filter(|e| !e.is_empty());
    let mut conn = state.db.reader().await?;
    let event_pk = match &event_id {
        None => None,
        Some(event_id) => Some(
            sql("SELECT id FROM wallet_events WHERE organizer_id = $1 AND event_id = $2")
                .bind(organizer)
                .bind(event_id.as_str())
                .scalar_optional::<i64>(&mut conn)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("no event {event_id:?}")).with_field("eventId"))?,
        ),
    };
    let windows = rows(&mut conn, organizer, event_pk, &range).await?;
    let asked = range.clone();
    let summary = tokio::task::spawn_blocking(move || summarize(windows, &asked, parts, list))
        .await
        .map_err(ApiError::internal)?;
    let cut: Vec<Value> = summary
        .parts
        .iter()
        .map(|part| {
            json!({ "from": part.range.from, "to": part.range.to,
                    "count": part.digest.count, "hash": part.digest.hash_hex() })
        })
        .collect();
    let mut answer = json!({
        "eventId": event_id, "from": range.from, "to": range.to,
        "count": summary.whole.count, "hash": summary.whole.hash_hex(), "parts": cut,
    });
    if let Some(listed) = summary.listed {
        let events = events_of(&mut conn, organizer, &listed).await?;
        let tickets: Vec<Value> = listed
            .iter()
            .map(|s| {
                let mut item = serde_json::to_value(s).unwrap_or_default();
                item["eventId"] = json!(events.get(&*s.ticket_id));
                item
            })
            .collect();
        answer["tickets"] = Value::Array(tickets);
    }
    Ok(Json(answer))
}
