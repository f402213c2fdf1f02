//! Issuing tickets: turning what a caller gave (codes) into rows (ids), with every rule of
//! docs/products-and-statuses.md#products-that-go-to-the-wallet checked first, then writing
//! them with multi-row statements. Shared by the file endpoint and the CSV import, so both
//! refuse exactly the same things.

use std::collections::HashSet;

use chrono::DateTime;
use rand::Rng;
use serde::Deserialize;
use tixbridge_domain::TicketStatus;
use tixbridge_store::{Tx, sql};

use crate::catalog::Catalog;

/// One ticket as a caller describes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketRequest {
    pub product_code: String,
    pub performance_code: Option<String>,
    pub seat_category_code: Option<String>,
    pub tariff_code: Option<String>,
    pub contingent_code: Option<String>,
    pub shipment_mode_code: String,
    pub tax_number: Option<String>,
    pub barcode: Option<String>,
    pub block: Option<String>,
    pub row: Option<String>,
    pub seat: Option<String>,
    pub gate: Option<String>,
    pub level: Option<String>,
    pub area: Option<String>,
    #[schema(minimum = 0)]
    pub price_cents: i64,
    pub currency: Option<String>,
    pub holder_contact_id: Option<i64>,
    /// RFC 3339 with offset, kept as given
    pub validity_start: Option<String>,
    /// RFC 3339 with offset, kept as given
    pub validity_end: Option<String>,
}

/// A ticket ready to insert: every code resolved, every value checked.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedTicket {
    pub product_id: i64,
    pub performance_id: Option<i64>,
    pub seat_category_id: Option<i64>,
    pub tariff_id: Option<i64>,
    pub contingent_id: Option<i64>,
    pub shipment_mode_id: i64,
    pub tax_number: Option<String>,
    pub barcode: String,
    pub seat: [Option<String>; 6],
    pub price_cents: i64,
    pub currency: String,
    pub holder_contact_id: Option<i64>,
    pub validity_start: Option<String>,
    pub validity_end: Option<String>,
    /// Set by the caller: the file's channel, or the CSV row's.
    pub sales_channel_id: Option<i64>,
}

/// One refused field of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// A new barcode: 20 random digits, so collisions are out of reach (a unique index backs it).
pub fn generate_barcode() -> String {
    let mut rng = rand::thread_rng();
    format!("{:010}{:010}", rng.gen_range(0..10_000_000_000_u64), rng.gen_range(0..10_000_000_000_u64))
}

fn lookup(
    map: &std::collections::HashMap<String, i64>,
    field: &'static str,
    label: &str,
    code: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let code = code.map(str::trim).filter(|c| !c.is_empty())?;
    let found = map.get(code).copied();
    if found.is_none() {
        errors.push(refuse(field, format!("no {label} {code:?} in this organization or its inventory owner")));
    }
    found
}

fn short(field: &'static str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(refuse(field, format!("must be at most {max} characters")));
    }
    Some(value.to_owned())
}

/// Checks one ticket against the catalog; every broken rule is returned.
pub(crate) fn resolve(catalog: &Catalog, request: &TicketRequest) -> Result<ResolvedTicket, Vec<FieldError>> {
    let mut errors = Vec::new();
    let product_code = request.product_code.trim();
    let product = catalog.products.get(product_code);
    if product.is_none() {
        let message = if product_code.is_empty() {
            "is required".to_owned()
        } else {
            format!("no product {product_code:?} in this organization or its inventory owner")
        };
        errors.push(refuse("productCode", message));
    }
    let performance_code = request.performance_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let mut performance_id = None;
    let (mut validity_start, mut validity_end) = (None, None);
    if let Some(product) = product {
        if product.kind.is_dated() {
            match performance_code {
                None => errors.push(refuse(
                    "performanceCode",
                    format!("is required: product {product_code:?} is {}, a dated product", product.kind),
                )),
                Some(code) => {
                    performance_id = catalog.performances.get(&(product.id, code.to_owned())).copied();
                    if performance_id.is_none() {
                        errors.push(refuse(
                            "performanceCode",
                            format!("no performance {code:?} of product {product_code:?}"),
                        ));
                    }
                }
            }
            for (field, value) in [("validityStart", &request.validity_start), ("validityEnd", &request.validity_end)] {
                if value.is_some() {
                    errors.push(refuse(field, "only undated products take validity dates: this one has performances"));
                }
            }
        } else {
            if performance_code.is_some() {
                errors.push(refuse(
                    "performanceCode",
                    format!("product {product_code:?} is {}, an undated product without performances", product.kind),
                ));
            }
            let season = product.season.as_ref();
            validity_start = validity(&request.validity_start, season.map(|s| &s.0), "validityStart", &mut errors);
            validity_end = validity(&request.validity_end, season.map(|s| &s.1), "validityEnd", &mut errors);
            if let (Some(start), Some(end)) = (&validity_start, &validity_end)
                && let (Ok(start), Ok(end)) = (DateTime::parse_from_rfc3339(start), DateTime::parse_from_rfc3339(end))
                && end <= start
            {
                errors.push(refuse("validityEnd", "must be after validityStart"));
            }
        }
    }
    let seat_category_id = lookup(
        &catalog.seat_categories,
        "seatCategoryCode",
        "seat category",
        request.seat_category_code.as_deref(),
        &mut errors,
    );
    let tariff_id = lookup(&catalog.tariffs, "tariffCode", "tariff", request.tariff_code.as_deref(), &mut errors);
    let contingent_id =
        lookup(&catalog.contingents, "contingentCode", "contingent", request.contingent_code.as_deref(), &mut errors);
    let mode_code = request.shipment_mode_code.trim();
    let shipment_mode_id = catalog.shipment_modes.get(mode_code).map(|(id, _)| *id);
    if shipment_mode_id.is_none() {
        let message =
            if mode_code.is_empty() { "is required".to_owned() } else { format!("no shipment mode {mode_code:?}") };
        errors.push(refuse("shipmentModeCode", message));
    }
    let tax_number = short("taxNumber", request.tax_number.as_deref(), 256, &mut errors);
    let barcode = match request.barcode.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => generate_barcode(),
        Some(barcode) => {
            if barcode.len() > 256 || !barcode.bytes().all(|b| b.is_ascii_graphic()) {
                errors.push(refuse("barcode", "must be 1 to 256 visible ASCII characters"));
            }
            barcode.to_owned()
        }
    };
    let seat = [
        short("block", request.block.as_deref(), 64, &mut errors),
        short("row", request.row.as_deref(), 64, &mut errors),
        short("seat", request.seat.as_deref(), 64, &mut errors),
        short("gate", request.gate.as_deref(), 64, &mut errors),
        short("level", request.level.as_deref(), 64, &mut errors),
        short("area", request.area.as_deref(), 64, &mut errors),
    ];
    if request.price_cents < 0 {
        errors.push(refuse("priceCents", "must not be negative"));
    }
    let currency = request.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("EUR");
    if currency.len() > 20 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(refuse("currency", "must be an upper-case code such as EUR (at most 20 letters)"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ResolvedTicket {
        product_id: product.map(|p| p.id).unwrap_or_default(),
        performance_id,
        seat_category_id,
        tariff_id,
        contingent_id,
        shipment_mode_id: shipment_mode_id.unwrap_or_default(),
        tax_number,
        barcode,
        seat,
        price_cents: request.price_cents,
        currency: currency.to_owned(),
        holder_contact_id: request.holder_contact_id,
        validity_start,
        validity_end,
        sales_channel_id: None,
    })
}

