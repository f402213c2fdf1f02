//! The wallet: a TIXnGO-compatible service. This crate owns the `wallet_*` tables and the
//! organizer API the box office injects into (SPEC §5). No code here reads box-office tables:
//! the two parts meet only over HTTP.

pub mod audit;
mod auth;
mod csv_inject;
mod feed;
mod inject;
mod lifecycle;
mod log_rows;
pub mod organizers;
mod privileges;
mod results;
mod spectator_rows;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tixbridge_store::Db;

pub use csv_inject::resume_unfinished as resume_csv_jobs;
pub use results::{TicketOutcome, TicketResult};

/// What the wallet's handlers need.
#[derive(Clone)]
pub struct WalletState {
    pub db: Db,
}

/// The most tickets one batch call may carry.
pub const MAX_BATCH_TICKETS: usize = 10_000;

/// Every route of the organizer API, under `/api/organizer/tickets`.
pub fn router(state: WalletState) -> Router {
    Router::new()
        .route("/api/organizer/tickets", post(inject::post_tickets))
        .route("/api/organizer/tickets/delete", post(lifecycle::post_delete))
        .route("/api/organizer/tickets/control", post(lifecycle::post_control))
        .route("/api/organizer/tickets/diff", get(feed::get_diff))
        .route("/api/organizer/tickets/{ticket_id}", get(feed::get_ticket))
        .route("/api/organizer/tickets/csv", post(csv_inject::post_csv))
        .route("/api/organizer/tickets/csv/{job_id}", get(csv_inject::get_job))
        .route("/api/organizer/privileges", post(privileges::post_privileges))
        .route("/api/organizer/privileges/use", post(privileges::post_use))
        .route("/api/organizer/privileges/{privilege_id}", get(privileges::get_privilege))
        .layer(DefaultBodyLimit::max(tixbridge_web::MAX_BODY_BYTES))
        .with_state(state)
}

/// Milliseconds since the Unix epoch, the wallet's stored time unit.
pub(crate) fn millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

/// Renders a stored time as RFC 3339 UTC.
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
