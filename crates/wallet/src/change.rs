//! One status change of one ticket, by a spectator, the gate or a timer, following the
//! wallet's rule: inside the caller's transaction, under the organizer's feed lock, through
//! `WalletStatus::transition`, with a hash-chained log row and the next feed position.

use tixbridge_domain::{IllegalTransition, WalletAction, WalletStatus};
use tixbridge_store::{Tx, sql};

use crate::log_rows::{ChainHead, Change, LogRow, insert_log_rows, lock_feed, store_feed_seq};

/// The columns of a ticket a change needs, read after the feed lock is taken.
#[derive(sqlx::FromRow, Clone, Debug)]
pub(crate) struct TicketHead {
    pub id: i64,
    pub organizer_id: i64,
    pub ticket_id: String,
    pub event_pk: i64,
    pub status: String,
    pub owner_id: i64,
    pub previous_owner_id: Option<i64>,
    pub forward_transfers: i64,
    pub activated_at: Option<i64>,
    pub log_len: i64,
    pub last_hash: Vec<u8>,
}

pub(crate) const HEAD_COLUMNS: &str = "id, organizer_id, ticket_id, event_pk, status, owner_id, previous_owner_id,
    forward_transfers, activated_at, log_len, last_hash";

impl TicketHead {
    /// A stored status that does not parse is treated as deleted: it then refuses every move.
    pub fn status(&self) -> WalletStatus {
        self.status.parse().unwrap_or(WalletStatus::Deleted)
    }
}

/// Takes the feed lock of ticket `pk`'s organizer, then reads the ticket. The organizer of a
/// ticket never changes, so reading it before the lock is safe.
pub(crate) async fn lock_and_load(tx: &mut Tx, pk: i64) -> Result<Option<TicketHead>, sqlx::Error> {
    let organizer: Option<i64> =
        sql("SELECT organizer_id FROM wallet_tickets WHERE id = $1").bind(pk).scalar_optional(tx).await?;
    let Some(organizer) = organizer else { return Ok(None) };
    lock_feed(tx, organizer).await?;
    sql(format!("SELECT {HEAD_COLUMNS} FROM wallet_tickets WHERE id = $1")).bind(pk).fetch_optional(tx).await
}

/// Applies `action` to `head` (loaded under the feed lock) at `at` ms. On success the ticket
/// row, its log and the feed position are written and `head` follows; an illegal move writes
/// nothing and comes back as the inner error.
pub(crate) async fn record_change(
    tx: &mut Tx,
    head: &mut TicketHead,
    action: WalletAction,
    name: &'static str,
    actor: &str,
    at: i64,
    detail: &serde_json::Value,
) -> Result<Result<WalletStatus, IllegalTransition>, sqlx::Error> {
    let next = match head.status().transition(action) {
        Ok(next) => next,
        Err(err) => return Ok(Err(err)),
    };
    let feed_seq: i64 =
        sql("SELECT feed_seq FROM wallet_organizers WHERE id = $1").bind(head.organizer_id).scalar::<i64>(tx).await?
            + 1;
    let entry = LogRow::chained(
        &ChainHead {
            ticket_pk: head.id,
            ticket_id: &head.ticket_id,
            log_len: head.log_len,
            last_hash: &head.last_hash,
        },
        Change { feed_seq, at, status: next.as_str(), action: name, actor, detail: detail.to_string() },
    );
    sql("UPDATE wallet_tickets SET status = $1, change_seq = $2, log_len = $3, last_hash = $4 WHERE id = $5")
        .bind(next.as_str())
        .bind(feed_seq)
        .bind(head.log_len + 1)
        .bind(entry.hash.as_slice())
        .bind(head.id)
        .execute(tx)
        .await?;
    head.status = next.as_str().to_owned();
    head.log_len += 1;
    head.last_hash = entry.hash.clone();
    insert_log_rows(tx, [&entry]).await?;
    store_feed_seq(tx, head.organizer_id, feed_seq).await?;
    Ok(Ok(next))
}

/// Several changes of one organizer's tickets in one transaction, under one feed lock: the
/// feed position is read once and stored once, and the log rows are written together at the
/// end, so a change costs one `UPDATE` of its ticket (the gate's group commit,
/// docs/wallet-api.md#secure-entry-code). Each change still goes through `WalletStatus::transition`
/// and chains its own log row; a ticket changed twice in a batch chains from its first change.
pub(crate) struct ChangeBatch {
    organizer: i64,
    feed_seq: i64,
    log: Vec<LogRow>,
}

impl ChangeBatch {
    /// Takes organizer `organizer`'s feed lock in `tx`.
    pub async fn lock(tx: &mut Tx, organizer: i64) -> Result<Self, sqlx::Error> {
        let feed_seq = lock_feed(tx, organizer).await?;
        Ok(Self { organizer, feed_seq, log: Vec::new() })
    }

    /// Applies `action` to `head` (a ticket of this organizer, read in `tx` after the lock)
    /// at `at` ms, like [`record_change`]; `controlled_at`, when given, is stored with it.
    #[allow(clippy::too_many_arguments)]
    pub async fn record(
        &mut self,
        tx: &mut Tx,
        head: &mut TicketHead,
        action: WalletAction,
        name: &'static str,
        actor: &str,
        at: i64,
        detail: &serde_json::Value,
        controlled_at: Option<i64>,
    ) -> Result<Result<WalletStatus, IllegalTransition>, sqlx::Error> {
        debug_assert_eq!(head.organizer_id, self.organizer, "a batch changes one organizer's tickets");
        let next = match head.status().transition(action) {
            Ok(next) => next,
            Err(err) => return Ok(Err(err)),
        };
        let feed_seq = self.feed_seq + 1;
        let entry = LogRow::chained(
            &ChainHead {
                ticket_pk: head.id,
                ticket_id: &head.ticket_id,
                log_len: head.log_len,
                last_hash: &head.last_hash,
            },
            Change { feed_seq, at, status: next.as_str(), action: name, actor, detail: detail.to_string() },
        );
        sql("UPDATE wallet_tickets SET status = $1, change_seq = $2, log_len = $3, last_hash = $4,
                 controlled_at = COALESCE($5, controlled_at)
             WHERE id = $6")
        .bind(next.as_str())
        .bind(feed_seq)
        .bind(head.log_len + 1)
        .bind(entry.hash.as_slice())
        .bind(controlled_at)
        .bind(head.id)
        .execute(tx)
        .await?;
        self.feed_seq = feed_seq;
        head.status = next.as_str().to_owned();
        head.log_len += 1;
        head.last_hash = entry.hash.clone();
        self.log.push(entry);
        Ok(Ok(next))
    }

    /// Writes the log rows and the feed position of every change recorded.
    pub async fn finish(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if self.log.is_empty() {
            return Ok(());
        }
        insert_log_rows(tx, &self.log).await?;
        store_feed_seq(tx, self.organizer, self.feed_seq).await
    }
}
