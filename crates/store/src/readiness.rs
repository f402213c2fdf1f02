//! Whether this process can serve requests (`GET /readyz`, docs/observability.md): the
//! database answers, and its schema is the one this binary migrates to — a database another
//! binary has not finished migrating, or one rolled back under it, is not ready.

use std::collections::HashSet;
use std::time::Duration;

use crate::Db;
use crate::connect::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

/// How long the check waits for the database: a probe that hangs answers "not ready".
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the readiness probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The database answered a query within the probe's time.
    pub database_reachable: bool,
    /// Migrations of this binary the database has not applied (0 when unreachable).
    pub pending_migrations: usize,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database_reachable && self.pending_migrations == 0
    }
}

impl Db {
    /// Probes the database and compares its applied migrations with this binary's.
    pub async fn readiness(&self) -> Readiness {
        let query = "SELECT version FROM _sqlx_migrations WHERE success";
        let applied = tokio::time::timeout(PROBE_TIMEOUT, async {
            match self {
                Db::Sqlite(s) => sqlx::query_scalar::<_, i64>(query).fetch_all(&s.reader).await,
                Db::Postgres(p) => sqlx::query_scalar::<_, i64>(query).fetch_all(&p.pool).await,
            }
        })
        .await;
        let Ok(Ok(applied)) = applied else {
            return Readiness { database_reachable: false, pending_migrations: 0 };
        };
        let applied: HashSet<i64> = applied.into_iter().collect();
        let migrator = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let pending = migrator.iter().filter(|m| !applied.contains(&m.version)).count();
        Readiness { database_reachable: true, pending_migrations: pending }
    }
}
