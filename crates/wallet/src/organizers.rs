//! Organizers and their API keys. A key is shown once, when created; only its SHA-256 is
//! stored (keys are 256 random bits, so a fast hash is enough), and it is compared in
//! constant time.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tixbridge_store::{Db, sql};

/// A newly created organizer and its API key, which exists nowhere else after this.
pub struct NewOrganizer {
    pub id: i64,
    pub api_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OrganizerError {
    #[error("an organizer with login {0:?} already exists")]
    LoginTaken(String),
    #[error("{field}: {rule}")]
    Invalid { field: &'static str, rule: &'static str },
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

fn hash_key(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("tbk_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Creates an organizer whose admin signs in as `login` (an e-mail).
pub async fn create_organizer(db: &Db, name: &str, login: &str) -> Result<NewOrganizer, OrganizerError> {
    let name = name.trim();
    let login = login.trim().to_lowercase();
    if name.is_empty() {
        return Err(OrganizerError::Invalid { field: "name", rule: "must not be empty" });
    }
    if !login.contains('@') || login.len() > 256 {
        return Err(OrganizerError::Invalid {
            field: "login",
            rule: "must be an e-mail address of at most 256 characters",
        });
    }
    let api_key = generate_key();
    let now = crate::millis(chrono::Utc::now());
    let inserted: Option<i64> = sql("INSERT INTO wallet_organizers (name, login, api_key_hash, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO NOTHING RETURNING id")
    .bind(name)
    .bind(&login)
    .bind(hash_key(&api_key))
    .bind(now)
    .scalar_optional(&mut db.writer().await?)
    .await?;
    match inserted {
        Some(id) => Ok(NewOrganizer { id, api_key }),
        None => Err(OrganizerError::LoginTaken(login)),
    }
}

/// The organizer a request speaks for, given its credentials: with a login (HTTP Basic) the
/// key must belong to that login; without (`X-Api-Key`) the key alone names the organizer.
pub async fn authenticate(db: &Db, login: Option<&str>, key: &str) -> Result<Option<i64>, sqlx::Error> {
    let presented = hash_key(key);
    let found: Option<(i64, Vec<u8>)> = match login {
        Some(login) => {
            sql("SELECT id, api_key_hash FROM wallet_organizers WHERE login = $1")
                .bind(login.trim().to_lowercase())
                .fetch_optional(&mut db.reader().await?)
                .await?
        }
        None => {
            sql("SELECT id, api_key_hash FROM wallet_organizers WHERE api_key_hash = $1")
                .bind(&presented)
                .fetch_optional(&mut db.reader().await?)
                .await?
        }
    };
    Ok(found.and_then(|(id, stored)| bool::from(stored.ct_eq(&presented)).then_some(id)))
}
