//! Checking every ticket's hash-chained status log (`tixbridge wallet verify-log`).

use tixbridge_domain::chain::{GENESIS, LogEntry, entry_hash};
use tixbridge_store::{Backend, Db, sql};

/// The first broken link found in a ticket's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenChain {
    pub ticket_id: String,
    pub position: i64,
    pub problem: String,
}

/// What a full check saw.
#[derive(Debug, Default)]
pub struct VerifyReport {
    pub tickets: u64,
    pub entries: u64,
    pub broken: Vec<BrokenChain>,
}

#[derive(sqlx::FromRow)]
struct Row {
    ticket_pk: i64,
    ticket_id: String,
    position: i64,
    at: i64,
    status: String,
    action: String,
    actor: String,
    detail: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
    log_len: i64,
    last_hash: Vec<u8>,
}

/// Log rows read per statement: keeps memory flat however long the log is.
const PAGE_ROWS: i64 = 10_000;

/// Walks every log row in chain order, page by page, and recomputes each hash. The pages are
/// read in one transaction that sees a single snapshot (SQLite's read transaction; PostgreSQL's
/// `REPEATABLE READ`), so a change committed meanwhile never shows as a broken chain.
pub async fn verify_log(db: &Db) -> Result<VerifyReport, sqlx::Error> {
    let mut report = VerifyReport::default();
    let mut walker = ChainWalker::default();
    let mut tx = db.begin_read().await?;
    if tx.backend() == Backend::Postgres {
        sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut tx).await?;
    }
    let mut after = (-1_i64, -1_i64);
    loop {
        let rows: Vec<Row> = sql("SELECT l.ticket_pk, t.ticket_id, l.position, l.at, l.status, l.action, l.actor,
                 l.detail, l.prev_hash, l.hash, t.log_len, t.last_hash
             FROM wallet_ticket_log l JOIN wallet_tickets t ON t.id = l.ticket_pk
             WHERE l.ticket_pk > $1 OR (l.ticket_pk = $1 AND l.position > $2)
             ORDER BY l.ticket_pk, l.position LIMIT $3")
        .bind(after.0)
        .bind(after.1)
        .bind(PAGE_ROWS)
        .fetch_all(&mut tx)
        .await?;
        let full = rows.len() as i64 == PAGE_ROWS;
        for row in rows {
            after = (row.ticket_pk, row.position);
            report.entries += 1;
            walker.step(row, &mut report);
        }
        if !full {
            break;
        }
    }
    tx.commit().await?;
    walker.finish(&mut report);
    Ok(report)
}

/// Follows one ticket's chain at a time.
#[derive(Default)]
struct ChainWalker {
    current: Option<(i64, String, i64, Vec<u8>)>,
    expected_position: i64,
    prev_hash: Vec<u8>,
    failed: bool,
}

impl ChainWalker {
    fn step(&mut self, row: Row, report: &mut VerifyReport) {
        if self.current.as_ref().map(|c| c.0) != Some(row.ticket_pk) {
            self.finish(report);
            report.tickets += 1;
            self.current = Some((row.ticket_pk, row.ticket_id.clone(), row.log_len, row.last_hash.clone()));
            self.expected_position = 0;
            self.prev_hash = GENESIS.to_vec();
            self.failed = false;
        }
        if self.failed {
            return;
        }
        let entry = LogEntry {
            ticket_id: &row.ticket_id,
            position: row.position,
            at_ms: row.at,
            status: &row.status,
            action: &row.action,
            actor: &row.actor,
            detail: &row.detail,
        };
        let problem = if row.position != self.expected_position {
            Some(format!("expected entry {} but found {}", self.expected_position, row.position))
        } else if row.prev_hash != self.prev_hash {
            Some("does not link to the entry before".to_owned())
        } else if entry_hash(&row.prev_hash, &entry).as_slice() != row.hash.as_slice() {
            Some("content does not match its hash".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            self.failed = true;
            report.broken.push(BrokenChain { ticket_id: row.ticket_id, position: row.position, problem });
            return;
        }
        self.expected_position += 1;
        self.prev_hash = row.hash;
    }

    /// After a ticket's last row: the chain must end where the ticket says it does.
    fn finish(&mut self, report: &mut VerifyReport) {
        if let Some((_, ticket_id, log_len, last_hash)) = self.current.take()
            && !self.failed
            && (self.expected_position != log_len || self.prev_hash != last_hash)
        {
            report.broken.push(BrokenChain {
                ticket_id,
                position: self.expected_position,
                problem: format!(
                    "log ends at entry {} but the ticket records {log_len} entries",
                    self.expected_position
                ),
            });
        }
    }
}
