//! Sign-in attempts (asking for a code, typing one) counted in the database, so that every
//! process serving one database shares the counts. Two buckets, each a fixed window:
//!
//! - one per e-mail address *and* client network, so a guess-the-code attack from one place is
//!   stopped after a handful of tries, while the fan, signing in from anywhere else, is not
//!   locked out by someone else's attempts;
//! - one per client network (an IPv4 /24, an IPv6 /64: what one client can easily hop within),
//!   so one place cannot try many addresses.
//!
//! The mailed link is never counted: its token is a 256-bit secret. A refusal is a 429 that
//! says when to come back. Bucket keys are stored hashed: the table holds no e-mail address.

use std::net::IpAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tixbridge_store::Db;
use tixbridge_store::throttle::{self, BucketTable};

use crate::error::WalletError;

/// How many attempts each bucket allows within `window`.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub per_account_and_network: i64,
    pub per_network: i64,
    pub window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self { per_account_and_network: 10, per_network: 60, window: Duration::from_secs(15 * 60) }
    }
}

/// Where the wallet keeps its sign-in buckets.
const BUCKETS: BucketTable = BucketTable("wallet_sign_in_buckets");

#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: SignInLimits,
}

/// The network a client address belongs to, for the buckets: its /24 (IPv4) or /64 (IPv6).
pub fn network_of(addr: Option<IpAddr>) -> String {
    tixbridge_store::throttle::network_of(addr)
}

fn bucket(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

impl RateLimiter {
    pub fn new(limits: SignInLimits) -> Self {
        Self { limits }
    }

    /// Counts one attempt for `account` (a lower-cased e-mail) from `client`, or says which
    /// limit is reached.
    pub async fn attempt(&self, db: &Db, account: &str, client: Option<IpAddr>) -> Result<(), WalletError> {
        let network = network_of(client);
        let now = crate::millis(chrono::Utc::now());
        let window = i64::try_from(self.limits.window.as_millis()).unwrap_or(i64::MAX);
        let buckets = [
            (
                bucket(&format!("account:{account}|network:{network}")),
                self.limits.per_account_and_network,
                "this account",
            ),
            (bucket(&format!("network:{network}")), self.limits.per_network, "your network"),
        ];
        let keys: Vec<Vec<u8>> = buckets.iter().map(|(key, _, _)| key.clone()).collect();
        let counted = throttle::hit(db, BUCKETS, &keys, now, window).await?;
        for ((hits, started), (_, limit, who)) in counted.into_iter().zip(&buckets) {
            if hits > *limit {
                let wait_ms = (started + window - now).max(0);
                return Err(WalletError::TooMany(format!(
                    "too many sign-in attempts for {who}: try again in {} minute(s)",
                    (wait_ms / 60_000 + 1).max(1)
                )));
            }
        }
        Ok(())
    }
}
