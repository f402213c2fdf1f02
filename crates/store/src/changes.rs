//! Telling continuous functions that work arrived. A change that creates work signals it: on
//! PostgreSQL with `pg_notify` inside the change's own transaction (delivered on commit, to
//! every process listening), and in this process with a counter that waiters watch — a
//! counter, not a one-shot notification, so a signal sent while a worker is busy is never lost.

use std::sync::Arc;

use tokio::sync::watch;

use crate::Db;

/// The PostgreSQL channel changes are announced on.
pub const CHANGES_CHANNEL: &str = "tixbridge_changes";

/// A monotonically increasing count of committed changes.
#[derive(Debug, Clone)]
pub struct Changes(Arc<watch::Sender<u64>>);

impl Default for Changes {
    fn default() -> Self {
        Self(Arc::new(watch::channel(0).0))
    }
}

impl Changes {
    /// Records that a change committed.
    pub fn signal(&self) {
        self.0.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A receiver that sees every signal sent after this call.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

impl Db {
    /// On PostgreSQL, forwards every `pg_notify` on [`CHANGES_CHANNEL`] (from any process) to
    /// this process's [`Changes`]. A no-op on SQLite, whose writers are all in-process.
    pub async fn listen_for_changes(&self) -> Result<Option<tokio::task::JoinHandle<()>>, sqlx::Error> {
        let Db::Postgres(pg) = self else { return Ok(None) };
        let mut listener = sqlx::postgres::PgListener::connect_with(&pg.pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        let changes = pg.changes.clone();
        Ok(Some(tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => changes.signal(),
                    Err(err) => {
                        tracing::warn!(error = %err, "change listener lost its connection; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        })))
    }
}
