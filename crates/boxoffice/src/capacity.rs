//! Capacity and seats (docs/products-and-statuses.md#capacity-and-seats): what a sale may not
//! exceed, checked inside the sale's transaction so that concurrent sales cannot both take the
//! last place or the same seat.
//!
//! A *live* ticket (`NOT_PRINTED`, `PRINTED`, `CONTROLLED`) occupies a place of its
//! performance and, when it names one, its seat; a cancelled or invalidated ticket frees both.
//! The performances a sale touches are locked first (PostgreSQL `FOR UPDATE`; SQLite has one
//! writer), then counted; the unique index `bo_tickets_live_seat` backs the seat rule in the
//! database whatever the code does. (Tickets that shared a seat before the rule existed are
//! marked `shares_seat` and left out of the index; the checks here still count their seats.)

use std::collections::{BTreeSet, HashMap, HashSet};

use tixbridge_store::{Tx, sql};

use crate::issue::{CHUNK, ResolvedTicket};

/// The statuses of a ticket that holds its place and its seat, as an SQL list.
pub(crate) const LIVE: &str = "('NOT_PRINTED', 'PRINTED', 'CONTROLLED')";
/// A performance's capacity when its creation does not state one.
pub const DEFAULT_PERFORMANCE_CAPACITY: i64 = 100_000;
/// The largest capacity a performance, seat category or contingent may state.
pub const MAX_CAPACITY: i64 = 1_000_000;
/// The database index holding each live seat once.
const SEAT_INDEX: &str = "bo_tickets_live_seat";

/// A ticket of a sale the checks refuse: its position in the sale, the field at fault, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// A ticket's seat within its performance: `(performance, block, row, seat)`, `None` for a
/// ticket without a performance or a seat number.
type SeatKey<'a> = (i64, &'a str, &'a str, &'a str);

fn seat_key(ticket: &ResolvedTicket) -> Option<SeatKey<'_>> {
    let [block, row, seat, ..] = &ticket.seat;
    Some((ticket.performance_id?, block.as_deref().unwrap_or(""), row.as_deref().unwrap_or(""), seat.as_deref()?))
}

/// How a seat is named to people: `block "5", row "1", seat "17"` (the parts it has).
pub(crate) fn describe_seat(ticket: &ResolvedTicket) -> String {
    let [block, row, seat, ..] = &ticket.seat;
    [("block", block), ("row", row), ("seat", seat)]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| format!("{name} {v:?}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Seats named twice in one sale: `(later index, first index)` for each repetition.
pub(crate) fn repeated_seats(tickets: &[&ResolvedTicket]) -> Vec<(usize, usize)> {
    let mut first: HashMap<SeatKey<'_>, usize> = HashMap::new();
    let mut repeated = Vec::new();
    for (i, ticket) in tickets.iter().enumerate() {
        if let Some(key) = seat_key(ticket) {
            match first.get(&key) {
                Some(&j) => repeated.push((i, j)),
                None => {
                    first.insert(key, i);
                }
            }
        }
    }
    repeated
}

struct Limit {
    code: String,
    capacity: i64,
}

/// Checks a sale inside its transaction `tx`, before its tickets are inserted: locks the
/// performances it sells, then refuses every ticket whose seat a live ticket holds and every
/// ticket beyond the capacity of its performance, seat category or contingent. Empty: the
/// sale may be written.
pub(crate) async fn check_sale(tx: &mut Tx, tickets: &[&ResolvedTicket]) -> Result<Vec<Refusal>, sqlx::Error> {
    let dated = || tickets.iter().filter(|t| t.performance_id.is_some());
    let performance_ids: BTreeSet<i64> = dated().filter_map(|t| t.performance_id).collect();
    if performance_ids.is_empty() {
        return Ok(Vec::new());
    }
    let categories = dated().filter_map(|t| t.seat_category_id).collect();
    let contingents = dated().filter_map(|t| t.contingent_id).collect();
    let mut sale = SaleCheck::start(tx, &performance_ids, categories, contingents).await?;
    let mut refusals = seats_taken(tx, tickets, &sale.performances).await?;
    let refused: HashSet<usize> = refusals.iter().map(|r| r.index).collect();
    refusals.extend(sale.beyond_capacity(tickets, &refused));
    refusals.sort_by_key(|r| r.index);
    Ok(refusals)
}

/// The tickets of `tickets` whose seat a live ticket already holds, read without locking: the
/// streamed CSV import checks its rows so before it writes, and the seat index refuses a seat
/// sold meanwhile (docs/boxoffice-api.md#csv-import).
pub(crate) async fn seats_already_sold(tx: &mut Tx, tickets: &[&ResolvedTicket]) -> Result<Vec<Refusal>, sqlx::Error> {
    let ids: Vec<i64> =
        tickets.iter().filter_map(|t| seat_key(t).map(|key| key.0)).collect::<BTreeSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let performances = read_performances(tx, &ids, "").await?;
    seats_taken(tx, tickets, &performances).await
}

/// A sale's capacities, checked as its tickets come (a streamed import brings them a chunk at
/// a time): the performances locked and what they, their seat categories and contingents had
/// sold before the sale, read once; then counted up ticket by ticket.
pub(crate) struct SaleCheck {
    performances: HashMap<i64, Limit>,
    categories: HashMap<i64, Limit>,
    contingents: HashMap<i64, Limit>,
    before: Sold,
    now: Sold,
}

impl SaleCheck {
    /// Locks `performance_ids` and reads their, `categories'` and `contingents'` capacities and
    /// what each had sold.
    pub(crate) async fn start(
        tx: &mut Tx,
        performance_ids: &BTreeSet<i64>,
        categories: BTreeSet<i64>,
        contingents: BTreeSet<i64>,
    ) -> Result<Self, sqlx::Error> {
        let ids: Vec<i64> = performance_ids.iter().copied().collect();
        let lock = tx.backend().for_update();
        let performances = read_performances(tx, &ids, lock).await?;
        Ok(Self {
            performances,
            categories: limits(tx, "bo_seat_categories", categories).await?,
            contingents: limits(tx, "bo_contingents", contingents).await?,
            before: sold(tx, &ids).await?,
            now: Sold::default(),
        })
    }
}

/// Reads the performances' code and capacity; with `lock` (`FOR UPDATE`), locks them in id
/// order, so two sales never wait on each other in a cycle.
async fn read_performances(tx: &mut Tx, ids: &[i64], lock: &str) -> Result<HashMap<i64, Limit>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut select = sql("SELECT id, code, capacity FROM bo_performances WHERE id IN ");
        select.push_list(chunk.iter().copied()).push(" ORDER BY id").push(lock);
        let rows: Vec<(i64, String, i64)> = select.fetch_all(tx).await?;
        found.extend(rows.into_iter().map(|(id, code, capacity)| (id, Limit { code, capacity })));
    }
    Ok(found)
}

