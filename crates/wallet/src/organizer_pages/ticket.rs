//! One ticket's page: its status, owner, holder, transfer counters and dates, and its status
//! log with a mark saying whether the hash chain verifies — worked out again on every view by
//! re-walking the stored rows (`tixbridge_domain::chain::verify_chain`), never stored.

use axum::extract::{Path, State};
use axum::response::Html;
use tixbridge_domain::chain::{LogEntry, StoredEntry, verify_chain};
use tixbridge_store::sql;

use super::event::zone;
use super::{OrgPageError, OrganizerSession, frame, row_id};
use crate::WalletState;
use crate::i18n::Lang;
use crate::i18n::dates::{EventZone, human_ms};
use crate::pages::html::escape;

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    ticket_id: String,
    status: String,
    event_pk: i64,
    event_name: String,
    start_time: String,
    event_body: String,
    owner: String,
    holder: Option<String>,
    forward_transfers: i64,
    backward_transfers: i64,
    injected_at: i64,
    downloaded_at: Option<i64>,
    assigned_at: Option<i64>,
    activated_at: Option<i64>,
    controlled_at: Option<i64>,
    deleted_at: Option<i64>,
    last_hash: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    position: i64,
    at: i64,
    status: String,
    action: String,
    actor: String,
    detail: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

/// The ticket, when it is the organizer's.
async fn own_ticket(state: &WalletState, organizer: i64, pk: i64) -> Result<TicketRow, OrgPageError> {
    let found: Option<TicketRow> =
        sql("SELECT t.id, t.ticket_id, t.status, t.event_pk, e.name AS event_name, e.start_time, e.body AS event_body,
            s.email AS owner, t.holder, t.forward_transfers, t.backward_transfers, t.injected_at, t.downloaded_at,
            t.assigned_at, t.activated_at, t.controlled_at, t.deleted_at, t.last_hash
         FROM wallet_tickets t JOIN wallet_events e ON e.id = t.event_pk JOIN wallet_spectators s ON s.id = t.owner_id
         WHERE t.id = $1 AND t.organizer_id = $2")
        .bind(pk)
        .bind(organizer)
        .fetch_optional(&mut state.db.reader().await?)
        .await?;
    found.ok_or_else(OrgPageError::not_found)
}

/// The chain's mark: verified, or the first entry (counted from 1) that does not.
fn chain_mark(ticket: &TicketRow, log: &[LogRow]) -> String {
    let entries: Vec<StoredEntry<'_>> = log
        .iter()
        .map(|row| StoredEntry {
            entry: LogEntry {
                ticket_id: &ticket.ticket_id,
                position: row.position,
                at_ms: row.at,
                status: &row.status,
                action: &row.action,
                actor: &row.actor,
                detail: &row.detail,
            },
            prev_hash: &row.prev_hash,
            hash: &row.hash,
        })
        .collect();
    match verify_chain(&entries, &ticket.last_hash) {
        Ok(()) => format!(
            "<p class=\"verified\" id=\"chain\">✓ Verified: all {} entries of the log are intact and in order.</p>",
            log.len()
        ),
        Err(index) => format!(
            "<p class=\"broken\" id=\"chain\">✗ Not verified: the log is broken at entry {}. \
             This entry, or one after it, was changed, removed or reordered outside the wallet.</p>",
            index + 1
        ),
    }
}

fn holder_name(holder: Option<&str>) -> String {
    let parsed: Option<serde_json::Value> = holder.and_then(|h| serde_json::from_str(h).ok());
    let name = parsed.map(|h| {
        [h["firstName"].as_str().unwrap_or(""), h["lastName"].as_str().unwrap_or("")].join(" ").trim().to_owned()
    });
    name.filter(|n| !n.is_empty()).unwrap_or_else(|| "not named yet".into())
}

fn facts(ticket: &TicketRow, zone: EventZone) -> String {
    let when = |at: Option<i64>| at.map_or_else(|| "not yet".to_owned(), |ms| human_ms(ms, zone, Lang::En));
    let rows = [
        ("Status", ticket.status.clone()),
        ("Owner", ticket.owner.clone()),
        ("Holder", holder_name(ticket.holder.as_deref())),
        ("Transfers", format!("{} given on, {} given back", ticket.forward_transfers, ticket.backward_transfers)),
        ("Injected", when(Some(ticket.injected_at))),
        ("Downloaded", when(ticket.downloaded_at)),
        ("Assigned", when(ticket.assigned_at)),
        ("Activated", when(ticket.activated_at)),
        ("Controlled", when(ticket.controlled_at)),
        ("Deleted", when(ticket.deleted_at)),
    ];
    let rows: String = rows
        .iter()
        .map(|(label, value)| format!("<tr><th scope=\"row\">{label}</th><td>{}</td></tr>", escape(value)))
        .collect();
    format!("<table><caption>The ticket now</caption><tbody>{rows}</tbody></table>")
}

pub(crate) async fn get_ticket(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Path(ticket): Path<String>,
) -> Result<Html<String>, OrgPageError> {
    let ticket = own_ticket(&state, session.organizer_id, row_id(&ticket)?).await?;
    let log: Vec<LogRow> =
        sql("SELECT position, at, status, action, actor, detail, prev_hash, hash FROM wallet_ticket_log
         WHERE ticket_pk = $1 ORDER BY position")
        .bind(ticket.id)
        .fetch_all(&mut state.db.reader().await?)
        .await?;
    let zone = zone(&ticket.event_body, &ticket.start_time);
    let entries: String = log
        .iter()
        .enumerate()
        .map(|(index, row)| {
            format!(
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                index + 1,
                escape(&human_ms(row.at, zone, Lang::En)),
                escape(&row.status),
                escape(&row.action),
                escape(&row.actor),
                escape(&row.detail)
            )
        })
        .collect();
    let csrf = session.csrf(&state);
    let body = format!(
        "<p><a href=\"/wallet/organizer/events/{}\">← {}</a></p><h1>Ticket {}</h1>{}<h2>Status log</h2>{}\
         <div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Status log\"><table><caption>Every change, oldest first; times in the event's time zone</caption>\
         <thead><tr><th scope=\"col\" class=\"n\">Entry</th><th scope=\"col\">When</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Change</th><th scope=\"col\">By</th><th scope=\"col\">Details</th></tr></thead><tbody>{entries}</tbody></table></div>",
        ticket.event_pk,
        escape(&ticket.event_name),
        escape(&ticket.ticket_id),
        facts(&ticket, zone),
        chain_mark(&ticket, &log),
    );
    Ok(Html(frame(&format!("Ticket {}", ticket.ticket_id), Some((&session, &csrf)), &body)))
}
