//! A run's per-ticket lines (docs/interface.md#runs): the log lines it wrote (each of kind
//! `rejected`, `skipped` or `note`) and the tickets the wallet accepted from it (`accepted`),
//! read a page at a time, filtered by kind and by ticket.

use serde::{Deserialize, Serialize};
use tixbridge_store::{Db, sql};

/// What a line tells about its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// The wallet accepted the ticket from this run (it is printed, or processed).
    Accepted,
    /// Refused, by the wallet or before sending, or not written (feedback).
    Rejected,
    /// Left aside on purpose: a skip list, a ticket this box office does not know.
    Skipped,
    /// Anything else the run wrote down (a template's changes, a warning).
    Note,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Skipped => "skipped",
            Self::Note => "note",
        }
    }
}

/// The kind of a log line, read from its words in one place: the functions write "…: skipped",
/// "wallet REJECTED: …", "not sent: …", "…: not written", "…: the run stops here", "…: the
/// cursor stays before it". Computed by the database, so a filtered page is still one
/// statement with its cursor.
const LOG_LINE_KIND: &str = "CASE
    WHEN lower(message) LIKE '%skipped%' THEN 'skipped'
    WHEN lower(message) LIKE '%rejected%' OR lower(message) LIKE 'not sent%'
      OR lower(message) LIKE '%not written%' OR lower(message) LIKE '%the run stops here%'
      OR lower(message) LIKE '%the cursor stays before it%' THEN 'rejected'
    ELSE 'note' END";

/// What the wallet's acceptance of a ticket reads as.
pub const ACCEPTED_MESSAGE: &str = "accepted by the wallet";

/// A run's line: its position in its list (a log line's id; an accepted ticket's id), the
/// ticket it is about (if any), its kind and the message.
#[derive(Debug, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct LogLine {
    pub id: i64,
    pub ticket: Option<String>,
    /// `accepted`, `rejected`, `skipped` or `note`.
    #[schema(value_type = LineKind)]
    pub kind: String,
    pub message: String,
}

/// Which lines to read: of one kind (none: every log line, without the accepted tickets),
/// about one ticket (its reference exactly as the line holds it: the box-office ticket id, or
/// the id the wallet holds it under).
#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    pub kind: Option<LineKind>,
    pub ticket: Option<String>,
}

impl LineFilter {
    /// The name of the list its cursors belong to: a cursor of the accepted tickets is not one
    /// of the log lines.
    pub fn list_name(&self) -> &'static str {
        match self.kind {
            Some(LineKind::Accepted) => "run lines accepted",
            _ => "run lines",
        }
    }
}

/// A page of run `run_id`'s lines matching `filter`: `rows` of them after position `after`,
/// log lines in the order written, accepted tickets by id.
pub async fn log_lines(
    db: &Db,
    run_id: i64,
    filter: &LineFilter,
    after: i64,
    rows: i64,
) -> Result<Vec<LogLine>, sqlx::Error> {
    let mut conn = db.reader().await?;
    if filter.kind == Some(LineKind::Accepted) {
        let mut q = sql(format!(
            "SELECT ticket_id AS id, CAST(ticket_id AS TEXT) AS ticket, 'accepted' AS kind, '{ACCEPTED_MESSAGE}' AS message
             FROM itf_processed WHERE run_id = "
        ));
        q.push_bind(run_id).push(" AND ticket_id > ").push_bind(after);
        if let Some(ticket) = &filter.ticket {
            // a reference that is not a ticket id names no accepted ticket
            q.push(" AND ticket_id = ").push_bind(ticket.parse::<i64>().unwrap_or(-1));
        }
        q.push(" ORDER BY ticket_id LIMIT ").push_bind(rows);
        return q.fetch_all(&mut conn).await;
    }
    let mut q = sql(format!(
        "SELECT id, ticket, kind, message FROM (
             SELECT id, ticket_ref AS ticket, {LOG_LINE_KIND} AS kind, message FROM itf_run_log WHERE run_id = "
    ));
    q.push_bind(run_id).push(" AND id > ").push_bind(after);
    if let Some(ticket) = &filter.ticket {
        q.push(" AND ticket_ref = ").push_bind(ticket.clone());
    }
    q.push(") lines");
    if let Some(kind) = filter.kind {
        q.push(" WHERE kind = ").push_bind(kind.as_str());
    }
    q.push(" ORDER BY id LIMIT ").push_bind(rows);
    q.fetch_all(&mut conn).await
}
