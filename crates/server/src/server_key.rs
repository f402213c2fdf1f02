//! The server key a process runs with, checked at start against the one the database's data
//! is sealed with. The database keeps the key's fingerprint (never the key); a process
//! started with another key, or without its key file, stops at once saying which key it used
//! and which one the database expects — rather than failing at the first sealed secret it
//! opens, or worse, creating a new key file beside data no new key can open.

use anyhow::bail;
use tixbridge_store::{Db, sql};
use tixbridge_vault::{KeySource, SERVER_KEY_VAR, ServerKey};

/// The key from `source`, checked against the database: the fingerprint it recorded, or, on
/// a database from before fingerprints, the secrets sealed in it. A missing key file is
/// created only when the database has neither.
pub async fn server_key_for(db: &Db, source: &KeySource) -> anyhow::Result<ServerKey> {
    let expected = stored_fingerprint(db).await?;
    let key = source.load()?;
    let key = match (expected, key) {
        (Some(expected), Some(key)) => {
            let actual = key.fingerprint();
            if actual != expected {
                bail!(
                    "{source} holds the server key {actual}, but this database's data is sealed with the \
                     server key {expected}: start with that key (its file via --server-key-file, or \
                     {SERVER_KEY_VAR})"
                );
            }
            return Ok(key);
        }
        (Some(expected), None) => bail!(
            "{source} is missing, and this database's data is sealed with the server key {expected}: \
             put that key file back (or set {SERVER_KEY_VAR}); a new key could not open the data, \
             so none was created"
        ),
        (None, key) => match tixbridge_interface::config::sealed_secrets_open_with(db, key.as_ref()).await? {
            Some(false) if key.is_none() => bail!(
                "{source} is missing, and this database holds secrets sealed with a server key: put that \
                 key file back (or set {SERVER_KEY_VAR}); a new key could not open them, so none was created"
            ),
            Some(false) => bail!(
                "{source} does not open the secrets sealed in this database: start with the server key \
                 they were sealed with (its file via --server-key-file, or {SERVER_KEY_VAR})"
            ),
            _ => match key {
                Some(key) => key,
                None => source.create()?,
            },
        },
    };
    verify_or_record(db, &key, &source.to_string()).await?;
    Ok(key)
}

/// Records `key`'s fingerprint when the database has none yet, else checks it is the one
/// recorded; `used` names where the key came from in the refusal.
pub async fn verify_or_record(db: &Db, key: &ServerKey, used: &str) -> anyhow::Result<()> {
    let actual = key.fingerprint();
    if stored_fingerprint(db).await?.is_none() {
        let now = chrono::Utc::now().timestamp_millis();
        sql("INSERT INTO server_key_fingerprint (id, fingerprint, recorded_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO NOTHING")
        .bind(&actual)
        .bind(now)
        .execute(&mut db.writer().await?)
        .await?;
    }
    // read back: another process may have recorded its key first
    match stored_fingerprint(db).await? {
        Some(expected) if expected != actual => bail!(
            "{used} holds the server key {actual}, but this database's data is sealed with the server key \
             {expected}: start with that key"
        ),
        _ => Ok(()),
    }
}

async fn stored_fingerprint(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sql("SELECT fingerprint FROM server_key_fingerprint WHERE id = 1").scalar_optional(&mut db.reader().await?).await
}
