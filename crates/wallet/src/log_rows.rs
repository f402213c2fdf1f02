//! Building and writing status-log rows. Every change to a ticket appends one row, chained to
//! the ticket's previous row and stamped with the change's position in the diff feed, in the
//! same transaction as the change itself.

use tixbridge_domain::chain::{LogEntry, entry_hash};
use tixbridge_store::{Tx, sql};

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

/// Appends `rows` inside transaction `tx`, in multi-row statements.
pub(crate) async fn insert_log_rows<'r>(
    tx: &mut Tx,
    rows: impl IntoIterator<Item = &'r LogRow>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<&LogRow> = rows.into_iter().collect();
    for chunk in rows.chunks(LOG_INSERT_CHUNK) {
        let mut insert = sql(
            "INSERT INTO wallet_ticket_log (ticket_pk, position, feed_seq, at, status, action, actor, detail, prev_hash, hash) ",
        );
        insert.push_values(chunk, |row, log| {
            row.bind(log.ticket_pk)
                .bind(log.position)
                .bind(log.feed_seq)
                .bind(log.at)
                .bind(log.status)
                .bind(log.action)
                .bind(log.actor.as_str())
                .bind(log.detail.as_str())
                .bind(log.prev_hash.as_slice())
                .bind(log.hash.as_slice());
        });
        insert.execute(tx).await?;
    }
    Ok(())
}

/// Takes the organizer's feed lock and returns the last feed position handed out. The
/// statement is a write on purpose: on PostgreSQL the row lock serializes this organizer's
/// writers until commit, so feed positions become visible in order and a reader paging the
/// diff never skips one; on SQLite it takes the write lock at the start of the transaction, so
/// a writer in another process (a CLI command) makes it wait instead of failing later.
pub(crate) async fn lock_feed(tx: &mut Tx, organizer: i64) -> Result<i64, sqlx::Error> {
    sql("UPDATE wallet_organizers SET feed_seq = feed_seq WHERE id = $1 RETURNING feed_seq")
        .bind(organizer)
        .scalar(tx)
        .await
}

/// Records the last feed position used by this transaction.
pub(crate) async fn store_feed_seq(tx: &mut Tx, organizer: i64, seq: i64) -> Result<(), sqlx::Error> {
    sql("UPDATE wallet_organizers SET feed_seq = $1 WHERE id = $2").bind(seq).bind(organizer).execute(tx).await?;
    Ok(())
}
