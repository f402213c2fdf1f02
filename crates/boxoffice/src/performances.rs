//! Performances: the dated occurrences of an event or match. The start keeps the venue's
//! offset as entered, because the wallet shows it as given. Each has a capacity
//! (docs/products-and-statuses.md#capacity-and-seats), shown with what is sold.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_domain::ProductKind;
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::idempotency::{Answer, Idempotent};
use crate::validate::AllValid;
use crate::{BoxOfficeError, BoxOfficeState, capacity, organizations, validate};

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Address {
    line1: Option<String>,
    city: Option<String>,
    zip: Option<String>,
    country_code: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Site {
    name: String,
    external_name: Option<String>,
    space: Option<String>,
    address: Option<Address>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NewPerformance {
    code: String,
    start: String,
    #[schema(minimum = 1, maximum = 10080)]
    duration_minutes: Option<i64>,
    site: Site,
    host_team: Option<String>,
    opposing_team: Option<String>,
    /// the most live tickets the performance holds; 100,000 when not given
    #[schema(minimum = 1, maximum = 1000000)]
    capacity: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Performance {
    id: i64,
    product_code: String,
    code: String,
    start: String,
    duration_minutes: Option<i64>,
    site: Site,
    host_team: Option<String>,
    opposing_team: Option<String>,
    /// the most live tickets (NOT_PRINTED, PRINTED, CONTROLLED) the performance holds
    capacity: i64,
}

/// A week: longer than any performance; a typo in minutes is caught.
const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/products/{product}/performances",
    summary = "Create a performance of an EVENT or MATCH product",
    params(("org" = String, Path, description = "the organization's code"), ("product" = String, Path, description = "the product's code"), crate::openapi::IdempotencyKey),
    request_body = NewPerformance,
    responses((status = 201, description = "created", body = Performance), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_performance(
    State(state): State<BoxOfficeState>,
    Path((org, product)): Path<(String, String)>,
    Idempotent(key, body): Idempotent<NewPerformance>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    org.ensure_owns_inventory()?;
    let found: Option<(i64, String)> = sql("SELECT id, kind FROM bo_products WHERE organization_id = $1 AND code = $2")
        .bind(org.id)
        .bind(&product)
        .fetch_optional(&mut state.db.reader().await?)
        .await?;
    let (product_id, kind) = found.ok_or_else(|| BoxOfficeError::not_found(format!("product {product:?}")))?;
    if !ProductKind::parse(&kind).is_ok_and(ProductKind::is_dated) {
        return Err(BoxOfficeError::invalid(
            "product",
            format!("product {product:?} is {kind}: only EVENT and MATCH products have performances"),
        )
        .into());
    }
    let duration = match body.duration_minutes {
        Some(m) if !(1..=MAX_DURATION_MINUTES).contains(&m) => {
            Err(BoxOfficeError::invalid("durationMinutes", "must be between 1 and 10080"))
        }
        _ => Ok(()),
    };
    let (code, (start, _), (), site, host_team, opposing_team, capacity) = (
        validate::code("code", &body.code),
        validate::local_time("start", &body.start),
        duration,
        clean_site(body.site),
        validate::optional("hostTeam", body.host_team.as_deref(), 200),
        validate::optional("opposingTeam", body.opposing_team.as_deref(), 200),
        validate::capacity("capacity", body.capacity),
    )
        .all_valid()?;
    let capacity = capacity.unwrap_or(capacity::DEFAULT_PERFORMANCE_CAPACITY);
    let address = site.address.as_ref();
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> =
        sql("INSERT INTO bo_performances (product_id, code, starts_local, duration_minutes, site_name,
             site_external_name, space_name, address_line1, city, zip, country_code, host_team, opposing_team,
             capacity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (product_id, code) DO NOTHING RETURNING id")
        .bind(product_id)
        .bind(&code)
        .bind(&start)
        .bind(body.duration_minutes)
        .bind(&site.name)
        .bind(site.external_name.as_deref())
        .bind(site.space.as_deref())
        .bind(address.and_then(|a| a.line1.as_deref()))
        .bind(address.and_then(|a| a.city.as_deref()))
        .bind(address.and_then(|a| a.zip.as_deref()))
        .bind(address.and_then(|a| a.country_code.as_deref()))
        .bind(host_team.as_deref())
        .bind(opposing_team.as_deref())
        .bind(capacity)
        .scalar_optional(&mut tx)
        .await?;
    let id = id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("performance {code:?} already exists")))?;
    let performance = Performance {
        id,
        product_code: product,
        code,
        start,
        duration_minutes: body.duration_minutes,
        site,
        host_team,
        opposing_team,
        capacity,
    };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &performance).await?)
}

fn clean_site(site: Site) -> Result<Site, BoxOfficeError> {
    let address = match site.address {
        None => Ok(None),
        Some(a) => (
            validate::optional("site.address.line1", a.line1.as_deref(), 200),
            validate::optional("site.address.city", a.city.as_deref(), 100),
            validate::optional("site.address.zip", a.zip.as_deref(), 20),
            validate::optional("site.address.countryCode", a.country_code.as_deref(), 3),
        )
            .all_valid()
            .map(|(line1, city, zip, country_code)| Some(Address { line1, city, zip, country_code })),
    };
    let (name, external_name, space, address) = (
        validate::text("site.name", &site.name, 200),
        validate::optional("site.externalName", site.external_name.as_deref(), 200),
        validate::optional("site.space", site.space.as_deref(), 200),
        address,
    )
        .all_valid()?;
    Ok(Site { name, external_name, space, address })
}

/// A seat category's or contingent's share of a performance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShareSales {
    code: String,
    /// the most live tickets of it at this performance; null: only the performance's capacity
    capacity: Option<i64>,
    sold: i64,
    /// null without a capacity of its own
    available: Option<i64>,
}

