//! Building and writing status-log rows. Every change to a ticket appends one row, chained to
//! the ticket's previous row and stamped with the change's position in the diff feed, in the
//! same transaction as the change itself.

use tixbridge_domain::chain::{LogEntry, entry_hash};

/// One status-log row, hash already computed.
pub(crate) struct LogRow {
    pub ticket_pk: i64,
    pub position: i64,
    pub feed_seq: i64,
    pub at: i64,
    pub status: &'static str,
    pub action: &'static str,
    pub actor: String,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Where a ticket's chain stands before a change: what the next row links to.
pub(crate) struct ChainHead<'a> {
    pub ticket_pk: i64,
    pub ticket_id: &'a str,
    pub log_len: i64,
    pub last_hash: &'a [u8],
}

/// What a change records.
pub(crate) struct Change<'a> {
    pub feed_seq: i64,
    pub at: i64,
    pub status: &'static str,
    pub action: &'static str,
    pub actor: &'a str,
    pub detail: String,
}

impl LogRow {
    pub fn chained(head: &ChainHead<'_>, change: Change<'_>) -> Self {
        let entry = LogEntry {
            ticket_id: head.ticket_id,
            position: head.log_len,
            at_ms: change.at,
            status: change.status,
            action: change.action,
            actor: change.actor,
            detail: &change.detail,
        };
        let hash = entry_hash(head.last_hash, &entry).to_vec();
        Self {
            ticket_pk: head.ticket_pk,
            position: head.log_len,
            feed_seq: change.feed_seq,
            at: change.at,
            status: change.status,
            action: change.action,
            actor: change.actor.to_owned(),
            detail: change.detail,
            prev_hash: head.last_hash.to_vec(),
            hash,
        }
    }
}

/// Rows per multi-row INSERT: 10 columns each, well under either backend's bind limit.
pub(crate) const LOG_INSERT_CHUNK: usize = 1_000;

/// Appends `$rows` (anything that iterates over `&LogRow`) inside transaction `$tx`, in
/// multi-row statements.
macro_rules! insert_log_rows {
    ($tx:expr, $rows:expr) => {
        let rows: Vec<&$crate::log_rows::LogRow> = $rows.into_iter().collect();
        for chunk in rows.chunks($crate::log_rows::LOG_INSERT_CHUNK) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO wallet_ticket_log \
                 (ticket_pk, position, feed_seq, at, status, action, actor, detail, prev_hash, hash) ",
            );
            insert.push_values(chunk, |mut row, log: &&$crate::log_rows::LogRow| {
                row.push_bind(log.ticket_pk)
                    .push_bind(log.position)
                    .push_bind(log.feed_seq)
                    .push_bind(log.at)
                    .push_bind(log.status)
                    .push_bind(log.action)
                    .push_bind(log.actor.as_str())
                    .push_bind(log.detail.as_str())
                    .push_bind(log.prev_hash.as_slice())
                    .push_bind(log.hash.as_slice());
            });
            insert.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use insert_log_rows;

/// Takes the organizer's feed lock and returns the last feed position handed out. The
/// statement is a write on purpose: on PostgreSQL the row lock serializes this organizer's
/// writers until commit, so feed positions become visible in order and a reader paging the
/// diff never skips one; on SQLite it takes the write lock at the start of the transaction, so
/// a writer in another process (a CLI command) makes it wait instead of failing later.
macro_rules! lock_feed {
    ($tx:expr, $organizer:expr) => {{
        sqlx::query_scalar::<_, i64>(
            "UPDATE wallet_organizers SET feed_seq = feed_seq WHERE id = $1 RETURNING feed_seq",
        )
        .bind($organizer)
        .fetch_one(&mut *$tx)
        .await?
    }};
}
pub(crate) use lock_feed;

/// Records the last feed position used by this transaction.
macro_rules! store_feed_seq {
    ($tx:expr, $organizer:expr, $seq:expr) => {
        sqlx::query("UPDATE wallet_organizers SET feed_seq = $1 WHERE id = $2")
            .bind($seq)
            .bind($organizer)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use store_feed_seq;
