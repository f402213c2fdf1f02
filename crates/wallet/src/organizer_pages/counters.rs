//! How far an organizer's tickets got, per event, counted by the database in one grouped
//! statement (never ticket by ticket). A counter is the number of the event's tickets that
//! reached that step at some time (the ticket keeps the step's time), except pending
//! transfers, which are the tickets offered to someone right now.

use tixbridge_store::sql;

use crate::WalletState;

/// One event and its counters.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventCounts {
    pub id: i64,
    pub event_id: String,
    pub name: String,
    pub start_time: String,
    /// The event as injected (its `timeZone`, for dates written for people).
    pub body: String,
    pub injected: i64,
    pub downloaded: i64,
    pub assigned: i64,
    pub pending_transfers: i64,
    pub deleted: i64,
    pub activated: i64,
    pub controlled: i64,
}

/// The counters' names on the pages, in the order of the columns.
pub(crate) const LABELS: [&str; 7] =
    ["Injected", "Downloaded", "Assigned", "Pending transfers", "Deleted", "Activated", "Controlled"];

impl EventCounts {
    pub(crate) fn values(&self) -> [i64; 7] {
        [
            self.injected,
            self.downloaded,
            self.assigned,
            self.pending_transfers,
            self.deleted,
            self.activated,
            self.controlled,
        ]
    }
}

const COUNTS: &str = "SELECT e.id, e.event_id, e.name, e.start_time, e.body,
    COUNT(t.id) AS injected,
    COALESCE(SUM(CASE WHEN t.downloaded_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS downloaded,
    COALESCE(SUM(CASE WHEN t.assigned_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS assigned,
    COALESCE(SUM(CASE WHEN t.status = 'PENDING_TRANSFER' THEN 1 ELSE 0 END), 0) AS pending_transfers,
    COALESCE(SUM(CASE WHEN t.deleted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS deleted,
    COALESCE(SUM(CASE WHEN t.activated_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS activated,
    COALESCE(SUM(CASE WHEN t.controlled_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS controlled
    FROM wallet_events e LEFT JOIN wallet_tickets t ON t.event_pk = e.id
    WHERE e.organizer_id = $1";

const GROUP: &str = " GROUP BY e.id, e.event_id, e.name, e.start_time, e.body";

/// Every event of organizer `organizer` with its counters, by start then id.
pub(crate) async fn all_events(state: &WalletState, organizer: i64) -> Result<Vec<EventCounts>, sqlx::Error> {
    sql(format!("{COUNTS}{GROUP} ORDER BY e.start_time, e.event_id"))
        .bind(organizer)
        .fetch_all(&mut state.db.reader().await?)
        .await
}

/// Event `pk` with its counters, when it is organizer `organizer`'s.
pub(crate) async fn one_event(
    state: &WalletState,
    organizer: i64,
    pk: i64,
) -> Result<Option<EventCounts>, sqlx::Error> {
    sql(format!("{COUNTS} AND e.id = $2{GROUP}"))
        .bind(organizer)
        .bind(pk)
        .fetch_optional(&mut state.db.reader().await?)
        .await
}

/// The counters as a table (one row per event), each event's name linking to its page.
pub(crate) fn table(events: &[EventCounts], caption: &str) -> String {
    use crate::pages::html::escape;
    let head: String = LABELS.iter().map(|label| format!("<th scope=\"col\" class=\"n\">{label}</th>")).collect();
    let rows: String = events
        .iter()
        .map(|event| {
            let cells: String = event.values().iter().map(|n| format!("<td class=\"n\">{n}</td>")).collect();
            format!(
                "<tr><th scope=\"row\"><a href=\"/wallet/organizer/events/{}\">{}</a><br><span class=\"hint\">{} · {}</span></th>{cells}</tr>",
                event.id,
                escape(&event.name),
                escape(&event.event_id),
                escape(&super::event::starts(event))
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table><caption>{}</caption><thead><tr><th scope=\"col\">Event</th>{head}</tr></thead>\
         <tbody>{rows}</tbody></table></div>",
        escape(caption),
        escape(caption)
    )
}
