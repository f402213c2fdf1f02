//! Selecting a page of tickets an injection run sends (docs/interface.md#functions):
//! `NOT_PRINTED` (or forced) tickets of the organization's catalog whose shipment mode is
//! `MOBILE`, matching every filter, in ticket-id order — one page at a time, so a run of a
//! million tickets never holds more than a page in memory. Season tickets go as tickets when
//! their shape has tickets (docs/products-and-statuses.md#season-tickets-and-digital-privileges).

use tixbridge_store::{Conn, Sql, sql};

use super::TicketCondition;

/// What an injection function selects. The code lists are ANDed (an empty one does not
/// filter); a file number replaces them all.
#[derive(Debug, Clone, Copy)]
pub struct InjectionFilter<'a> {
    pub organization_id: i64,
    pub file_number: Option<&'a str>,
    pub sales_channels: &'a [String],
    pub seasons: &'a [String],
    pub product_families: &'a [String],
    pub products: &'a [String],
    pub performances: &'a [String],
    pub tariffs: &'a [String],
    pub seat_categories: &'a [String],
    pub contingents: &'a [String],
    /// Holder fields (`FIRSTNAME`, `BIRTHDATE`, …) a ticket must have to be selected.
    pub mandatory_holder_fields: &'a [String],
    /// Tickets sent again though printed (never a dead one), by id or tax number.
    pub force_ids: &'a [i64],
    pub force_tax_numbers: &'a [String],
    /// Holds for a ticket this interface's injection has not yet sent: a season ticket of
    /// shape `CARD_AND_TICKETS` is sent as a ticket even when the privileges injection
    /// printed its card first.
    pub not_sent_as_ticket: &'a TicketCondition,
}

/// The columns of one selected ticket that are its own (its file, contact and holder
/// included); the catalog rows it names come from
/// [`Catalog`](super::injection_catalog::Catalog).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketColumns {
    pub id: i64,
    pub tax_number: Option<String>,
    pub barcode: String,
    pub block: Option<String>,
    pub row_name: Option<String>,
    pub seat: Option<String>,
    pub gate: Option<String>,
    pub level_name: Option<String>,
    pub area: Option<String>,
    pub price_cents: i64,
    pub currency: String,
    pub validity_start_local: Option<String>,
    pub validity_end_local: Option<String>,
    pub file_number: String,
    pub file_created_at: i64,
    pub product_id: i64,
    pub performance_id: Option<i64>,
    pub seat_category_id: Option<i64>,
    pub tariff_id: Option<i64>,
    pub contingent_id: Option<i64>,
    pub owner_email: Option<String>,
    pub holder_is_owner: bool,
    pub holder_title: Option<String>,
    pub holder_first_name: Option<String>,
    pub holder_last_name: Option<String>,
    pub holder_email: Option<String>,
    pub holder_birth_date: Option<String>,
    pub holder_nationality: Option<String>,
    pub holder_id_number: Option<String>,
    pub holder_country_code: Option<String>,
    pub holder_birth_region: Option<String>,
    pub holder_birth_place: Option<String>,
    pub replaces_ticket_id: Option<i64>,
    pub replaced_reason: Option<String>,
    pub replaced_wallet_owner: Option<String>,
}

/// The selected tickets with ids in `(after_id, upper_id]`, at most `limit`, in id order.
pub async fn injection_page(
    conn: &mut impl Conn,
    filter: &InjectionFilter<'_>,
    (after_id, upper_id): (i64, i64),
    limit: i64,
) -> Result<Vec<TicketColumns>, sqlx::Error> {
    page_query(filter, (after_id, upper_id), limit).fetch_all(conn).await
}

/// The holder's column: the holder contact when the ticket names one, else the owner.
fn holder(column: &str) -> String {
    format!("CASE WHEN t.holder_contact_id IS NULL THEN o.{column} ELSE h.{column} END")
}

/// Maps a mandatory holder field name to its contact column.
fn holder_column(field: &str) -> Option<&'static str> {
    Some(match field {
        "FIRSTNAME" => "first_name",
        "LASTNAME" => "last_name",
        "BIRTHDATE" => "birth_date",
        "ID_NUMBER" => "id_number",
        "COUNTRY_CODE" => "country_code",
        "BIRTH_REGION" => "birth_region",
        "BIRTH_PLACE" => "birth_place",
        _ => return None,
    })
}

