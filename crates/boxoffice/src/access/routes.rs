//! Handlers of the access API: operators' sign-in session, and an admin's tokens, operators
//! and audit record. Credentials are returned once, when created, and never again.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::Path;
use tixbridge_web::{ApiError, JsonBody, Page, PageParams, PageQuery};

use super::operators::{self, NewOperator};
use super::tokens::{self, NewToken};
use super::{Access, Principal, audit, guard, sessions};
use crate::idempotency::Idempotency;
use crate::{BoxOfficeState, organizations};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = OperatorSignIn)]
pub(crate) struct SignIn {
    organization: String,
    email: String,
    #[schema(format = Password)]
    password: String,
}

/// `POST /api/boxoffice/session`: signs an operator in and sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/boxoffice/session",
    summary = "Sign an operator in: sets the HttpOnly, SameSite=Strict session cookie",
    request_body = SignIn,
    responses(
        (status = 201, description = "signed in", body = crate::openapi::access::Session),
        (status = 401, response = tixbridge_web::openapi::Unauthorized),
        (status = 429, response = tixbridge_web::openapi::TooManyRequests)
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/boxoffice/session",
    summary = "Who the credential speaks for",
    responses((status = 200, description = "the caller", body = crate::openapi::access::Caller))
)]
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
#[utoipa::path(
    delete,
    path = "/api/boxoffice/session",
    summary = "Sign out (ends the session, clears the cookie)",
    responses((status = 204, description = "signed out"))
)]
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

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/tokens",
    summary = "Create an API token; its text is in this answer only",
    params(crate::openapi::OrgPath),
    request_body = NewToken,
    responses((status = 201, description = "created", body = tokens::CreatedToken))
)]
pub(crate) async fn create_token(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<tokens::CreatedToken>), ApiError> {
    Idempotency::refuse_on(&headers, "a token")?;
    let created = tokens::create(&state.db, access.organization_id, &body, &access.caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/tokens",
    summary = "The organization's tokens (never their text)",
    params(crate::openapi::OrgPath, PageParams),
    responses((status = 200, description = "tokens, newest first", body = Page<tokens::TokenInfo>))
)]
pub(crate) async fn list_tokens(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    page: PageQuery,
) -> Result<Json<Page<tokens::TokenInfo>>, ApiError> {
    let found = tokens::list(&state.db, access.organization_id, page.after("tokens")?, page.rows_to_read()).await?;
    Ok(Json(page.page("tokens", found, |token| token.id)))
}

#[utoipa::path(
    delete,
    path = "/api/boxoffice/organizations/{org}/tokens/{id}",
    summary = "Revoke a token",
    params(crate::openapi::OrgIdPath),
    responses((status = 200, description = "revoked", body = tokens::TokenInfo), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub(crate) async fn revoke_token(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Json<tokens::TokenInfo>, ApiError> {
    Ok(Json(tokens::revoke(&state.db, access.organization_id, id, &access.caller.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/operators",
    summary = "Create an operator; without a password one is generated and returned once",
    params(crate::openapi::OrgPath),
    request_body = NewOperator,
    responses((status = 201, description = "created", body = operators::CreatedOperator))
)]
pub(crate) async fn create_operator(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewOperator>,
) -> Result<(StatusCode, Json<operators::CreatedOperator>), ApiError> {
    Idempotency::refuse_on(&headers, "an operator")?;
    let created = operators::create(&state.db, access.organization_id, body, &access.caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/operators",
    summary = "The organization's operators, by e-mail",
    params(crate::openapi::OrgPath, PageParams),
    responses((status = 200, description = "operators", body = Page<operators::OperatorInfo>))
)]
pub(crate) async fn list_operators(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    page: PageQuery,
) -> Result<Json<Page<operators::OperatorInfo>>, ApiError> {
    let after = page.after("operators")?;
    let found = operators::list(&state.db, access.organization_id, after, page.rows_to_read()).await?;
    Ok(Json(page.page("operators", found, |operator| (operator.email.clone(), operator.id))))
}

#[utoipa::path(
    delete,
    path = "/api/boxoffice/organizations/{org}/operators/{id}",
    summary = "Disable an operator and end its sessions",
    params(crate::openapi::OrgIdPath),
    responses((status = 204, description = "disabled"), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub(crate) async fn disable_operator(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    operators::disable(&state.db, access.organization_id, id, &access.caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/audit",
    summary = "Configuration changes, newest first: who, when, what, which fields (never a value)",
    params(crate::openapi::OrgPath, PageParams),
    responses((status = 200, description = "changes", body = Page<audit::AuditRecord>))
)]
pub(crate) async fn list_audit(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    page: PageQuery,
) -> Result<Json<Page<audit::AuditRecord>>, ApiError> {
    let found = audit::list(&state.db, access.organization_id, page.after("audit")?, page.rows_to_read()).await?;
    Ok(Json(page.page("audit", found, |record| record.id)))
}
