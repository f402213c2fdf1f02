//! Reading tickets back: every column, with codes instead of ids, the feedback mirror
//! (mobile status, wallet owner, holder, transfer counters) and both histories.

use serde::{Serialize, Serializer};
use serde_json::Value;
use tixbridge_domain::{OrganizationId, TicketId, TicketStatus};
use tixbridge_store::{Conn, Db, sql};

use crate::BoxOfficeError;

/// A ticket as the API shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BoxOfficeTicket)]
pub struct TicketView {
    pub id: i64,
    pub organization_id: i64,
    pub organization_code: String,
    pub file_id: i64,
    pub file_number: String,
    pub product_id: i64,
    pub product_code: String,
    pub product_kind: String,
    pub performance_id: Option<i64>,
    pub performance_code: Option<String>,
    pub seat_category_code: Option<String>,
    pub tariff_code: Option<String>,
    pub contingent_code: Option<String>,
    pub shipment_mode_code: String,
    pub shipment_mode_type: String,
    pub sales_channel_code: Option<String>,
    pub contact_id: i64,
    pub holder_contact_id: Option<i64>,
    #[schema(schema_with = crate::openapi::answers::ticket_status)]
    pub status: String,
    pub tax_number: Option<String>,
    pub barcode: String,
    pub block: Option<String>,
    #[serde(rename = "row")]
    pub row_name: Option<String>,
    pub seat: Option<String>,
    pub gate: Option<String>,
    #[serde(rename = "level")]
    pub level_name: Option<String>,
    pub area: Option<String>,
    pub price_cents: i64,
    pub currency: String,
    #[serde(rename = "validityStart")]
    pub validity_start_local: Option<String>,
    #[serde(rename = "validityEnd")]
    pub validity_end_local: Option<String>,
    pub invalidation_reason: Option<String>,
    pub replaces_ticket_id: Option<i64>,
    pub replaced_by_ticket_id: Option<i64>,
    /// The first away export that listed the ticket (docs/interface.md#away-fans).
    pub away_export_id: Option<i64>,
    /// The id the wallet holds the ticket under, when the away club's file gave it one of its
    /// own (absent: the box-office id).
    pub wallet_ticket_id: Option<String>,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: i64,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub status_changed_at: i64,
    pub mobile_status: Option<String>,
    pub wallet_owner_email: Option<String>,
    pub wallet_holder: Option<String>,
    pub forward_transfers: i64,
    pub backward_transfers: i64,
    #[serde(serialize_with = "as_optional_rfc3339")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub wallet_synced_at: Option<i64>,
    /// When the ticket was printed (for a mobile ticket: injected into the wallet).
    #[serde(serialize_with = "as_optional_rfc3339")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub printed_at: Option<i64>,
    /// The point of sale the printing was done as, `salesChannelCode;posCode` (the wallet
    /// interface prints as the one its injection function names).
    pub printed_point_of_sale: Option<String>,
}

impl TicketView {
    pub fn status(&self) -> Option<TicketStatus> {
        self.status.parse().ok()
    }
}

fn as_rfc3339<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::rfc3339(*ms))
}

fn as_optional_rfc3339<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&crate::rfc3339(*ms)),
        None => s.serialize_none(),
    }
}

/// The ticket query; callers append `WHERE …`.
pub(crate) const SELECT: &str = "SELECT t.id, t.organization_id, o.code AS organization_code, t.file_id, \
    f.file_number, t.product_id, p.code AS product_code, p.kind AS product_kind, t.performance_id, \
    pf.code AS performance_code, sc.code AS seat_category_code, tr.code AS tariff_code, \
    cg.code AS contingent_code, sm.code AS shipment_mode_code, sm.type AS shipment_mode_type, \
    ch.code AS sales_channel_code, t.contact_id, t.holder_contact_id, t.status, t.tax_number, t.barcode, t.block, \
    t.row_name, t.seat, t.gate, t.level_name, t.area, t.price_cents, t.currency, t.validity_start_local, \
    t.validity_end_local, t.invalidation_reason, t.replaces_ticket_id, \
    (SELECT MIN(n.id) FROM bo_tickets n WHERE n.replaces_ticket_id = t.id) AS replaced_by_ticket_id, \
    t.away_export_id, t.wallet_ticket_id, t.issued_at, t.status_changed_at, t.mobile_status, t.wallet_owner_email, t.wallet_holder, \
    t.forward_transfers, t.backward_transfers, t.wallet_synced_at, t.printed_at, \
    pch.code || ';' || ppos.code AS printed_point_of_sale \
    FROM bo_tickets t \
    JOIN bo_organizations o ON o.id = t.organization_id \
    JOIN bo_files f ON f.id = t.file_id \
    JOIN bo_products p ON p.id = t.product_id \
    LEFT JOIN bo_performances pf ON pf.id = t.performance_id \
    LEFT JOIN bo_seat_categories sc ON sc.id = t.seat_category_id \
    LEFT JOIN bo_tariffs tr ON tr.id = t.tariff_id \
    LEFT JOIN bo_contingents cg ON cg.id = t.contingent_id \
    JOIN bo_shipment_modes sm ON sm.id = t.shipment_mode_id \
    LEFT JOIN bo_sales_channels ch ON ch.id = t.sales_channel_id \
    LEFT JOIN bo_points_of_sale ppos ON ppos.id = t.printed_point_of_sale_id \
    LEFT JOIN bo_sales_channels pch ON pch.id = ppos.sales_channel_id";