/// A performance with what it has sold: the answer of `GET …/performances/{performance}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PerformanceSales {
    #[serde(flatten)]
    performance: Performance,
    /// live tickets (NOT_PRINTED, PRINTED, CONTROLLED), by every organization selling it
    sold: i64,
    available: i64,
    seat_categories: Vec<ShareSales>,
    contingents: Vec<ShareSales>,
}

type PerformanceRow = (i64, i64, String, String, Option<i64>, Option<String>, Option<String>, Option<String>);
type AddressRow = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, i64);

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/products/{product}/performances/{performance}",
    summary = "A performance with its capacity and what it, each seat category and each contingent have sold",
    params(("org" = String, Path, description = "the organization's code"), ("product" = String, Path, description = "the product's code"), ("performance" = String, Path, description = "the performance's code")),
    responses((status = 200, description = "found", body = PerformanceSales), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn get_performance(
    State(state): State<BoxOfficeState>,
    Path((org, product, code)): Path<(String, String, String)>,
) -> Result<Json<PerformanceSales>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    let conn = &mut state.db.reader().await?;
    let mut found: Option<PerformanceRow> = None;
    for scope in org.catalog_scope() {
        found = sql("SELECT pf.id, p.organization_id, pf.code, pf.starts_local, pf.duration_minutes, pf.site_name,
                 pf.site_external_name, pf.space_name
             FROM bo_performances pf JOIN bo_products p ON p.id = pf.product_id
             WHERE p.organization_id = $1 AND p.code = $2 AND pf.code = $3")
        .bind(scope)
        .bind(&product)
        .bind(&code)
        .fetch_optional(conn)
        .await?;
        if found.is_some() {
            break;
        }
    }
    let (id, owner, code, start, duration_minutes, site_name, site_external_name, space) =
        found.ok_or_else(|| BoxOfficeError::not_found(format!("performance {code:?} of product {product:?}")))?;
    let (line1, city, zip, country_code, host_team, opposing_team, capacity): AddressRow =
        sql("SELECT address_line1, city, zip, country_code, host_team, opposing_team, capacity
             FROM bo_performances WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    let address = (line1.is_some() || city.is_some() || zip.is_some() || country_code.is_some()).then_some(Address {
        line1,
        city,
        zip,
        country_code,
    });
    let sold: i64 =
        sql(format!("SELECT COUNT(*) FROM bo_tickets WHERE performance_id = $1 AND status IN {}", capacity::LIVE))
            .bind(id)
            .scalar(conn)
            .await?;
    let mut shares = Vec::new();
    for (table, column) in [("bo_seat_categories", "seat_category_id"), ("bo_contingents", "contingent_id")] {
        let rows: Vec<(String, Option<i64>, i64)> = sql(format!(
            "SELECT c.code, c.capacity, COUNT(t.id) FROM {table} c
             LEFT JOIN bo_tickets t ON t.{column} = c.id AND t.performance_id = $1 AND t.status IN {}
             WHERE c.organization_id = $2 GROUP BY c.id, c.code, c.capacity ORDER BY c.code",
            capacity::LIVE
        ))
        .bind(id)
        .bind(owner)
        .fetch_all(conn)
        .await?;
        shares.push(
            rows.into_iter()
                .map(|(code, capacity, sold)| ShareSales {
                    code,
                    capacity,
                    sold,
                    available: capacity.map(|c| (c - sold).max(0)),
                })
                .collect::<Vec<_>>(),
        );
    }
    let contingents = shares.pop().unwrap_or_default();
    let seat_categories = shares.pop().unwrap_or_default();
    let performance = Performance {
        id,
        product_code: product,
        code,
        start,
        duration_minutes,
        site: Site { name: site_name.unwrap_or_default(), external_name: site_external_name, space, address },
        host_team,
        opposing_team,
        capacity,
    };
    Ok(Json(PerformanceSales { performance, sold, available: (capacity - sold).max(0), seat_categories, contingents }))
}
