//! The catalog an organization sells from, loaded once per request so that resolving the codes
//! of thousands of tickets (a file, a CSV import) is a hash lookup per code, not a query.
//!
//! Codes are looked up in the organization itself first, then in the organization that owns
//! its inventory (multi-organization setups define the catalog there).

use std::collections::HashMap;

use tixbridge_domain::{ProductKind, ShipmentType};
use tixbridge_store::{Db, Pooled, sql};

use crate::organizations::Organization;

/// What issuing a ticket needs to know of its product.
#[derive(Debug, Clone)]
pub(crate) struct ProductInfo {
    pub id: i64,
    pub kind: ProductKind,
    /// The season's start and end (RFC 3339, local offset), when the product has one.
    pub season: Option<(String, String)>,
}

#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub products: HashMap<String, ProductInfo>,
    /// (product id, performance code) → performance id.
    pub performances: HashMap<(i64, String), i64>,
    pub seat_categories: HashMap<String, i64>,
    pub tariffs: HashMap<String, i64>,
    pub contingents: HashMap<String, i64>,
    pub sales_channels: HashMap<String, i64>,
    pub shipment_modes: HashMap<String, (i64, Option<ShipmentType>)>,
}

type ProductRow = (i64, String, String, Option<String>, Option<String>);

impl Catalog {
    pub async fn load(db: &Db, org: &Organization) -> Result<Self, sqlx::Error> {
        let mut catalog = Catalog::default();
        let conn = &mut db.reader().await?;
        // The owner first, so the organization's own codes override it.
        for scope in org.catalog_scope().into_iter().rev() {
            let products: Vec<ProductRow> = sql("SELECT p.id, p.code, p.kind, s.starts_local, s.ends_local
                 FROM bo_products p LEFT JOIN bo_seasons s ON s.id = p.season_id WHERE p.organization_id = $1")
            .bind(scope)
            .fetch_all(conn)
            .await?;
            for (id, code, kind, start, end) in products {
                // A kind the domain does not know cannot be issued; treat it as an event.
                let kind = ProductKind::parse(&kind).unwrap_or(ProductKind::Event);
                catalog.products.insert(code, ProductInfo { id, kind, season: start.zip(end) });
            }
            let performances: Vec<(i64, i64, String)> =
                sql("SELECT pf.id, pf.product_id, pf.code FROM bo_performances pf
                 JOIN bo_products p ON p.id = pf.product_id WHERE p.organization_id = $1")
                .bind(scope)
                .fetch_all(conn)
                .await?;
            catalog.performances.extend(performances.into_iter().map(|(id, product, code)| ((product, code), id)));
            catalog.seat_categories.extend(codes(conn, "bo_seat_categories", scope).await?);
            catalog.tariffs.extend(codes(conn, "bo_tariffs", scope).await?);
            catalog.contingents.extend(codes(conn, "bo_contingents", scope).await?);
            catalog.sales_channels.extend(codes(conn, "bo_sales_channels", scope).await?);
            let modes: Vec<(i64, String, String)> =
                sql("SELECT id, code, type FROM bo_shipment_modes WHERE organization_id = $1")
                    .bind(scope)
                    .fetch_all(conn)
                    .await?;
            catalog
                .shipment_modes
                .extend(modes.into_iter().map(|(id, code, kind)| (code, (id, ShipmentType::parse(&kind).ok()))));
        }
        Ok(catalog)
    }
}

/// The code → id map of one reference table of organization `scope`.
async fn codes(conn: &mut Pooled, table: &'static str, scope: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sql(format!("SELECT code, id FROM {table} WHERE organization_id = $1")).bind(scope).fetch_all(conn).await
}