/// The columns of [`TicketColumns`] and the joins they need, up to an open `WHERE` clause;
/// `joins` adds the joins of the filters.
fn select_from(joins: &str) -> String {
    format!(
        "SELECT t.id, t.tax_number, t.barcode, t.block, t.row_name, t.seat, t.gate, t.level_name, t.area,
            t.price_cents, t.currency, t.validity_start_local, t.validity_end_local,
            f.file_number, f.created_at AS file_created_at,
            t.product_id, t.performance_id, t.seat_category_id, t.tariff_id, t.contingent_id,
            o.email AS owner_email, (t.holder_contact_id IS NULL) AS holder_is_owner,
            {} AS holder_title, {} AS holder_first_name, {} AS holder_last_name, {} AS holder_email,
            {} AS holder_birth_date, {} AS holder_nationality, {} AS holder_id_number,
            {} AS holder_country_code, {} AS holder_birth_region, {} AS holder_birth_place,
            t.replaces_ticket_id, r.invalidation_reason AS replaced_reason,
            r.wallet_owner_email AS replaced_wallet_owner{}",
        holder("title"),
        holder("first_name"),
        holder("last_name"),
        holder("email"),
        holder("birth_date"),
        holder("nationality"),
        holder("id_number"),
        holder("country_code"),
        holder("birth_region"),
        holder("birth_place"),
        from_where(joins),
    )
}

/// The tables of a selection and their joins (`joins` adds those of the filters), up to an
/// open `WHERE` clause.
fn from_where(joins: &str) -> String {
    format!(
        "
         FROM bo_tickets t
         CROSS JOIN bo_files f
         CROSS JOIN bo_products p
         CROSS JOIN bo_shipment_modes sm
         CROSS JOIN bo_contacts o
         LEFT JOIN bo_contacts h ON h.id = t.holder_contact_id
         LEFT JOIN bo_tickets r ON r.id = t.replaces_ticket_id{joins}
         WHERE f.id = t.file_id AND p.id = t.product_id AND sm.id = t.shipment_mode_id AND o.id = t.contact_id"
    )
}

/// Which products the injection sends as wallet tickets
/// (docs/products-and-statuses.md#season-tickets-and-digital-privileges): events, matches,
/// passes and services, and season tickets whose shape has tickets.
pub const TICKET_PRODUCTS: &str = "(p.kind IN ('EVENT', 'MATCH', 'OPEN_PASS', 'SERVICE')
     OR (p.kind = 'SEASON_TICKET_CARD' AND p.season_shape IN ('TICKETS_ONLY', 'CARD_AND_TICKETS')))";

/// Ticket `ticket_id` as the injection would read it, whatever its status and shipment mode,
/// if it is a wallet ticket of `organization_id`'s catalog: what a template preview renders.
pub async fn injection_ticket(
    conn: &mut impl Conn,
    organization_id: i64,
    ticket_id: i64,
) -> Result<Option<TicketColumns>, sqlx::Error> {
    let mut q = sql(select_from(""));
    q.push(&format!(" AND {TICKET_PRODUCTS} AND p.organization_id = ")).push_bind(organization_id);
    q.push(" AND t.id = ").push_bind(ticket_id);
    q.fetch_optional(conn).await
}

/// Tickets `ids` of organization `organization_id`'s catalog, whatever their status or
/// shipment mode, with what their payload needs: a reconcile sends again what an injection
/// sent (docs/interface.md#reconcile).
pub async fn tickets_by_id(
    conn: &mut impl Conn,
    organization_id: i64,
    ids: &[i64],
) -> Result<Vec<TicketColumns>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let mut q = sql(select_from(""));
        q.push(" AND p.organization_id = ").push_bind(organization_id);
        q.push(" AND t.id IN ").push_list(chunk.iter().copied());
        q.push(" ORDER BY t.id");
        found.extend(q.fetch_all::<TicketColumns>(conn).await?);
    }
    Ok(found)
}

/// Builds the page query. The tickets table is the outer loop (`CROSS JOIN` fixes the join
/// order on SQLite; PostgreSQL keeps the written order past its join-collapse limit), so each
/// page is a range scan in id order whatever the planner's statistics say — with them, SQLite
/// preferred a sort of every ticket per page.
fn page_query<'a>(filter: &InjectionFilter<'a>, window: (i64, i64), limit: i64) -> Sql<'a> {
    let mut q = selection(select_from(&filter_joins(filter)), filter, window);
    q.push(" ORDER BY t.id LIMIT ").push_bind(limit);
    q
}

/// How many tickets a run would select now, counting at most `limit` (its `batchSize`): the
/// same selection as [`injection_page`] over every id, counted by the database without reading
/// a row.
pub async fn injection_count(
    conn: &mut impl Conn,
    filter: &InjectionFilter<'_>,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let head = format!("SELECT COUNT(*) FROM (SELECT t.id{}", from_where(&filter_joins(filter)));
    let mut q = selection(head, filter, (0, i64::MAX));
    q.push(" LIMIT ").push_bind(limit).push(") selected");
    q.scalar(conn).await
}

