//! Opening a database from a URL and applying its migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

use crate::changes::Changes;
use crate::checkpoint::Checkpointer;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
pub use tixbridge_telemetry::Metrics;

/// Errors from opening or migrating a database, or from a query a part ran.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL {0:?} is not supported: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("no answer from the database server within {} s", CONNECT_TIMEOUT.as_secs())]
    ConnectTimeout,
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Which SQL dialect a [`Db`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite pools: one writer connection (the funnel) and several readers.
#[derive(Debug, Clone)]
pub struct SqliteDb {
    pub writer: SqlitePool,
    pub reader: SqlitePool,
    pub changes: Changes,
    pub metrics: Metrics,
    checkpointer: Checkpointer,
}

/// The PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct PgDb {
    pub pool: PgPool,
    pub changes: Changes,
    pub metrics: Metrics,
}

/// A connected, migrated database. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

/// How long a writer may queue for the single SQLite connection before giving up. Long on
/// purpose: a queued write is slow, a failed one is lost work for the caller.
const WRITER_QUEUE_TIMEOUT: Duration = Duration::from_secs(300);

/// How long the first connection to a PostgreSQL server may take. A refused or unreachable
/// server is then reported within seconds instead of after the pool's retries for a whole
/// acquire timeout (a minute), which looks like a hung process at start.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Each backend's own migrations, built into the binary.
pub(crate) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Opens `sqlite://PATH` (created when missing) or `postgres://…`, and migrates it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = if let Some(path) = url.strip_prefix("sqlite://") {
            Self::open_sqlite(path).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await?
        } else {
            // the scheme alone: the rest may hold a password
            let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
            return Err(StoreError::UnsupportedUrl(format!("{scheme}://…")));
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn open_sqlite(path: &str) -> Result<Self, StoreError> {
        create_private_file(path)?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITER_QUEUE_TIMEOUT)
            // the checkpointer copies the WAL back every 3 s without holding this connection
            // (checkpoint.rs); this connection does it itself only past 64 MiB, a backstop. The
            // threshold dates from when the writer did every checkpoint: index pages that every
            // batch touches are then copied once per checkpoint rather than once per few batches
            // (100,000 tickets: 1.45 → 1.29 s written straight, 4.6 → 4.3 s injected). The page
            // cache stays at 8 MiB: the operating system caches the file anyway, and at 32 MiB a
            // million-ticket import peaked at 190 MiB against 155 MiB, and was no faster
            // (docs/benchmarks.md)
            .connect_with(options.clone().pragma("cache_size", "-8192").pragma("wal_autocheckpoint", "16384"))
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(WRITER_QUEUE_TIMEOUT)
            // 2 MiB each, SQLite's default: eight readers caching the same hot pages kept a
            // served demo under mixed load at about 170 MiB; at 2 MiB it settled near 126 MiB,
            // with injection no slower (the file's pages stay in the operating system's cache)
            .connect_with(options.clone().read_only(true).pragma("cache_size", "-2048"))
            .await?;
        let checkpointer = Checkpointer::start(options.pragma("cache_size", "-512")).await?;
        Ok(Db::Sqlite(SqliteDb { writer, reader, changes: Changes::default(), metrics: Metrics::new(), checkpointer }))
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        // One connection tried once, bounded: the pool would retry a refused connection until
        // its acquire timeout; this reports the first refusal, or the silence, at once.
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| StoreError::ConnectTimeout)??;
        probe.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(PgDb { pool, changes: Changes::default(), metrics: Metrics::new() }))
    }

    /// Applies this backend's own migrations; safe to run at every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(s) => SQLITE_MIGRATIONS.run(&s.writer).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(&p.pool).await?,
        }
        Ok(())
    }

    /// The in-process signal of committed changes that continuous functions wait on.
    pub fn changes(&self) -> &Changes {
        match self {
            Db::Sqlite(s) => &s.changes,
            Db::Postgres(p) => &p.changes,
        }
    }

    /// This process's metrics (docs/observability.md): one set per opened database, which
    /// every part holds already.
    pub fn metrics(&self) -> &Metrics {
        match self {
            Db::Sqlite(s) => &s.metrics,
            Db::Postgres(p) => &p.metrics,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.writer.close().await;
                s.reader.close().await;
                s.checkpointer.close().await;
            }
            Db::Postgres(p) => p.pool.close().await,
        }
    }
}

/// Creates the SQLite database file readable by its owner only (0600 on Unix) before SQLite
/// opens it: SQLite gives its `-wal` and `-shm` files the database file's mode. A database file
/// that exists already is left as it is.
fn create_private_file(path: &str) -> Result<(), StoreError> {
    let file = path.split('?').next().unwrap_or(path);
    if file.is_empty() || file == ":memory:" || file.starts_with("file:") {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // a missing folder and the like: SQLite says it better
        Err(_) => Ok(()),
    }
}

impl Db {
    /// Refreshes the planner's statistics of `tables` after a bulk load. PostgreSQL plans
    /// from statistics that autovacuum updates only about once a minute: right after a
    /// load of 100,000 rows it still believes a table empty and scans it whole for every
    /// page of work. SQLite gets `PRAGMA optimize`, which does the same where it helps.
    pub async fn refresh_statistics(&self, tables: &[&str]) -> Result<(), StoreError> {
        match self {
            Db::Postgres(pg) if !tables.is_empty() => {
                sqlx::query(&format!("ANALYZE {}", tables.join(", "))).execute(&pg.pool).await?;
            }
            Db::Postgres(_) => {}
            Db::Sqlite(s) => {
                sqlx::query("PRAGMA optimize").execute(&s.writer).await?;
            }
        }
        Ok(())
    }
}
