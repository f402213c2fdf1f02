//! The database handle shared by every part: one connection setup per backend, the
//! migrations, and the macros that let a part write its SQL once per backend.
//!
//! SQLite is the embedded default and PostgreSQL the scale-out backend. Each part (wallet,
//! box office, interface) owns its tables and its queries; this crate only knows how to open,
//! migrate and hand out connections. On SQLite every write goes through a pool of exactly one
//! connection, so concurrent writers queue in Rust instead of meeting `database is locked`.

mod changes;
mod conn;
mod connect;
mod sql;
pub mod testing;
pub mod throttle;

pub use changes::{CHANGES_CHANNEL, Changes};
pub use conn::{Conn, Pooled, Tx};
pub use connect::{Backend, Db, PgDb, SqliteDb, StoreError};
pub use sql::{Arg, Bind, Row, Scalar, Sql, Target, Values, sql};

/// Runs `$body` with `$pool` bound to the pool that may write: the single writer connection on
/// SQLite, the shared pool on PostgreSQL. The body is compiled once per backend, so it can use
/// the same SQL text where both dialects agree and branch on [`Db::backend`] where they do not.
#[macro_export]
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => {
                let $pool = &sqlite.writer;
                $body
            }
            $crate::Db::Postgres(postgres) => {
                let $pool = &postgres.pool;
                $body
            }
        }
    };
}

/// Like [`on_writer!`] but with a pool meant for reads only; on SQLite readers never wait for
/// the writer thanks to WAL.
#[macro_export]
macro_rules! on_reader {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => {
                let $pool = &sqlite.reader;
                $body
            }
            $crate::Db::Postgres(postgres) => {
                let $pool = &postgres.pool;
                $body
            }
        }
    };
}
