//! Sign-in attempts counted per account and per client address over a sliding window, in
//! memory: a guess-the-code attack is stopped after a handful of tries, with a 429 that says
//! when to come back.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many attempts each key may make within `window`.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self { per_account: 10, per_address: 60, window: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: SignInLimits,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Entries kept before stale keys are swept.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    pub fn new(limits: SignInLimits) -> Self {
        Self { limits, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt for `account` from `address`, or says which limit is reached.
    pub fn attempt(&self, account: &str, address: &str) -> Result<(), String> {
        let now = Instant::now();
        let window = self.limits.window;
        let mut hits = self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if hits.len() > SWEEP_AT {
            hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let keys = [
            (format!("account:{account}"), self.limits.per_account, "this account"),
            (format!("address:{address}"), self.limits.per_address, "your address"),
        ];
        for (key, limit, who) in &keys {
            let times = hits.entry(key.clone()).or_default();
            while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
                times.pop_front();
            }
            if times.len() >= *limit {
                let wait = times.front().map_or(window, |t| window.saturating_sub(now.duration_since(*t)));
                return Err(format!(
                    "too many sign-in attempts for {who}: try again in {} minute(s)",
                    wait.as_secs().div_ceil(60).max(1)
                ));
            }
        }
        for (key, _, _) in keys {
            hits.entry(key).or_default().push_back(now);
        }
        Ok(())
    }
}