/// The tickets whose seat a live ticket of the same performance already holds.
async fn seats_taken(
    tx: &mut Tx,
    tickets: &[&ResolvedTicket],
    performances: &HashMap<i64, Limit>,
) -> Result<Vec<Refusal>, sqlx::Error> {
    let mut seats_of: HashMap<i64, BTreeSet<&str>> = HashMap::new();
    for key in tickets.iter().filter_map(|t| seat_key(t)) {
        seats_of.entry(key.0).or_default().insert(key.3);
    }
    let mut taken: HashSet<(i64, String, String, String)> = HashSet::new();
    for (performance, seats) in &seats_of {
        let seats: Vec<&str> = seats.iter().copied().collect();
        for chunk in seats.chunks(CHUNK) {
            let mut select = sql("SELECT COALESCE(block, ''), COALESCE(row_name, ''), seat FROM bo_tickets \
                 WHERE performance_id = ");
            select.push_bind(*performance).push(&format!(" AND status IN {LIVE} AND seat IN "));
            select.push_list(chunk.iter().copied());
            let rows: Vec<(String, String, String)> = select.fetch_all(tx).await?;
            taken.extend(rows.into_iter().map(|(block, row, seat)| (*performance, block, row, seat)));
        }
    }
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tickets
        .iter()
        .enumerate()
        .filter_map(|(index, ticket)| {
            let (performance, block, row, seat) = seat_key(ticket)?;
            taken.contains(&(performance, block.to_owned(), row.to_owned(), seat.to_owned())).then(|| Refusal {
                index,
                field: "seat",
                message: format!(
                    "{} of performance {:?} is already sold",
                    describe_seat(ticket),
                    performances.get(&performance).map_or("", |p| p.code.as_str())
                ),
            })
        })
        .collect())
}

/// Live tickets already sold per performance, per (performance, seat category) and per
/// (performance, contingent).
#[derive(Default)]
struct Sold {
    performance: HashMap<i64, i64>,
    category: HashMap<(i64, i64), i64>,
    contingent: HashMap<(i64, i64), i64>,
}

