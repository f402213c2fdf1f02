//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database created on the
//! server named by `TIXBRIDGE_TEST_POSTGRES_URL`, one per test.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::StoreError;

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

/// Drops the PostgreSQL database `url` names (ending its connections), from synchronous code
/// such as a test fixture's `Drop`: it runs on a thread of its own with its own runtime, so it
/// works whether or not the caller is inside a runtime. Failures are printed, not raised: a
/// leftover database is removed by the next CI run.
pub fn drop_postgres_database_blocking(url: &str) {
    let Some((server, name)) = url.rsplit_once('/') else { return };
    if !name.starts_with("tixbridge_test_") {
        return;
    }
    let (admin_url, name) = (format!("{server}/postgres"), name.to_owned());
    let dropped = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
            admin.close().await
        })?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    })
    .join();
    if let Ok(Err(err)) = dropped {
        eprintln!("could not drop test database: {err}");
    }
}
