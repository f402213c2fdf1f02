//! Selecting the tickets a push function sends (docs/interface.md#functions): tickets of
//! the organization in the pushed statuses, on a shipment mode among the function's of type
//! `MOBILE` or `MOBILE_EXTERNAL`, that reached the wallet — the caller injected them, or the
//! away export listed them (docs/interface.md#away-fans) — and that the caller has not yet
//! processed (or that changed since `date_from`, or are forced): one filter shared by a run's
//! pages (id windows) and by the check of a file to upload (a list of ids).

use tixbridge_domain::{ShipmentType, TicketStatus};
use tixbridge_store::{Conn, Sql, sql};

use super::TicketCondition;

/// What a push function selects.
#[derive(Debug, Clone)]
pub struct PushFilter<'a> {
    pub organization_id: i64,
    /// The statuses pushed: `CONTROLLED`, or `CANCELLED` and `INVALIDATED`.
    pub statuses: &'a [TicketStatus],
    pub shipment_modes: &'a [String],
    /// Only tickets whose status changed at or after this time (ms).
    pub changed_since: Option<i64>,
    /// Must hold unless the away export listed the ticket: the ticket was injected (by the
    /// caller's injection functions).
    pub injected: TicketCondition,
    /// The ticket is still to push (not processed by this function, or with another reason).
    pub not_done: TicketCondition,
    /// Re-select tickets changed at or after this time (ms) even when done; `i64::MAX` when
    /// unset.
    pub date_from: i64,
    /// Tax numbers selected even when done.
    pub force_tax_numbers: &'a [String],
    /// Tax numbers never selected.
    pub skip_tax_numbers: &'a [String],
}

/// A selected ticket: what a push sends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushCandidate {
    pub id: i64,
    /// The id the wallet holds the ticket under when it is not the box-office id (an away
    /// ticket the away club's file named its own way, docs/interface.md#away-fans).
    pub wallet_ticket_id: Option<String>,
    pub invalidation_reason: Option<String>,
    pub status_changed_at: i64,
}

/// The selected tickets with ids in `(after_id, upper_id]`, at most `limit`, in id order.
pub async fn push_page(
    conn: &mut impl Conn,
    filter: &PushFilter<'_>,
    (after_id, upper_id): (i64, i64),
    limit: i64,
) -> Result<Vec<PushCandidate>, sqlx::Error> {
    let mut q = selection(filter);
    q.push(" AND t.id > ").push_bind(after_id).push(" AND t.id <= ").push_bind(upper_id);
    q.push(" ORDER BY t.id LIMIT ").push_bind(limit);
    q.fetch_all(conn).await
}

/// The ids of the tickets now in one of `statuses` whose status changed at or after `since`
/// (ms), in id order: what a run limited to recent changes looks among. Read along the index
/// on (status, time of the change), so such a run costs what changed rather than the size of
/// the box office (scanning every id window made each run of a steady 10,000 scans a minute
/// take longer as the match went on). The values are written into the text (an integer and
/// the statuses' own names), so PostgreSQL plans with them.
pub async fn ids_changed_since(
    conn: &mut impl Conn,
    statuses: &[TicketStatus],
    since: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let statuses = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let mut ids: Vec<i64> =
        sql(format!("SELECT id FROM bo_tickets WHERE status IN ({statuses}) AND status_changed_at >= {since}"))
            .scalars(conn)
            .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Those of `ids` the filter selects now, 1,000 ids per statement.
pub async fn push_candidates_among(
    conn: &mut impl Conn,
    filter: &PushFilter<'_>,
    ids: &[i64],
) -> Result<Vec<PushCandidate>, sqlx::Error> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1_000) {
        let mut q = selection(filter);
        q.push(" AND t.id IN ").push_list(chunk.iter().copied());
        found.extend(q.fetch_all::<PushCandidate>(conn).await?);
    }
    Ok(found)
}

/// How many tickets a run would select now, counting at most `limit` (its `batchSize`): the
/// same selection as [`push_page`] over every id, counted by the database without reading a
/// row.
pub async fn push_count(conn: &mut impl Conn, filter: &PushFilter<'_>, limit: i64) -> Result<i64, sqlx::Error> {
    let mut q = selection_after("SELECT COUNT(*) FROM (SELECT t.id", filter);
    q.push(" LIMIT ").push_bind(limit).push(") selected");
    q.scalar(conn).await
}

/// `SELECT … WHERE <the filter>`; the caller appends its own `AND …` and order.
fn selection<'a>(filter: &PushFilter<'a>) -> Sql<'a> {
    selection_after("SELECT t.id, t.wallet_ticket_id, t.invalidation_reason, t.status_changed_at", filter)
}

/// `head FROM … WHERE <the filter>`. The organization and the caller's conditions are written
/// in the text so each check stays a per-ticket index lookup rather than a join the planner
/// may hash whole.
fn selection_after<'a>(head: &str, filter: &PushFilter<'a>) -> Sql<'a> {
    let statuses = filter.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let organization = filter.organization_id;
    let (TicketCondition(reached), TicketCondition(not_done)) = (filter.injected.or_away_exported(), &filter.not_done);
    let (mobile, external) = (ShipmentType::Mobile.as_str(), ShipmentType::MobileExternal.as_str());
    let mut q = sql(format!(
        "{head} FROM bo_tickets t
         CROSS JOIN bo_products p
         CROSS JOIN bo_shipment_modes sm
         WHERE p.id = t.product_id AND sm.id = t.shipment_mode_id AND t.status IN ({statuses})
           AND sm.type IN ('{mobile}', '{external}') AND p.organization_id = {organization}
           AND {reached}"
    ));
    if let Some(since) = filter.changed_since {
        q.push(" AND t.status_changed_at >= ").push_bind(since);
    }
    q.push(" AND sm.code IN ").push_list(filter.shipment_modes.iter().map(String::as_str));
    q.push(&format!(" AND ({not_done} OR t.status_changed_at >= ")).push_bind(filter.date_from);
    if !filter.force_tax_numbers.is_empty() {
        q.push(" OR t.tax_number IN ").push_list(filter.force_tax_numbers.iter().map(String::as_str));
    }
    q.push(")");
    if !filter.skip_tax_numbers.is_empty() {
        q.push(" AND (t.tax_number IS NULL OR t.tax_number NOT IN ");
        q.push_list(filter.skip_tax_numbers.iter().map(String::as_str)).push(")");
    }
    q
}
