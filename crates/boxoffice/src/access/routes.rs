//! Handlers of the access API: operators' sign-in session, and an admin's tokens, operators
//! and audit record. Credentials are returned once, when created, and never again.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::{ApiError, JsonBody};

use super::operators::{self, NewOperator};
use super::tokens::{self, NewToken};
use super::{Access, Principal, audit, guard, sessions};
use crate::{BoxOfficeState, organizations};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SignIn {
    organization: String,
    email: String,
    password: String,
}

/// `POST /api/boxoffice/session`: signs an operator in and sets the session cookie.
pub(crate) async fn create_session(
    State(state): State<BoxOfficeState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(body): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    let refused = || ApiError::unauthorized("unknown organization, e-mail or password");
    sessions::count_attempt(
        &state.db,
        &body.organization,
        &body.email,
        client.map(|Extension(ConnectInfo(addr))| addr.ip()),
    )
    .await?;
    // An unknown organization costs a password check too, so timing tells nothing.
    let org = organizations::find(&state.db, body.organization.trim()).await.ok();
    let org_id = org.as_ref().map_or(0, |org| org.id);
    let session = sessions::sign_in(&state.db, org_id, &body.email, &body.password).await?.ok_or_else(refused)?;
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        sessions::COOKIE,
        session.cookie_value,
        sessions::LIFETIME_MS / 1000
    );
    let mut response = (
        StatusCode::CREATED,
        Json(json!({
            "organization": org.map(|org| org.code),
            "operatorId": session.operator_id,
            "role": session.role,
        })),
    )
        .into_response();
    response.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(ApiError::internal)?);
    Ok(response)
}

/// `GET /api/boxoffice/session`: who the credential speaks for.
pub(crate) async fn show_session(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
) -> Result<Json<Value>, ApiError> {
    let org = organizations::find_by_id(&state.db, access.caller.organization_id).await?;
    let (kind, id, name) = match &access.caller.principal {
        Principal::Token { id, name } => ("token", *id, name.clone()),
        Principal::Operator { id, email } => ("operator", *id, email.clone()),
    };
    Ok(Json(json!({ "organization": org.code, "role": access.caller.role, "kind": kind, "id": id, "name": name })))
}

/// `DELETE /api/boxoffice/session`: signs the operator out (clears the cookie).
pub(crate) async fn delete_session(
    State(state): State<BoxOfficeState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(cookie) = guard::session_cookie(&headers) {
        sessions::sign_out(&state.db, &cookie).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let expired = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", sessions::COOKIE);
    response.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&expired).map_err(ApiError::internal)?);
    Ok(response)
}

pub(crate) async fn create_token(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<tokens::CreatedToken>), ApiError> {
    let created = tokens::create(&state.db, access.organization_id, &body, &access.caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(crate) async fn list_tokens(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "tokens": tokens::list(&state.db, access.organization_id).await? })))
}

pub(crate) async fn revoke_token(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Json<tokens::TokenInfo>, ApiError> {
    Ok(Json(tokens::revoke(&state.db, access.organization_id, id, &access.caller.actor()).await?))
}

pub(crate) async fn create_operator(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    JsonBody(body): JsonBody<NewOperator>,
) -> Result<(StatusCode, Json<operators::CreatedOperator>), ApiError> {
    let created = operators::create(&state.db, access.organization_id, body, &access.caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(crate) async fn list_operators(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "operators": operators::list(&state.db, access.organization_id).await? })))
}

pub(crate) async fn disable_operator(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    operators::disable(&state.db, access.organization_id, id, &access.caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AuditQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

pub(crate) async fn list_audit(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::unprocessable("limit", "must be 1 to 1,000"));
    }
    Ok(Json(json!({ "changes": audit::list(&state.db, access.organization_id, query.before, limit).await? })))
}
