//! The box office (docs/products-and-statuses.md#box-office-ticket-statuses):
//! organizations, catalog, performances, contacts, orders ("files"), tickets and their
//! states, access control, CSV bulk load and the away-fans export. It owns the `bo_*`
//! tables; the interface reads and writes them through the same schema.
//!
//! Handlers live one resource per module and every route is listed in [`routes`]. The
//! operations other code needs (controlling by barcode, finding a contact by e-mail, importing
//! a CSV file) are public library functions that the handlers merely wrap.

pub mod access;
pub mod away;
pub mod capacity;
mod catalog;
pub mod contacts;
pub mod error;
pub mod files;
pub mod idempotency;
pub mod import;
pub mod issue;
pub mod openapi;
pub mod organizations;
mod performances;
mod products;
mod references;
pub mod routes;
mod scans;
mod seasons;
pub mod tickets;
mod validate;
pub mod wallet_side;

use tixbridge_store::Db;

pub use error::BoxOfficeError;
pub use routes::router;

/// What the box office's handlers need.
#[derive(Clone)]
pub struct BoxOfficeState {
    pub db: Db,
    /// Mark the operator session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

/// Milliseconds since the Unix epoch, the stored time unit.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Renders a stored time as RFC 3339 UTC.
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
