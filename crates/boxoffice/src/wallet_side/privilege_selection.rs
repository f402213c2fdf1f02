//! Selecting the cards a privileges run sends
//! (docs/products-and-statuses.md#season-tickets-and-digital-privileges,
//! docs/interface.md#functions): `NOT_PRINTED` membership cards and season tickets whose
//! shape has a card, of the selected products, shipped `MOBILE`, with their product, season
//! and contact; and the tickets of a card's file that the wallet already holds.

use tixbridge_domain::OrganizationId;
use tixbridge_store::{Conn, Sql, sql};

use super::TicketCondition;

/// One card and what its privilege definition and instance need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PrivilegeCard {
    pub id: i64,
    pub file_id: i64,
    pub barcode: String,
    pub product_id: i64,
    pub product_name: String,
    pub product_external_name: Option<String>,
    pub kind: String,
    pub validity_start_local: Option<String>,
    pub validity_end_local: Option<String>,
    pub season_start: Option<String>,
    pub season_end: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

const COLUMNS: &str = "SELECT t.id, t.file_id, t.barcode, p.id AS product_id, p.name AS product_name,
        p.external_name AS product_external_name, p.kind, t.validity_start_local, t.validity_end_local,
        s.starts_local AS season_start, s.ends_local AS season_end,
        o.email, o.first_name, o.last_name";

/// The cards' tables, up to an open `WHERE` clause.
const FROM: &str = "
    FROM bo_tickets t
    CROSS JOIN bo_products p
    CROSS JOIN bo_shipment_modes sm
    CROSS JOIN bo_contacts o
    LEFT JOIN bo_seasons s ON s.id = p.season_id
    WHERE p.id = t.product_id AND sm.id = t.shipment_mode_id AND o.id = t.contact_id
      AND sm.type = 'MOBILE'
      AND (p.kind = 'MEMBERSHIP_CARD'
           OR (p.kind = 'SEASON_TICKET_CARD' AND COALESCE(p.season_shape, 'CARD_ONLY') <> 'TICKETS_ONLY'))";

/// The cards of `products` (codes) of `organization_id` with ids in `(after_id, upper_id]`, at
/// most `limit`, in id order: `NOT_PRINTED`, or — a season ticket of shape
/// `CARD_AND_TICKETS` whose ticket the injection printed first — `PRINTED` and not yet sent as
/// a card (`not_sent` holds).
pub async fn privilege_cards_page(
    conn: &mut impl Conn,
    organization_id: OrganizationId,
    products: &[String],
    not_sent: &TicketCondition,
    window: (i64, i64),
    limit: i64,
) -> Result<Vec<PrivilegeCard>, sqlx::Error> {
    let mut q = cards(COLUMNS, organization_id, products, not_sent, window);
    q.push(" ORDER BY t.id LIMIT ").push_bind(limit);
    q.fetch_all(conn).await
}

/// How many cards a run would select now, counting at most `limit` (its `batchSize`): the
/// same selection as [`privilege_cards_page`] over every id, counted by the database.
pub async fn privilege_cards_count(
    conn: &mut impl Conn,
    organization_id: OrganizationId,
    products: &[String],
    not_sent: &TicketCondition,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let mut q = cards("SELECT COUNT(*) FROM (SELECT t.id", organization_id, products, not_sent, (0, i64::MAX));
    q.push(" LIMIT ").push_bind(limit).push(") selected");
    q.scalar(conn).await
}

/// `head` over the cards' tables with the selection's conditions on ids in `(after_id,
/// upper_id]`.
fn cards<'a>(
    head: &str,
    organization_id: OrganizationId,
    products: &'a [String],
    not_sent: &TicketCondition,
    (after_id, upper_id): (i64, i64),
) -> Sql<'a> {
    let TicketCondition(not_sent) = not_sent;
    let mut q = sql(format!(
        "{head}{FROM} AND (t.status = 'NOT_PRINTED' OR (t.status = 'PRINTED' AND p.season_shape = 'CARD_AND_TICKETS' AND {not_sent}))"
    ));
    q.push(" AND p.organization_id = ").push_bind(organization_id);
    q.push(" AND t.id > ").push_bind(after_id).push(" AND t.id <= ").push_bind(upper_id);
    q.push(" AND p.code IN ").push_list(products.iter().map(String::as_str));
    q
}

/// The tickets of file `file_id` for which `condition` holds (e.g. injected by the caller),
/// in id order — a season ticket of shape `CARD_AND_TICKETS` among them once its own ticket
/// was sent.
pub async fn file_tickets_where(
    conn: &mut impl Conn,
    file_id: i64,
    condition: &TicketCondition,
) -> Result<Vec<i64>, sqlx::Error> {
    let TicketCondition(condition) = condition;
    sql(format!("SELECT t.id FROM bo_tickets t WHERE t.file_id = $1 AND {condition} ORDER BY t.id"))
        .bind(file_id)
        .scalars(conn)
        .await
}
