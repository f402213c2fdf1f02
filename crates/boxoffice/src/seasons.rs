//! Seasons: the span a season ticket or an undated product is valid in by default.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_store::sql;
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::idempotency::{Answer, Idempotent};
use crate::validate::AllValid;
use crate::{BoxOfficeError, BoxOfficeState, organizations, validate};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NewSeason {
    code: String,
    name: String,
    /// RFC 3339 with offset, kept as given
    start: String,
    /// RFC 3339 with offset, kept as given
    end: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Season {
    id: i64,
    organization_code: String,
    code: String,
    name: String,
    start: String,
    end: String,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/seasons",
    summary = "Create a season (inventory owners only)",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewSeason,
    responses((status = 201, description = "created", body = Season), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_season(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewSeason>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    if let Some(replay) = key.replay(&state.db, org.id).await? {
        return Ok(replay);
    }
    org.ensure_owns_inventory()?;
    let (code, name, (start, starts_at), (end, ends_at)) = (
        validate::code("code", &body.code),
        validate::text("name", &body.name, 200),
        validate::local_time("start", &body.start),
        validate::local_time("end", &body.end),
    )
        .all_valid()?;
    if ends_at <= starts_at {
        return Err(BoxOfficeError::invalid("end", "must be after start").into());
    }
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let id: Option<i64> = sql(
        "INSERT INTO bo_seasons (organization_id, code, name, starts_local, ends_local) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, code) DO NOTHING RETURNING id",
    )
    .bind(org.id)
    .bind(&code)
    .bind(&name)
    .bind(&start)
    .bind(&end)
    .scalar_optional(&mut tx)
    .await?;
    let id = id.ok_or_else(|| BoxOfficeError::duplicate("code", format!("season {code:?} already exists")))?;
    let season = Season { id, organization_code: org.code, code, name, start, end };
    Ok(key.finish(tx, org.id, StatusCode::CREATED, &season).await?)
}
