//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database created on the
//! server named by `TIXBRIDGE_TEST_POSTGRES_URL`, one per test.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::{Db, StoreError};

/// The environment variable naming the PostgreSQL server that tests create databases on.
pub const POSTGRES_URL_VAR: &str = "TIXBRIDGE_TEST_POSTGRES_URL";

/// The PostgreSQL URL tests should use, or `None` with the reason printed once per call.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "SKIPPED the PostgreSQL half of this test: {POSTGRES_URL_VAR} is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), nanos, n)
}

/// A URL for a brand-new, empty PostgreSQL database on the server at `server_url`.
pub async fn fresh_postgres_url(server_url: &str) -> Result<String, StoreError> {
    let name = format!("tixbridge_test_{}", unique_suffix());
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
    admin.close().await?;
    let (base, _) = server_url.rsplit_once('/').ok_or_else(|| StoreError::UnsupportedUrl(server_url.to_owned()))?;
    Ok(format!("{base}/{name}"))
}

/// Opens a fresh migrated database: SQLite in `dir`, or PostgreSQL when `postgres` is set.
pub async fn fresh_db(dir: &std::path::Path, postgres: Option<&str>) -> Result<Db, StoreError> {
    let url = match postgres {
        Some(server) => fresh_postgres_url(server).await?,
        None => format!("sqlite://{}/tixbridge-{}.db", dir.display(), unique_suffix()),
    };
    Db::connect(&url).await
}
