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

#[derive(sqlx::FromRow)]
struct Row {
    ticket_id: String,
    status: String,
    barcode: String,
    deletion_reason: Option<String>,
    show_deleted_ticket: Option<bool>,
}

impl Row {
    fn state(&self) -> TicketState {
        // a stored status that does not parse is taken as deleted, as every change does
        let status = self.status.parse().unwrap_or(WalletStatus::Deleted);
        TicketState::new(
            self.ticket_id.as_str(),
            DigestStatus::of_wallet(status),
            &self.barcode,
            self.deletion_reason.as_deref(),
            self.show_deleted_ticket,
        )
    }
}

/// Compares ticket ids byte by byte on both backends: SQLite compares text that way,
/// PostgreSQL needs the "C" collation.
fn ticket_id_column(conn: &impl Conn) -> &'static str {
    match conn.backend() {
        Backend::Postgres => "ticket_id COLLATE \"C\"",
        Backend::Sqlite => "ticket_id",
    }
}

/// The organizer's tickets in `range` (of event `event_pk`, if any), in no order.
async fn rows(
    conn: &mut impl Conn,
    organizer: i64,
    event_pk: Option<i64>,
    range: &IdRange,
) -> Result<Vec<Row>, sqlx::Error> {
    let column = ticket_id_column(conn);
    let mut q = sql("SELECT ticket_id, status, barcode, deletion_reason, show_deleted_ticket
         FROM wallet_tickets WHERE organizer_id = ");
    q.push_bind(organizer);
    if let Some(pk) = event_pk {
        q.push(" AND event_pk = ").push_bind(pk);
    }
    if let Some(from) = &range.from {
        q.push(&format!(" AND {column} >= ")).push_bind(from.as_str());
    }
    if let Some(to) = &range.to {
        q.push(&format!(" AND {column} < ")).push_bind(to.as_str());
    }
    q.fetch_all(conn).await
}

/// The range's digest, its parts' and, when it holds at most `list` tickets, the tickets:
/// every ticket is hashed, so this runs off the async workers.
struct Summary {
    whole: digest::Digest,
    parts: Vec<digest::Part>,
    listed: Option<Vec<TicketState>>,
}

fn summarize(rows: Vec<Row>, range: &IdRange, parts: usize, list: usize) -> Summary {
    let mut states: Vec<TicketState> = rows.iter().map(Row::state).collect();
    drop(rows);
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
    let rows = rows(&mut conn, organizer, event_pk, &range).await?;
    let asked = range.clone();
    let summary =
        tokio::task::spawn_blocking(move || summarize(rows, &asked, parts, list)).await.map_err(ApiError::internal)?;
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
