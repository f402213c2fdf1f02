//! The small code/name references tickets point at: seat categories, tariffs, contingents
//! (inventory: defined where the inventory is owned), sales channels and their points of sale,
//! and shipment modes (with their type: only `MOBILE` goes to the wallet). Seat categories and
//! contingents may have a capacity per performance (docs/products-and-statuses.md#capacity-and-seats).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_domain::ShipmentType;
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::idempotency::{Answer, Idempotency, Idempotent};
use crate::validate::AllValid;
use crate::{BoxOfficeError, BoxOfficeState, organizations, validate};

#[derive(Debug, Clone, Copy)]
enum Reference {
    SeatCategory,
    Tariff,
    Contingent,
    SalesChannel,
}

impl Reference {
    fn table(self) -> &'static str {
        match self {
            Self::SeatCategory => "bo_seat_categories",
            Self::Tariff => "bo_tariffs",
            Self::Contingent => "bo_contingents",
            Self::SalesChannel => "bo_sales_channels",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::SeatCategory => "seat category",
            Self::Tariff => "tariff",
            Self::Contingent => "contingent",
            Self::SalesChannel => "sales channel",
        }
    }

    /// Part of the inventory, so only defined where the inventory is owned.
    fn is_inventory(self) -> bool {
        !matches!(self, Self::SalesChannel)
    }

    /// Has a capacity per performance (docs/products-and-statuses.md#capacity-and-seats).
    fn has_capacity(self) -> bool {
        matches!(self, Self::SeatCategory | Self::Contingent)
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NewReference {
    code: String,
    name: String,
    #[serde(rename = "type")]
    /// shipment modes only, and required there
    #[schema(required = false, schema_with = crate::openapi::answers::shipment_type)]
    kind: Option<String>,
    /// seat categories and contingents only: the most live tickets of it at each performance;
    /// absent, only the performance's capacity bounds it
    #[schema(minimum = 1, maximum = 1000000)]
    capacity: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedReference {
    id: i64,
    organization_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sales_channel_code: Option<String>,
    code: String,
    name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(required = false, schema_with = crate::openapi::answers::shipment_type)]
    kind: Option<ShipmentType>,
    /// seat categories and contingents: their capacity per performance, null when they have none
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<i64>)]
    capacity: Option<Option<i64>>,
}

type Created = Result<Answer, ApiError>;

fn no_capacity(body: &NewReference, label: &str) -> Result<(), BoxOfficeError> {
    match body.capacity {
        None => Ok(()),
        Some(_) => Err(BoxOfficeError::invalid(
            "capacity",
            format!("only seat categories and contingents have a capacity, not a {label}"),
        )),
    }
}

async fn create(
    state: BoxOfficeState,
    org: String,
    key: Idempotency,
    body: NewReference,
    reference: Reference,
) -> Created {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    if reference.is_inventory() {
        org.ensure_owns_inventory()?;
    }
    if body.kind.is_some() {
        return Err(BoxOfficeError::invalid("type", "only shipment modes have a type").into());
    }
    if !reference.has_capacity() {
        no_capacity(&body, reference.label())?;
    }
    let (code, name, capacity) = (
        validate::code("code", &body.code),
        validate::text("name", &body.name, 200),
        validate::capacity("capacity", body.capacity),
    )
        .all_valid()?;
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> = if reference.has_capacity() {
        sql(format!(
            "INSERT INTO {} (organization_id, code, name, capacity) VALUES ($1, $2, $3, $4)
             ON CONFLICT (organization_id, code) DO NOTHING RETURNING id",
            reference.table()
        ))
        .bind(org.id)
        .bind(&code)
        .bind(&name)
        .bind(capacity)
        .scalar_optional(&mut tx)
        .await?
    } else {
        sql(format!(
            "INSERT INTO {} (organization_id, code, name) VALUES ($1, $2, $3)
             ON CONFLICT (organization_id, code) DO NOTHING RETURNING id",
            reference.table()
        ))
        .bind(org.id)
        .bind(&code)
        .bind(&name)
        .scalar_optional(&mut tx)
        .await?
    };
    let id =
        id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("{} {code:?} already exists", reference.label())))?;
    let created = CreatedReference {
        id,
        organization_code: org.code,
        sales_channel_code: None,
        code,
        name,
        kind: None,
        capacity: reference.has_capacity().then_some(capacity),
    };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &created).await?)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/seat-categories",
    summary = "Create a seat category (inventory owners only)",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_seat_category(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    create(state, org, key, body, Reference::SeatCategory).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tariffs",
    summary = "Create a tariff (inventory owners only)",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_tariff(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    create(state, org, key, body, Reference::Tariff).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/contingents",
    summary = "Create a contingent (inventory owners only)",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_contingent(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    create(state, org, key, body, Reference::Contingent).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/sales-channels",
    summary = "Create a sales channel",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_sales_channel(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    create(state, org, key, body, Reference::SalesChannel).await
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/sales-channels/{channel}/points-of-sale",
    summary = "Create a point of sale of a sales channel",
    params(("org" = String, Path, description = "the organization's code"), ("channel" = String, Path, description = "the sales channel's code"), crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_point_of_sale(
    State(state): State<BoxOfficeState>,
    Path((org, channel)): Path<(String, String)>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    let channel_id: Option<i64> = sql("SELECT id FROM bo_sales_channels WHERE organization_id = $1 AND code = $2")
        .bind(org.id)
        .bind(&channel)
        .scalar_optional(&mut state.db.reader().await?)
        .await?;
    let channel_id = channel_id.ok_or_else(|| BoxOfficeError::not_found(format!("sales channel {channel:?}")))?;
    if body.kind.is_some() {
        return Err(BoxOfficeError::invalid("type", "only shipment modes have a type").into());
    }
    no_capacity(&body, "point of sale")?;
    let (code, name) = (validate::code("code", &body.code), validate::text("name", &body.name, 200)).all_valid()?;
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> = sql("INSERT INTO bo_points_of_sale (sales_channel_id, code, name) VALUES ($1, $2, $3)
         ON CONFLICT (sales_channel_id, code) DO NOTHING RETURNING id")
    .bind(channel_id)
    .bind(&code)
    .bind(&name)
    .scalar_optional(&mut tx)
    .await?;
    let id = id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("point of sale {code:?} already exists")))?;
    let created = CreatedReference {
        id,
        organization_code: org.code,
        sales_channel_code: Some(channel),
        code,
        name,
        kind: None,
        capacity: None,
    };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &created).await?)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/shipment-modes",
    summary = "Create a shipment mode",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewReference,
    responses((status = 201, description = "created", body = CreatedReference), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_shipment_mode(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewReference>,
) -> Created {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    no_capacity(&body, "shipment mode")?;
    let kind = body
        .kind
        .as_deref()
        .ok_or_else(|| BoxOfficeError::invalid("type", "is required"))
        .and_then(|kind| ShipmentType::parse(kind).map_err(|err| BoxOfficeError::invalid("type", err.to_string())));
    let (code, name, kind) =
        (validate::code("code", &body.code), validate::text("name", &body.name, 200), kind).all_valid()?;
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> =
        sql("INSERT INTO bo_shipment_modes (organization_id, code, name, type) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, code) DO NOTHING RETURNING id")
        .bind(org.id)
        .bind(&code)
        .bind(&name)
        .bind(kind.as_str())
        .scalar_optional(&mut tx)
        .await?;
    let id = id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("shipment mode {code:?} already exists")))?;
    let created = CreatedReference {
        id,
        organization_code: org.code,
        sales_channel_code: None,
        code,
        name,
        kind: Some(kind),
        capacity: None,
    };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &created).await?)
}
