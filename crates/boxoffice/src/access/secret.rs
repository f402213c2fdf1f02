//! Bearer secrets (API tokens, operator sessions): `PREFIX_ID_SECRET`, where `ID` names the
//! stored row and `SECRET` is 256 random bits of which only the SHA-256 is stored. The row is
//! found by its id and the hash compared in constant time, so a guess reveals nothing through
//! timing, and a leaked database holds no usable credential.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new secret and the hash to store for it.
pub(crate) struct NewSecret {
    pub secret: String,
    pub hash: Vec<u8>,
}

pub(crate) fn generate() -> NewSecret {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&secret);
    NewSecret { secret, hash }
}

pub(crate) fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The credential text handed out once: `{prefix}_{id}_{secret}`.
pub(crate) fn compose(prefix: &str, id: i64, secret: &str) -> String {
    format!("{prefix}_{id}_{secret}")
}

/// Splits a presented credential into its row id and secret; `None` when it is not of this kind.
pub(crate) fn split<'a>(prefix: &str, presented: &'a str) -> Option<(i64, &'a str)> {
    let rest = presented.strip_prefix(prefix)?.strip_prefix('_')?;
    let (id, secret) = rest.split_once('_')?;
    let id = id.parse().ok().filter(|id: &i64| *id > 0)?;
    (!secret.is_empty()).then_some((id, secret))
}

/// Whether `secret` hashes to `stored`, in time independent of where they differ.
pub(crate) fn matches(secret: &str, stored: &[u8]) -> bool {
    hash(secret).ct_eq(stored).into()
}

/// Records that credential row `id` of `table` was used at `now` — at most once per
/// `resolution_ms`, so a busy client does not turn every request into a write.
pub(crate) async fn mark_used(
    db: &tixbridge_store::Db,
    table_and_column: (&'static str, &'static str),
    id: i64,
    last: Option<i64>,
    now: i64,
    resolution_ms: i64,
) -> Result<(), sqlx::Error> {
    if last.is_some_and(|at| now - at < resolution_ms) {
        return Ok(());
    }
    let (table, column) = table_and_column;
    tixbridge_store::sql(format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
        .bind(now)
        .bind(id)
        .execute(&mut db.writer().await?)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composed_credential_splits_back_into_its_id_and_secret() {
        let new = generate();
        let text = compose("tbt", 42, &new.secret);
        let (id, secret) = split("tbt", &text).unwrap();
        assert_eq!(id, 42);
        assert!(matches(secret, &new.hash));
        assert!(!matches("other", &new.hash));
    }

    #[test]
    fn credentials_of_another_kind_or_malformed_do_not_split() {
        assert!(split("tbt", "tbs_1_abc").is_none());
        assert!(split("tbt", "tbt_x_abc").is_none());
        assert!(split("tbt", "tbt_0_abc").is_none());
        assert!(split("tbt", "tbt_5_").is_none());
        assert!(split("tbt", "tbt5abc").is_none());
    }
}
