//! Performances: the dated occurrences of an event or match. The start keeps the venue's
//! offset as entered, because the wallet shows it as given.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_domain::ProductKind;
use tixbridge_store::sql;
use tixbridge_web::{ApiError, JsonBody};

use crate::{BoxOfficeError, BoxOfficeState, organizations, validate};

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
}

/// A week: longer than any performance; a typo in minutes is caught.
const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/products/{product}/performances",
    summary = "Create a performance of an EVENT or MATCH product",
    params(("org" = String, Path, description = "the organization's code"), ("product" = String, Path, description = "the product's code")),
    request_body = NewPerformance,
    responses((status = 201, description = "created", body = Performance), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_performance(
    State(state): State<BoxOfficeState>,
    Path((org, product)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewPerformance>,
) -> Result<(StatusCode, Json<Performance>), ApiError> {
    let org = organizations::find(&state.db, &org).await?;
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
    let code = validate::code("code", &body.code)?;
    let (start, _) = validate::local_time("start", &body.start)?;
    if body.duration_minutes.is_some_and(|m| !(1..=MAX_DURATION_MINUTES).contains(&m)) {
        return Err(BoxOfficeError::invalid("durationMinutes", "must be between 1 and 10080").into());
    }
    let site = clean_site(body.site)?;
    let host_team = validate::optional("hostTeam", body.host_team.as_deref(), 200)?;
    let opposing_team = validate::optional("opposingTeam", body.opposing_team.as_deref(), 200)?;
    let address = site.address.as_ref();
    let id: Option<i64> =
        sql("INSERT INTO bo_performances (product_id, code, starts_local, duration_minutes, site_name,
             site_external_name, space_name, address_line1, city, zip, country_code, host_team, opposing_team)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
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
        .scalar_optional(&mut state.db.writer().await?)
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
    };
    Ok((StatusCode::CREATED, Json(performance)))
}

fn clean_site(site: Site) -> Result<Site, BoxOfficeError> {
    let address = match site.address {
        None => None,
        Some(a) => Some(Address {
            line1: validate::optional("site.address.line1", a.line1.as_deref(), 200)?,
            city: validate::optional("site.address.city", a.city.as_deref(), 100)?,
            zip: validate::optional("site.address.zip", a.zip.as_deref(), 20)?,
            country_code: validate::optional("site.address.countryCode", a.country_code.as_deref(), 3)?,
        }),
    };
    Ok(Site {
        name: validate::text("site.name", &site.name, 200)?,
        external_name: validate::optional("site.externalName", site.external_name.as_deref(), 200)?,
        space: validate::optional("site.space", site.space.as_deref(), 200)?,
        address,
    })
}
