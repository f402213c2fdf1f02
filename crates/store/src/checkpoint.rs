//! Copying SQLite's write-ahead log back into the database file, beside the writer rather
//! than inside it. Left to SQLite, the commit that fills the log copies it back, holding the
//! one writer connection meanwhile: every 64 MiB (`wal_autocheckpoint`, docs/benchmarks.md)
//! one write waited about 60 ms, which at 10,000 scans a minute was a gate scan reaching the
//! wallet 70 ms late every six seconds. A connection of its own checkpoints passively once a
//! second instead: it never waits for (nor holds up) a reader or the writer, and the writer
//! only restarts the log once it has been copied. The writer keeps its own threshold as a
//! backstop, for a burst of writes faster than this.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// How often the log is copied back: often enough that a steady load (about 12 MiB of log a
/// second at 10,000 scans a minute) never reaches the writer's 64 MiB backstop, seldom enough
/// that a bulk load does not copy its index pages over and over (every second, `bench
/// baseline` of 100,000 tickets took 15–20 % longer).
const INTERVAL: Duration = Duration::from_secs(3);

/// The checkpointing connection, held by every clone of the database handle: the checkpoints
/// stop once the last clone is gone, or when the handle is closed.
#[derive(Debug, Clone)]
pub(crate) struct Checkpointer {
    pool: SqlitePool,
    _alive: Arc<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database `options` open, every [`INTERVAL`].
    pub async fn start(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .connect_with(options)
            .await?;
        let alive = Arc::new(());
        tokio::spawn(checkpoint_until_dropped(pool.clone(), Arc::downgrade(&alive)));
        Ok(Self { pool, _alive: alive })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn checkpoint_until_dropped(pool: SqlitePool, alive: Weak<()>) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if alive.strong_count() == 0 || pool.is_closed() {
            break;
        }
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            // the writer's own threshold still bounds the log; say why this one did not run
            tracing::warn!(error = %err, "could not checkpoint the SQLite write-ahead log");
        }
    }
    pool.close().await;
}