/// An undated ticket's validity bound: as given, else the season's, else refused.
fn validity(
    given: &Option<String>,
    season: Option<&String>,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match given.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => {
            if DateTime::parse_from_rfc3339(value).is_err() {
                errors.push(refuse(field, "must be an RFC 3339 date-time with offset"));
            }
            Some(value.to_owned())
        }
        None => match season {
            Some(bound) => Some(bound.clone()),
            None => {
                errors.push(refuse(field, "is required: the product is undated and has no season to default to"));
                None
            }
        },
    }
}

/// Barcodes given twice among `tickets`: the positions of the second and later sightings.
pub(crate) fn repeated_barcodes<'a>(barcodes: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut seen = HashSet::new();
    barcodes.enumerate().filter(|(_, b)| !seen.insert(*b)).map(|(i, _)| i).collect()
}

/// Rows per multi-row statement: 26 binds each, under SQLite's 32,766 and PostgreSQL's 65,535.
pub(crate) const CHUNK: usize = 1_000;

/// Which of `barcodes` organization `organization_id` already uses, read in `tx` so that the
/// insert that follows sees the same answer.
pub(crate) async fn existing_barcodes(
    tx: &mut Tx,
    organization_id: i64,
    barcodes: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut found = HashSet::new();
    for chunk in barcodes.chunks(CHUNK) {
        let mut select = sql("SELECT barcode FROM bo_tickets WHERE organization_id = ");
        select.push_bind(organization_id).push(" AND barcode IN ");
        select.push_list(chunk.iter().copied());
        found.extend(select.scalars::<String>(tx).await?);
    }
    Ok(found)
}

/// Inserts `rows` (`(file_id, contact_id, ticket)`) as `NOT_PRINTED` tickets of organization
/// `organization_id`, in `tx`, [`CHUNK`] rows per statement.
pub(crate) async fn insert_tickets(
    tx: &mut Tx,
    organization_id: i64,
    rows: &[(i64, i64, &ResolvedTicket)],
    now: i64,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(CHUNK) {
        let mut insert =
            sql("INSERT INTO bo_tickets (organization_id, file_id, product_id, performance_id, seat_category_id, \
             tariff_id, contingent_id, shipment_mode_id, sales_channel_id, contact_id, holder_contact_id, status, \
             tax_number, barcode, block, row_name, seat, gate, level_name, area, price_cents, currency, \
             validity_start_local, validity_end_local, issued_at, status_changed_at) ");
        insert.push_values(chunk, |row, &(file_id, contact_id, t)| {
            row.bind(organization_id)
                .bind(file_id)
                .bind(t.product_id)
                .bind(t.performance_id)
                .bind(t.seat_category_id)
                .bind(t.tariff_id)
                .bind(t.contingent_id)
                .bind(t.shipment_mode_id)
                .bind(t.sales_channel_id)
                .bind(contact_id)
                .bind(t.holder_contact_id)
                .bind(TicketStatus::NotPrinted.as_str())
                .bind(t.tax_number.as_deref())
                .bind(t.barcode.as_str());
            for part in &t.seat {
                row.bind(part.as_deref());
            }
            row.bind(t.price_cents)
                .bind(t.currency.as_str())
                .bind(t.validity_start.as_deref())
                .bind(t.validity_end.as_deref())
                .bind(now)
                .bind(now);
        });
        insert.execute(tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_barcodes_are_twenty_digits_and_differ() {
        let (a, b) = (generate_barcode(), generate_barcode());
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_repeated_barcode_is_reported_at_its_second_sighting() {
        assert_eq!(repeated_barcodes(["A", "B", "A", "C", "B"].into_iter()), [2, 4]);
    }
}