/// One entry of the wallet-side history feedback brought back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MobileHistoryEntry {
    pub at: String,
    pub status: String,
    pub action: String,
    /// JSON when the stored detail is JSON, else the text.
    pub detail: Value,
}

/// One distribution-history entry (docs/interface.md#contacts-and-distribution).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistributionEntry {
    pub contact_id: i64,
    pub action: String,
    /// PENDING, CANCELLED or CONFIRMED
    pub status: String,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
}

/// A ticket with its histories: the answer of `GET …/tickets/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub mobile_history: Vec<MobileHistoryEntry>,
    pub distribution_history: Vec<DistributionEntry>,
}

/// `at, status, action, detail` of `bo_ticket_mobile_history`.
type MobileRow = (String, String, String, String);

/// One ticket of `organization_id`, whole.
pub async fn get(db: &Db, organization_id: OrganizationId, id: TicketId) -> Result<TicketDetail, BoxOfficeError> {
    get_in(&mut db.reader().await?, organization_id, id).await
}

/// [`get`] on `conn`.
pub async fn get_in(
    conn: &mut impl Conn,
    organization_id: OrganizationId,
    id: TicketId,
) -> Result<TicketDetail, BoxOfficeError> {
    let ticket: Option<TicketView> = sql(format!("{SELECT} WHERE t.id = $1 AND t.organization_id = $2"))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(conn)
        .await?;
    let ticket = ticket.ok_or_else(|| BoxOfficeError::not_found(format!("ticket {id}")))?;
    let mobile: Vec<MobileRow> =
        sql("SELECT at, status, action, detail FROM bo_ticket_mobile_history WHERE ticket_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(conn)
            .await?;
    let distribution: Vec<DistributionEntry> =
        sql("SELECT contact_id, action, status, at FROM bo_distribution_history WHERE ticket_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(conn)
            .await?;
    let mobile_history = mobile
        .into_iter()
        .map(|(at, status, action, detail)| MobileHistoryEntry {
            at,
            status,
            action,
            detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
        })
        .collect();
    Ok(TicketDetail { ticket, mobile_history, distribution_history: distribution })
}

/// The tickets of a file, oldest first.
pub async fn of_file(conn: &mut impl Conn, file_id: i64) -> Result<Vec<TicketView>, sqlx::Error> {
    sql(format!("{SELECT} WHERE t.file_id = $1 ORDER BY t.id")).bind(file_id).fetch_all(conn).await
}

/// What `GET …/tickets` filters on.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub performance_code: Option<String>,
    pub product_code: Option<String>,
    /// Only the tickets an away export listed: the console's away screen.
    pub away_exported: bool,
    /// Search: the exact barcode, file number, tax number, or an e-mail of the buyer, the
    /// holder or the wallet's owner (the console's ticket search).
    pub barcode: Option<String>,
    pub file_number: Option<String>,
    pub tax_number: Option<String>,
    pub email: Option<String>,
    pub after_id: i64,
    pub limit: i64,
}

/// A page of the organization's tickets, by id.
pub async fn list(db: &Db, organization_id: i64, filter: &TicketFilter) -> Result<Vec<TicketView>, sqlx::Error> {
    let mut select = sql(SELECT);
    select.push(" WHERE t.organization_id = ").push_bind(organization_id);
    select.push(" AND t.id > ").push_bind(filter.after_id);
    if let Some(status) = filter.status {
        select.push(" AND t.status = ").push_bind(status.as_str());
    }
    if let Some(code) = &filter.performance_code {
        select.push(" AND pf.code = ").push_bind(code.as_str());
    }
    if let Some(code) = &filter.product_code {
        select.push(" AND p.code = ").push_bind(code.as_str());
    }
    if filter.away_exported {
        select.push(" AND t.away_export_id IS NOT NULL");
    }
    if let Some(barcode) = &filter.barcode {
        select.push(" AND t.barcode = ").push_bind(barcode.as_str());
    }
    if let Some(number) = &filter.file_number {
        select.push(" AND f.file_number = ").push_bind(number.as_str());
    }
    if let Some(number) = &filter.tax_number {
        select.push(" AND t.tax_number = ").push_bind(number.as_str());
    }
    if let Some(email) = &filter.email {
        let email = email.trim().to_lowercase();
        select.push(" AND (LOWER(t.wallet_owner_email) = ").push_bind(email.clone());
        select.push(" OR EXISTS (SELECT 1 FROM bo_contacts c WHERE c.id IN (t.contact_id, t.holder_contact_id) AND LOWER(c.email) = ");
        select.push_bind(email).push("))");
    }
    select.push(" ORDER BY t.id LIMIT ").push_bind(filter.limit);
    select.fetch_all(&mut db.reader().await?).await
}
