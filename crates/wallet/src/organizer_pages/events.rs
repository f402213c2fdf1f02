//! The back office's first page: the organizer's events, each with its counters.

use axum::extract::State;
use axum::response::Html;

use super::{OrgPageError, OrganizerSession, counters, frame};
use crate::WalletState;

pub(crate) async fn get_events(
    State(state): State<WalletState>,
    session: OrganizerSession,
) -> Result<Html<String>, OrgPageError> {
    let events = counters::all_events(&state, session.organizer_id).await?;
    let list = if events.is_empty() {
        "<p>No events yet: an event appears here with the first ticket injected for it.</p>".to_owned()
    } else {
        counters::table(&events, "Tickets of each event, by how far they got")
    };
    let body = format!(
        "<h1>Your events</h1><p>Each number counts the event's tickets that reached that step; \
         pending transfers are the tickets offered to someone right now.</p>{list}"
    );
    Ok(Html(frame("Your events", Some((&session, &session.csrf(&state))), &body)))
}
