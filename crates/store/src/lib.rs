//! The database handle shared by every part: one connection setup per backend, the
//! migrations, and the typed handles ([`Tx`], [`Pooled`]) on which a part runs statements
//! written once for both backends ([`sql`]).
//!
//! SQLite is the embedded default and PostgreSQL the scale-out backend. Each part (wallet,
//! box office, interface) owns its tables and its queries; this crate only knows how to open,
//! migrate and hand out connections. On SQLite every write goes through a pool of exactly one
//! connection, so concurrent writers queue in Rust instead of meeting `database is locked`.

mod changes;
mod checkpoint;
mod conn;
mod connect;
pub mod packed;
mod readiness;
mod sql;
pub mod testing;
pub mod throttle;

pub use changes::{CHANGES_CHANNEL, Changes};
pub use conn::{Conn, Pooled, Tx};
pub use connect::{Backend, Db, Metrics, PgDb, SqliteDb, StoreError};
pub use readiness::Readiness;
pub use sql::{Arg, Bind, Row, Scalar, Sql, Target, Values, sql};
/// The metrics registry's types (docs/observability.md).
pub use tixbridge_telemetry as metrics;
