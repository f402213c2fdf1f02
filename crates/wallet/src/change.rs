//! One status change of one ticket, by a spectator, the gate or a timer, following the
//! wallet's rule: inside the caller's transaction, under the organizer's feed lock, through
//! `WalletStatus::transition`, with a hash-chained log row and the next feed position.

use tixbridge_domain::WalletStatus;

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

/// Takes the feed lock of ticket `$pk`'s organizer, then reads the ticket: `Option<TicketHead>`.
/// The organizer of a ticket never changes, so reading it before the lock is safe.
macro_rules! lock_and_load {
    ($tx:expr, $pk:expr) => {{
        let organizer: Option<i64> = sqlx::query_scalar("SELECT organizer_id FROM wallet_tickets WHERE id = $1")
            .bind($pk)
            .fetch_optional(&mut *$tx)
            .await?;
        match organizer {
            None => None,
            Some(organizer) => {
                $crate::log_rows::lock_feed!($tx, organizer);
                let sql = format!("SELECT {} FROM wallet_tickets WHERE id = $1", $crate::change::HEAD_COLUMNS);
                sqlx::query_as::<_, $crate::change::TicketHead>(&sql).bind($pk).fetch_optional(&mut *$tx).await?
            }
        }
    }};
}
pub(crate) use lock_and_load;

/// Applies `$action` to `$head` (a `&mut TicketHead` loaded under the feed lock) at `$at` ms:
/// `Result<WalletStatus, IllegalTransition>`; on success the ticket row, its log and the feed
/// position are written and `$head` follows.
macro_rules! record_change {
    ($tx:expr, $head:expr, $action:expr, $name:expr, $actor:expr, $at:expr, $detail:expr) => {{
        let head: &mut $crate::change::TicketHead = $head;
        match head.status().transition($action) {
            Err(err) => Err(err),
            Ok(next) => {
                let feed_seq: i64 = sqlx::query_scalar::<_, i64>("SELECT feed_seq FROM wallet_organizers WHERE id = $1")
                    .bind(head.organizer_id)
                    .fetch_one(&mut *$tx)
                    .await?
                    + 1;
                let entry = $crate::log_rows::LogRow::chained(
                    &$crate::log_rows::ChainHead {
                        ticket_pk: head.id,
                        ticket_id: &head.ticket_id,
                        log_len: head.log_len,
                        last_hash: &head.last_hash,
                    },
                    $crate::log_rows::Change {
                        feed_seq,
                        at: $at,
                        status: next.as_str(),
                        action: $name,
                        actor: $actor,
                        detail: serde_json::Value::to_string(&$detail),
                    },
                );
                sqlx::query(
                    "UPDATE wallet_tickets SET status = $1, change_seq = $2, log_len = $3, last_hash = $4 WHERE id = $5",
                )
                .bind(next.as_str())
                .bind(feed_seq)
                .bind(head.log_len + 1)
                .bind(entry.hash.as_slice())
                .bind(head.id)
                .execute(&mut *$tx)
                .await?;
                head.status = next.as_str().to_owned();
                head.log_len += 1;
                head.last_hash = entry.hash.clone();
                let rows = [entry];
                $crate::log_rows::insert_log_rows!($tx, &rows);
                $crate::log_rows::store_feed_seq!($tx, head.organizer_id, feed_seq);
                Ok(next)
            }
        }
    }};
}
pub(crate) use record_change;
