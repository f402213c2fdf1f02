//! The outbox of failure e-mails (docs/interface.md#runs). A notice is queued in the
//! transaction that records its run, and sent once the run has given its lease up, each
//! attempt bounded by the engine's mail timeout: a silent relay never holds a run. A notice
//! the relay did not take stays queued and is tried again, less and less often, until it goes
//! through — a relay outage loses no notice. A sender claims a notice before sending it, so
//! two processes never send one twice.

use std::time::Duration;

use tixbridge_mail::Email;
use tixbridge_store::{Tx, sql};

use crate::engine::Engine;
use crate::runs::now_ms;

/// An e-mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// How often the background sender looks for notices to try again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// The wait after a first failed attempt; it doubles with each failure, up to [`MAX_RETRY_MS`].
const FIRST_RETRY_MS: i64 = 15_000;
const MAX_RETRY_MS: i64 = 15 * 60_000;
/// How long a claim outlives its attempt's timeout: a sender that died while sending leaves
/// the notice to the others after this.
const CLAIM_MARGIN_MS: i64 = 60_000;
/// Notices one pass claims at most.
const BATCH: i64 = 50;

/// Queues `notice` about run `run_id` in `tx`, the transaction that records the run; returns
/// its id.
pub(crate) async fn enqueue(tx: &mut Tx, run_id: i64, notice: &Notice, now: i64) -> Result<i64, sqlx::Error> {
    sql("INSERT INTO itf_outbox (run_id, recipients, subject, body, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
    .bind(run_id)
    .bind(notice.recipients.join(","))
    .bind(notice.subject.as_str())
    .bind(notice.body.as_str())
    .bind(now)
    .scalar(tx)
    .await
}

#[derive(sqlx::FromRow)]
struct Queued {
    id: i64,
    run_id: i64,
    recipients: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// Sends the queued notices whose next attempt is due by `due_by` (ms since the epoch: the
/// background sender passes now) and that no other sender holds; returns how many the relay
/// took. One pass: a notice that fails again waits for its next attempt.
pub async fn deliver_queued(engine: &Engine, due_by: i64) -> Result<usize, sqlx::Error> {
    let claimed = claim(engine, None, due_by).await?;
    send_claimed(engine, claimed).await
}

/// Sends notice `id` now, unless another sender holds it: a run's own notice, right after
/// the run gave its lease up.
pub(crate) async fn deliver_one(engine: &Engine, id: i64) -> Result<usize, sqlx::Error> {
    let claimed = claim(engine, Some(id), now_ms()).await?;
    send_claimed(engine, claimed).await
}

/// Marks as this sender's the notices due by `due_by` that nobody holds (`only`: that one).
/// The conditions are repeated outside the subquery so that, on PostgreSQL, a sender that
/// waited for another's claim re-checks them on the claimed row and skips it.
async fn claim(engine: &Engine, only: Option<i64>, due_by: i64) -> Result<Vec<Queued>, sqlx::Error> {
    let now = now_ms();
    let timeout_ms = i64::try_from(engine.mail_timeout.as_millis()).unwrap_or(i64::MAX / 4);
    let free = "next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $4)";
    let mut statement = sql(format!(
        "UPDATE itf_outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
         WHERE {free} AND id IN (SELECT id FROM itf_outbox WHERE {free}"
    ))
    .bind(engine.worker_id.as_str())
    .bind(now.saturating_add(timeout_ms).saturating_add(CLAIM_MARGIN_MS))
    .bind(due_by)
    .bind(now);
    if let Some(id) = only {
        statement.push(" AND id = ").push_bind(id);
    }
    statement.push(" ORDER BY id LIMIT ").push_bind(BATCH);
    statement.push(") RETURNING id, run_id, recipients, subject, body, attempts");
    let mut tx = engine.db.begin_write().await?;
    let claimed = statement.fetch_all(&mut tx).await?;
    tx.commit().await?;
    Ok(claimed)
}

async fn send_claimed(engine: &Engine, claimed: Vec<Queued>) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for notice in claimed {
        let outcome = match Email::new(notice.recipients.split(','), notice.subject.as_str(), notice.body.as_str()) {
            Ok(email) => match tokio::time::timeout(engine.mail_timeout, engine.mailer.send(&email)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(err.to_string()),
                Err(_) => Err(format!("the relay did not take it within {:?}", engine.mail_timeout)),
            },
            Err(err) => Err(err.to_string()),
        };
        match outcome {
            Ok(()) => {
                sql("DELETE FROM itf_outbox WHERE id = $1 AND claimed_by = $2")
                    .bind(notice.id)
                    .bind(engine.worker_id.as_str())
                    .execute(&mut engine.db.writer().await?)
                    .await?;
                tracing::info!(run.id = notice.run_id, attempts = notice.attempts, "failure e-mail sent");
                sent += 1;
            }
            Err(error) => {
                let wait = FIRST_RETRY_MS.saturating_mul(1_i64 << (notice.attempts - 1).clamp(0, 20)).min(MAX_RETRY_MS);
                sql("UPDATE itf_outbox SET claimed_by = NULL, claimed_until = NULL, next_attempt_at = $1,
                     last_error = $2 WHERE id = $3 AND claimed_by = $4")
                .bind(now_ms().saturating_add(wait))
                .bind(error.as_str())
                .bind(notice.id)
                .bind(engine.worker_id.as_str())
                .execute(&mut engine.db.writer().await?)
                .await?;
                tracing::warn!(
                    run.id = notice.run_id,
                    attempts = notice.attempts,
                    retry_in_ms = wait,
                    error = %error,
                    "failure e-mail not sent; it stays queued"
                );
            }
        }
    }
    Ok(sent)
}

/// Tries the queued notices again every [`RETRY_INTERVAL`] until the returned handle is
/// aborted.
pub fn spawn(engine: Engine) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(RETRY_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = deliver_queued(&engine, now_ms()).await {
                tracing::warn!(error = %err, "could not read the failure e-mail outbox");
            }
        }
    })
}