/// `head` (a `SELECT … WHERE` open clause over [`from_where`]) with the filter's conditions on
/// the ids in `(after_id, upper_id]`.
fn selection<'a>(head: String, filter: &InjectionFilter<'a>, (after_id, upper_id): (i64, i64)) -> Sql<'a> {
    let mut q = sql(format!("{head} AND sm.type = 'MOBILE' AND p.mobile_enabled = "));
    q.push_bind(true);
    q.push(" AND p.organization_id = ").push_bind(filter.organization_id);
    q.push(" AND t.id > ").push_bind(after_id).push(" AND t.id <= ").push_bind(upper_id);
    q.push(&format!(" AND {TICKET_PRODUCTS}"));
    // NOT_PRINTED, or forced (a forced ticket already printed is sent again; never a dead one),
    // or a season ticket of both shapes whose card the privileges injection printed and that
    // this interface has not yet sent as a ticket
    q.push(" AND (t.status = 'NOT_PRINTED'");
    let TicketCondition(not_sent) = filter.not_sent_as_ticket;
    q.push(&format!(
        " OR (t.status = 'PRINTED' AND p.kind = 'SEASON_TICKET_CARD' AND p.season_shape = 'CARD_AND_TICKETS' AND {not_sent})"
    ));
    if !filter.force_ids.is_empty() || !filter.force_tax_numbers.is_empty() {
        q.push(" OR (t.status IN ('PRINTED', 'CONTROLLED') AND (");
        push_refs(&mut q, filter.force_ids, filter.force_tax_numbers);
        q.push("))");
    }
    q.push(")");
    match file_number(filter) {
        Some(file_number) => {
            q.push(" AND f.file_number = ").push_bind(file_number);
        }
        None => {
            for (column, codes) in code_filters(filter) {
                push_in(&mut q, column, codes);
            }
        }
    }
    for column in filter.mandatory_holder_fields.iter().filter_map(|f| holder_column(f)) {
        q.push(&format!(" AND COALESCE({}, '') <> ''", holder(column)));
    }
    q
}

/// The file number filter, which replaces every other filter when set.
fn file_number<'a>(filter: &InjectionFilter<'a>) -> Option<&'a str> {
    filter.file_number.map(str::trim).filter(|f| !f.is_empty())
}

/// The code filters (docs/interface.md#functions) (AND between them), by the column each
/// applies to.
fn code_filters<'a>(filter: &InjectionFilter<'a>) -> [(&'static str, &'a [String]); 8] {
    [
        ("ch.code", filter.sales_channels),
        ("s.code", filter.seasons),
        ("p.family", filter.product_families),
        ("p.code", filter.products),
        ("pf.code", filter.performances),
        ("ta.code", filter.tariffs),
        ("sc.code", filter.seat_categories),
        ("co.code", filter.contingents),
    ]
}

/// The joins the set code filters need, and only those: the page query itself reads no
/// catalog column.
fn filter_joins(filter: &InjectionFilter<'_>) -> String {
    if file_number(filter).is_some() {
        return String::new();
    }
    let used: Vec<&str> = code_filters(filter)
        .into_iter()
        .filter(|(_, codes)| !codes.is_empty())
        .filter_map(|(column, _)| column.split_once('.').map(|(alias, _)| alias))
        .collect();
    [
        ("ch", "\n LEFT JOIN bo_sales_channels ch ON ch.id = t.sales_channel_id"),
        ("s", "\n LEFT JOIN bo_seasons s ON s.id = p.season_id"),
        ("pf", "\n LEFT JOIN bo_performances pf ON pf.id = t.performance_id"),
        ("ta", "\n LEFT JOIN bo_tariffs ta ON ta.id = t.tariff_id"),
        ("sc", "\n LEFT JOIN bo_seat_categories sc ON sc.id = t.seat_category_id"),
        ("co", "\n LEFT JOIN bo_contingents co ON co.id = t.contingent_id"),
    ]
    .into_iter()
    .filter(|(alias, _)| used.contains(alias))
    .map(|(_, join)| join)
    .collect()
}

fn push_in<'a>(q: &mut Sql<'a>, column: &str, codes: &'a [String]) {
    if codes.is_empty() {
        return;
    }
    q.push(&format!(" AND {column} IN "));
    q.push_list(codes.iter().map(String::as_str));
}

/// `t.id IN (…) OR t.tax_number IN (…)` for a reference list.
fn push_refs<'a>(q: &mut Sql<'a>, ids: &[i64], tax_numbers: &'a [String]) {
    q.push("1 = 0");
    if !ids.is_empty() {
        q.push(" OR t.id IN ");
        q.push_list(ids.iter().copied());
    }
    if !tax_numbers.is_empty() {
        q.push(" OR t.tax_number IN ");
        q.push_list(tax_numbers.iter().map(String::as_str));
    }
}
