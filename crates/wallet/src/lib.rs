//! The wallet: a TIXnGO-compatible service. This crate owns the `wallet_*` tables, the
//! organizer API the box office injects into (docs/wallet-api.md#the-organizer-api), the
//! spectator API and web wallet, the secure entry code (§7.5), transfers (§7.6) and the
//! gate's verification. No code here reads box-office tables: the two parts meet only over
//! HTTP.

pub mod audit;
mod auth;
mod change;
mod changes_audit;
mod csv_inject;
mod digest;
pub mod entry;
mod error;
mod feed;
pub mod gate;
pub mod i18n;
mod inject;
mod lifecycle;
mod log_rows;
pub mod openapi;
mod organizer_pages;
pub mod organizers;
mod pages;
mod privileges;
pub mod ratelimit;
mod results;
mod settings;
pub mod spectator;
mod spectator_rows;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use std::sync::Arc;
use tixbridge_store::Db;
use tixbridge_vault::ServerKey;

pub use csv_inject::resume_unfinished as resume_csv_jobs;
pub use error::WalletError;
pub use results::{TicketOutcome, TicketResult};
pub use spectator::transfers::expire_transfers;

/// What the wallet's handlers need.
#[derive(Clone)]
pub struct WalletState {
    pub db: Db,
    /// Entry-code keys, device secrets, sign-in code hashes and the bundle signing key derive
    /// from it.
    pub key: ServerKey,
    /// Sends sign-in codes and links.
    pub mailer: Arc<dyn tixbridge_mail::Mailer>,
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// The base URL sign-in links point to, e.g. `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Online gate scans, verified in groups (`gate/queue.rs`).
    pub scans: gate::queue::ScanQueue,
}

impl WalletState {
    pub fn new(db: Db, key: ServerKey, mailer: Arc<dyn tixbridge_mail::Mailer>, public_url: String) -> Self {
        let limiter = Arc::new(ratelimit::RateLimiter::new(ratelimit::SignInLimits::default()));
        let scans = gate::queue::ScanQueue::new(db.clone(), key.clone());
        Self { db, key, mailer, limiter, public_url, scans }
    }
}

/// The most tickets one batch call may carry.
pub const MAX_BATCH_TICKETS: usize = 10_000;

/// Every route of the organizer API, under `/api/organizer/tickets`.
pub fn router(state: WalletState) -> Router {
    Router::new()
        .route("/api/organizer/tickets", post(inject::post_tickets))
        .route("/api/organizer/tickets/delete", post(lifecycle::post_delete))
        .route("/api/organizer/tickets/control", post(lifecycle::post_control))
        .route("/api/organizer/tickets/transfers/cancel", post(lifecycle::transfers::post_cancel_transfers))
        .route("/api/organizer/tickets/diff", get(feed::get_diff))
        .route("/api/organizer/tickets/digest", get(digest::get_digest))
        .route("/api/organizer/tickets/{ticket_id}", get(feed::get_ticket))
        .route("/api/organizer/tickets/csv", post(csv_inject::post_csv))
        .route("/api/organizer/tickets/csv/{job_id}", get(csv_inject::get_job))
        .route("/api/organizer/privileges", post(privileges::post_privileges))
        .route("/api/organizer/privileges/use", post(privileges::post_use))
        .route("/api/organizer/privileges/{privilege_id}", get(privileges::get_privilege))
        .route(
            "/api/organizer/events/{event_id}/settings",
            put(settings::put_event_settings).get(settings::get_event_settings),
        )
        .route("/api/organizer/device-limits", put(settings::put_device_limits).get(settings::get_device_limits))
        .route("/api/organizer/audit", get(changes_audit::get_audit))
        .route("/api/organizer/gate/verify", post(gate::post_verify))
        .route("/api/organizer/gate/offline-scans", post(gate::post_offline_scans))
        .route("/api/gate/bundle", get(gate::get_bundle))
        .route("/api/gate/public-key", get(gate::get_public_key))
        .merge(spectator_routes())
        .merge(pages::routes())
        .merge(organizer_pages::routes())
        .layer(DefaultBodyLimit::max(tixbridge_web::MAX_BODY_BYTES))
        .with_state(state)
}

/// The spectator API, under `/api/spectator`: every write carries `X-CSRF-Token`.
fn spectator_routes() -> Router<WalletState> {
    Router::new()
        .route("/api/spectator/sign-in", post(spectator::post_sign_in))
        .route("/api/spectator/session", post(spectator::post_session))
        .route("/api/spectator/sign-out", post(spectator::post_sign_out))
        .route("/api/spectator/tickets", get(spectator::get_tickets))
        .route("/api/spectator/tickets/{id}", get(spectator::get_ticket))
        .route("/api/spectator/tickets/{id}/code", get(spectator::get_code))
        .route("/api/spectator/tickets/{id}/offline-code", get(entry::offline::get_offline_code))
        .route("/api/spectator/tickets/{id}/holder", post(spectator::post_holder))
        .route("/api/spectator/tickets/{id}/activate", post(spectator::post_activate))
        .route("/api/spectator/tickets/{id}/transfer", post(spectator::post_transfer))
        .route("/api/spectator/tickets/{id}/return", post(spectator::post_return))
        .route("/api/spectator/transfers", get(spectator::get_transfers))
        .route("/api/spectator/transfers/{id}/{action}", post(spectator::post_close_transfer))
        .route("/api/spectator/devices/sync", post(spectator::post_sync))
        .route("/api/spectator/profile", get(spectator::profile::get_profile).put(spectator::profile::put_profile))
        .route_layer(axum::middleware::from_fn(spectator::csrf::require_header))
}

/// Milliseconds since the Unix epoch, the wallet's stored time unit.
pub(crate) fn millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

/// Renders a stored time as RFC 3339 UTC.
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
