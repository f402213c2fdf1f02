//! Products: what is sold (docs/products-and-statuses.md#products-that-go-to-the-wallet).
//! Dated kinds get performances; undated kinds may carry comfort variables (§7.3), checked
//! here so a bad value never reaches the injection.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tixbridge_domain::{ComfortVariables, ProductKind, SeasonShape};
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::idempotency::{Answer, Idempotent};
use crate::validate::AllValid;
use crate::{BoxOfficeError, BoxOfficeState, organizations, validate};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NewProduct {
    code: String,
    name: String,
    external_name: Option<String>,
    #[schema(schema_with = crate::openapi::answers::product_kind)]
    kind: String,
    family: String,
    season_code: Option<String>,
    /// SEASON_TICKET_CARD only; default CARD_ONLY
    #[schema(required = false, schema_with = crate::openapi::answers::season_shape)]
    season_shape: Option<String>,
    #[schema(default = true)]
    mobile_enabled: Option<bool>,
    #[schema(value_type = Option<Object>)]
    /// undated products only (docs/interface.md#comfort-variables): TIXAct, TIXStart,
    /// TIXExp, TIXRGrp (at most 50 characters)
    comfort_variables: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Product {
    id: i64,
    organization_code: String,
    code: String,
    name: String,
    external_name: Option<String>,
    #[schema(schema_with = crate::openapi::answers::product_kind)]
    kind: ProductKind,
    family: String,
    season_code: Option<String>,
    #[schema(schema_with = crate::openapi::answers::season_shape_or_null)]
    season_shape: Option<SeasonShape>,
    mobile_enabled: bool,
    #[schema(value_type = Object)]
    comfort_variables: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/products",
    summary = "Create a product (inventory owners only)",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewProduct,
    responses((status = 201, description = "created", body = Product), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_product(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewProduct>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    org.ensure_owns_inventory()?;
    let (code, name, external_name, kind, family) = (
        validate::code("code", &body.code),
        validate::text("name", &body.name, 200),
        validate::optional("externalName", body.external_name.as_deref(), 200),
        ProductKind::parse(body.kind.trim()).map_err(|err| BoxOfficeError::invalid("kind", err.to_string())),
        validate::text("family", &body.family, 64),
    )
        .all_valid()?;
    let season_shape = match (kind, body.season_shape.as_deref()) {
        (ProductKind::SeasonTicketCard, None) => Some(SeasonShape::CardOnly),
        (ProductKind::SeasonTicketCard, Some(shape)) => {
            Some(SeasonShape::parse(shape).map_err(|err| BoxOfficeError::invalid("seasonShape", err.to_string()))?)
        }
        (_, None) => None,
        (_, Some(_)) => {
            return Err(
                BoxOfficeError::invalid("seasonShape", "only a SEASON_TICKET_CARD product has a season shape").into()
            );
        }
    };
    let season_id = match body.season_code.as_deref() {
        None => None,
        Some(season) => Some(
            sql("SELECT id FROM bo_seasons WHERE organization_id = $1 AND code = $2")
                .bind(org.id)
                .bind(season)
                .scalar_optional::<i64>(&mut state.db.reader().await?)
                .await?
                .ok_or_else(|| {
                    BoxOfficeError::invalid("seasonCode", format!("no season {season:?} in {}", org.code))
                })?,
        ),
    };
    let comfort = body.comfort_variables.unwrap_or_default();
    let comfort = ComfortVariables::parse(&comfort).map_err(|err| BoxOfficeError::invalid(err.field, err.rule))?;
    if kind.is_dated() && !comfort.raw.is_empty() {
        return Err(BoxOfficeError::invalid(
            "comfortVariables",
            "only undated products carry comfort variables: events and matches take their dates from the performance",
        )
        .into());
    }
    if let Some(variable) = comfort.first_needing_season().filter(|_| season_id.is_none()) {
        return Err(BoxOfficeError::invalid(
            format!("comfortVariables.{variable}"),
            "refers to the season but the product has no seasonCode",
        )
        .into());
    }
    let mobile_enabled = body.mobile_enabled.unwrap_or(true);
    let comfort_text = Value::Object(comfort.raw.clone()).to_string();
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> =
        sql("INSERT INTO bo_products (organization_id, code, name, external_name, kind, family, season_id,
             season_shape, mobile_enabled, comfort_variables)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (organization_id, code) DO NOTHING RETURNING id")
        .bind(org.id)
        .bind(&code)
        .bind(&name)
        .bind(external_name.as_deref())
        .bind(kind.as_str())
        .bind(&family)
        .bind(season_id)
        .bind(season_shape.map(SeasonShape::as_str))
        .bind(mobile_enabled)
        .bind(&comfort_text)
        .scalar_optional(&mut tx)
        .await?;
    let id = id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("product {code:?} already exists")))?;
    let product = Product {
        id,
        organization_code: org.code,
        code,
        name,
        external_name,
        kind,
        family,
        season_code: body.season_code,
        season_shape,
        mobile_enabled,
        comfort_variables: comfort.raw,
    };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &product).await?)
}