async fn sold(tx: &mut Tx, performance_ids: &[i64]) -> Result<Sold, sqlx::Error> {
    let mut sold = Sold::default();
    for chunk in performance_ids.chunks(CHUNK) {
        let mut select = sql("SELECT performance_id, seat_category_id, contingent_id, COUNT(*) FROM bo_tickets \
             WHERE performance_id IN ");
        select.push_list(chunk.iter().copied());
        select.push(&format!(" AND status IN {LIVE} GROUP BY performance_id, seat_category_id, contingent_id"));
        let rows: Vec<(i64, Option<i64>, Option<i64>, i64)> = select.fetch_all(tx).await?;
        for (performance, category, contingent, count) in rows {
            *sold.performance.entry(performance).or_default() += count;
            if let Some(category) = category {
                *sold.category.entry((performance, category)).or_default() += count;
            }
            if let Some(contingent) = contingent {
                *sold.contingent.entry((performance, contingent)).or_default() += count;
            }
        }
    }
    Ok(sold)
}

/// The seat categories or contingents among `ids` that state a capacity.
async fn limits(tx: &mut Tx, table: &'static str, ids: BTreeSet<i64>) -> Result<HashMap<i64, Limit>, sqlx::Error> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut select = sql(format!("SELECT id, code, capacity FROM {table} WHERE capacity IS NOT NULL AND id IN "));
        select.push_list(chunk.iter().copied());
        let rows: Vec<(i64, String, i64)> = select.fetch_all(tx).await?;
        found.extend(rows.into_iter().map(|(id, code, capacity)| (id, Limit { code, capacity })));
    }
    Ok(found)
}

impl SaleCheck {
    /// The tickets (in sale order, `refused` ones left out) beyond a capacity, counting the
    /// others as sold from now on; `refused` and the answer are positions in `tickets`.
    pub(crate) fn beyond_capacity(&mut self, tickets: &[&ResolvedTicket], refused: &HashSet<usize>) -> Vec<Refusal> {
        let Self { performances, categories, contingents, before, now } = self;
        let mut refusals = Vec::new();
        for (index, ticket) in tickets.iter().enumerate() {
            let Some(performance) = ticket.performance_id else { continue };
            let Some(at) = performances.get(&performance) else { continue };
            if refused.contains(&index) {
                continue;
            }
            let sold_before = before.performance.get(&performance).copied().unwrap_or(0);
            if sold_before + now.performance.get(&performance).copied().unwrap_or(0) >= at.capacity {
                let message = format!("performance {:?} is full: {}", at.code, left(at.capacity, sold_before));
                refusals.push(Refusal { index, field: "performanceCode", message });
                continue;
            }
            let category = ticket.seat_category_id.and_then(|c| categories.get(&c).map(|limit| (c, limit)));
            if let Some((id, limit)) = category {
                let sold_before = before.category.get(&(performance, id)).copied().unwrap_or(0);
                if sold_before + now.category.get(&(performance, id)).copied().unwrap_or(0) >= limit.capacity {
                    let message = format!(
                        "seat category {:?} is full at performance {:?}: {}",
                        limit.code,
                        at.code,
                        left(limit.capacity, sold_before)
                    );
                    refusals.push(Refusal { index, field: "seatCategoryCode", message });
                    continue;
                }
            }
            let contingent = ticket.contingent_id.and_then(|c| contingents.get(&c).map(|limit| (c, limit)));
            if let Some((id, limit)) = contingent {
                let sold_before = before.contingent.get(&(performance, id)).copied().unwrap_or(0);
                if sold_before + now.contingent.get(&(performance, id)).copied().unwrap_or(0) >= limit.capacity {
                    let message = format!(
                        "contingent {:?} is full at performance {:?}: {}",
                        limit.code,
                        at.code,
                        left(limit.capacity, sold_before)
                    );
                    refusals.push(Refusal { index, field: "contingentCode", message });
                    continue;
                }
            }
            *now.performance.entry(performance).or_default() += 1;
            if let Some((id, _)) = category {
                *now.category.entry((performance, id)).or_default() += 1;
            }
            if let Some((id, _)) = contingent {
                *now.contingent.entry((performance, id)).or_default() += 1;
            }
        }
        refusals
    }
}

/// `capacity 100, 98 sold before this sale, 2 left for it`.
fn left(capacity: i64, sold_before: i64) -> String {
    let left = (capacity - sold_before).max(0);
    format!("capacity {capacity}, {sold_before} sold before this sale, {left} left for it")
}

/// Whether `err` is the seat index refusing a second live ticket on a seat (a sale the checks
/// above let through: they run under the same locks, so this is the database's last word).
pub(crate) fn is_seat_clash(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|db| {
        db.is_unique_violation()
            && (db.constraint() == Some(SEAT_INDEX) || db.message().contains(&format!("'{SEAT_INDEX}'")))
    })
}
