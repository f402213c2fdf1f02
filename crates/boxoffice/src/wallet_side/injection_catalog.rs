//! The catalog rows a page of injected tickets points to — products (with their season),
//! performances, seat categories, tariffs, contingents. A stadium's million tickets name a
//! handful of them, so they are loaded once per run and shared, instead of being selected
//! and copied again with every ticket.

use std::collections::HashMap;
use std::sync::Arc;

use tixbridge_store::{Conn, Row, sql};

use super::injection_selection::TicketColumns;

/// A product and the season it belongs to.
#[derive(Debug, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub external_name: Option<String>,
    pub kind: String,
    pub comfort_variables: String,
    pub season_start: Option<String>,
    pub season_end: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Performance {
    pub id: i64,
    pub code: String,
    pub starts_local: String,
    pub duration_minutes: Option<i64>,
    pub site_name: Option<String>,
    pub site_external_name: Option<String>,
    pub space_name: Option<String>,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub country_code: Option<String>,
    pub host_team: Option<String>,
    pub opposing_team: Option<String>,
}

/// A seat category, tariff or contingent: a code and a name.
#[derive(Debug, sqlx::FromRow)]
pub struct Coded {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// One selected ticket with everything its wallet payload needs.
#[derive(Debug)]
pub struct TicketRow {
    pub t: TicketColumns,
    pub product: Arc<Product>,
    pub performance: Option<Arc<Performance>>,
    pub seat_category: Option<Arc<Coded>>,
    pub tariff: Option<Arc<Coded>>,
    pub contingent: Option<Arc<Coded>>,
}

/// Rows of one catalog table already loaded in this run, by id.
struct Table<T> {
    select: &'static str,
    rows: HashMap<i64, Arc<T>>,
}

/// Lets [`Table`] index what it loads.
trait Keyed {
    fn id(&self) -> i64;
}

impl Keyed for Product {
    fn id(&self) -> i64 {
        self.id
    }
}

impl Keyed for Performance {
    fn id(&self) -> i64 {
        self.id
    }
}

impl Keyed for Coded {
    fn id(&self) -> i64 {
        self.id
    }
}

impl<T: Keyed + Row> Table<T> {
    fn new(select: &'static str) -> Self {
        Self { select, rows: HashMap::new() }
    }

    /// Loads, in one query, those of `ids` not loaded yet.
    async fn load(&mut self, conn: &mut impl Conn, ids: impl Iterator<Item = Option<i64>>) -> Result<(), sqlx::Error> {
        let mut missing: Vec<i64> = ids.flatten().filter(|id| !self.rows.contains_key(id)).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let mut query = sql(self.select);
        query.push(" WHERE id IN ").push_list(missing);
        let found: Vec<T> = query.fetch_all(conn).await?;
        self.rows.extend(found.into_iter().map(|row| (row.id(), Arc::new(row))));
        Ok(())
    }

    /// The row `id` names, which [`Table::load`] must have been given. A row gone since the
    /// ticket was selected (a catalog entry deleted mid-run) fails the page, which the next
    /// run selects again.
    fn get(&self, id: Option<i64>) -> Result<Option<Arc<T>>, sqlx::Error> {
        match id {
            None => Ok(None),
            Some(id) => self.rows.get(&id).cloned().map(Some).ok_or(sqlx::Error::RowNotFound),
        }
    }
}

/// The catalog of one injection run.
pub struct Catalog {
    products: Table<Product>,
    performances: Table<Performance>,
    seat_categories: Table<Coded>,
    tariffs: Table<Coded>,
    contingents: Table<Coded>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self {
            products: Table::new(
                "SELECT * FROM (SELECT p.id, p.code, p.name, p.external_name, p.kind, p.comfort_variables,
                     s.starts_local AS season_start, s.ends_local AS season_end
                 FROM bo_products p LEFT JOIN bo_seasons s ON s.id = p.season_id) AS product",
            ),
            performances: Table::new(
                "SELECT id, code, starts_local, duration_minutes, site_name, site_external_name, space_name,
                     address_line1, city, zip, country_code, host_team, opposing_team
                 FROM bo_performances",
            ),
            seat_categories: Table::new("SELECT id, code, name FROM bo_seat_categories"),
            tariffs: Table::new("SELECT id, code, name FROM bo_tariffs"),
            contingents: Table::new("SELECT id, code, name FROM bo_contingents"),
        }
    }
}

impl Catalog {
    /// Joins a page of selected tickets to their catalog rows, loading those not seen yet.
    pub async fn rows(
        &mut self,
        conn: &mut impl Conn,
        tickets: Vec<TicketColumns>,
    ) -> Result<Vec<TicketRow>, sqlx::Error> {
        self.products.load(conn, tickets.iter().map(|t| Some(t.product_id))).await?;
        self.performances.load(conn, tickets.iter().map(|t| t.performance_id)).await?;
        self.seat_categories.load(conn, tickets.iter().map(|t| t.seat_category_id)).await?;
        self.tariffs.load(conn, tickets.iter().map(|t| t.tariff_id)).await?;
        self.contingents.load(conn, tickets.iter().map(|t| t.contingent_id)).await?;
        tickets
            .into_iter()
            .map(|t| {
                Ok(TicketRow {
                    product: self.products.get(Some(t.product_id))?.ok_or(sqlx::Error::RowNotFound)?,
                    performance: self.performances.get(t.performance_id)?,
                    seat_category: self.seat_categories.get(t.seat_category_id)?,
                    tariff: self.tariffs.get(t.tariff_id)?,
                    contingent: self.contingents.get(t.contingent_id)?,
                    t,
                })
            })
            .collect()
    }
}
