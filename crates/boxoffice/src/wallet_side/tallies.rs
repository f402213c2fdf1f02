//! Counts of tickets, for the benchmarks' checks.

use tixbridge_domain::TicketStatus;
use tixbridge_store::{Conn, sql};

/// How many tickets are in `status`.
pub async fn tickets_in_status(conn: &mut impl Conn, status: TicketStatus) -> Result<i64, sqlx::Error> {
    sql("SELECT COUNT(*) FROM bo_tickets WHERE status = $1").bind(status.as_str()).scalar(conn).await
}

/// How many tickets the wallet last reported in `mobile_status` (e.g. `CONTROLLED`).
pub async fn tickets_in_mobile_status(conn: &mut impl Conn, mobile_status: &str) -> Result<i64, sqlx::Error> {
    sql("SELECT COUNT(*) FROM bo_tickets WHERE mobile_status = $1").bind(mobile_status).scalar(conn).await
}

/// How many entries of the tickets' mobile histories (feedback) are in `status`.
pub async fn mobile_history_entries(conn: &mut impl Conn, status: &str) -> Result<i64, sqlx::Error> {
    sql("SELECT COUNT(*) FROM bo_ticket_mobile_history WHERE status = $1").bind(status).scalar(conn).await
}
