//! The middleware every box-office route passes: authenticate, find the route's rule, resolve
//! the organization it acts on, check the caller reaches it and its role may do the act.
//! Order matters: another organization's object is a 404 before any role is considered, so a
//! caller learns nothing about objects it may not see.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tixbridge_store::Db;
use tixbridge_web::ApiError;

use super::policy::{self, Scope};
use super::{Access, Caller, Need, sessions, tokens};
use crate::organizations;

/// Objects reached by a bare number in the path, whose organization must be looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Function,
    Run,
}

impl ObjectKind {
    fn name(self) -> &'static str {
        match self {
            ObjectKind::Function => "function",
            ObjectKind::Run => "run",
        }
    }
}

/// The future an [`OwnerLookup`] answers with.
pub type OwnerFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<i64>, sqlx::Error>> + Send + 'a>>;

/// Finds the organization owning an object of another part (the interface's functions and
/// runs), so the box office need not read that part's tables.
pub trait OwnerLookup: Send + Sync {
    fn organization_of(&self, kind: ObjectKind, id: i64) -> OwnerFuture<'_>;
}

/// What the middleware needs.
#[derive(Clone)]
pub struct Guard {
    db: Db,
    owners: Option<Arc<dyn OwnerLookup>>,
}

impl Guard {
    pub fn new(db: Db) -> Self {
        Self { db, owners: None }
    }

    /// The same guard, able to resolve the owners of numbered objects through `owners`.
    pub fn with_owners(mut self, owners: Arc<dyn OwnerLookup>) -> Self {
        self.owners = Some(owners);
        self
    }
}

/// The middleware (use with `route_layer`, so the matched route is known).
pub async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // A method the route does not have is a 405 naming those it has, whoever asks: the
    // methods of every route are public (the OpenAPI document lists them).
    let route = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    if policy::rule(parts.method.as_str(), &route).is_none() {
        let allowed = policy::methods(&route);
        if !allowed.is_empty() {
            return tixbridge_web::method_not_allowed(&parts.method, parts.uri.path(), &allowed.join(", "));
        }
    }
    match authorize(&guard, &mut parts).await {
        Ok(Some(access)) => {
            parts.extensions.insert(access);
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(None) => next.run(Request::from_parts(parts, body)).await,
        Err(refusal) => {
            let mut response = refusal.into_response();
            if response.status() == StatusCode::UNAUTHORIZED {
                response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tixbridge\""));
            }
            response
        }
    }
}

/// `Ok(None)` for a public route, `Ok(Some(access))` for an allowed call, else the refusal.
async fn authorize(guard: &Guard, parts: &mut axum::http::request::Parts) -> Result<Option<Access>, ApiError> {
    let route = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let rule = policy::rule(parts.method.as_str(), &route);
    if rule.is_some_and(|rule| rule.scope == Scope::Public) {
        return Ok(None);
    }
    let caller = authenticate(&guard.db, &parts.headers).await?;
    let Some(rule) = rule else {
        tracing::error!(method = %parts.method, route, "route without an access rule refused");
        return Err(forbidden(format!("{} {route} has no access rule", parts.method)));
    };
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|rejection| ApiError::internal(format!("path parameters unavailable: {rejection}")))?;
    let param = |name: &str| params.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_owned());
    let organization_id = match rule.scope {
        Scope::Public | Scope::Own => caller.organization_id,
        Scope::Org => {
            let code = param("org").unwrap_or_default();
            reached(&caller, organizations::find(&guard.db, &code).await, || format!("organization {code:?}"))?
        }
        Scope::Object(kind) => {
            let text = param("id").unwrap_or_default();
            let what = || format!("{} {text}", kind.name());
            let id: i64 = text.parse().map_err(|_| not_found(what()))?;
            let owners = guard.owners.as_ref().ok_or_else(|| not_found(what()))?;
            let owner = owners.organization_of(kind, id).await.map_err(internal)?.ok_or_else(|| not_found(what()))?;
            reached(&caller, organizations::find_by_id(&guard.db, owner).await, what)?
        }
    };
    if !caller.role.may(rule.need) {
        return Err(forbidden(format!(
            "the role {} may not {}",
            caller.role.as_str(),
            match rule.need {
                Need::Identify | Need::Read => "read here",
                Need::Scan => "scan tickets",
                Need::Write => "change tickets, catalog or runs",
                Need::Administer => "administer the organization (interface, functions, templates, operators, tokens)",
            }
        )));
    }
    Ok(Some(Access { caller, organization_id }))
}

/// The organization's id when the caller reaches it; a 404 naming `what` otherwise, exactly
/// as if it did not exist.
fn reached(
    caller: &Caller,
    found: Result<organizations::Organization, crate::BoxOfficeError>,
    what: impl Fn() -> String,
) -> Result<i64, ApiError> {
    match found {
        Ok(org) if caller.reaches(&org) => Ok(org.id),
        Ok(_) | Err(crate::BoxOfficeError::NotFound(_)) => Err(not_found(what())),
        Err(err) => Err(ApiError::from(err)),
    }
}

/// The caller named by a Bearer token or an operator session cookie.
async fn authenticate(db: &Db, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let found = if let Some(value) = headers.get(AUTHORIZATION) {
        let text = value.to_str().unwrap_or_default();
        let Some(token) = text.strip_prefix("Bearer ") else {
            return Err(unauthorized("Authorization must be `Bearer <token>`"));
        };
        tokens::authenticate(db, token.trim()).await.map_err(internal)?
    } else if let Some(cookie) = session_cookie(headers) {
        sessions::authenticate(db, &cookie).await.map_err(internal)?
    } else {
        return Err(unauthorized("credentials required: `Authorization: Bearer <token>` or an operator session"));
    };
    found.ok_or_else(|| unauthorized("unknown, expired or revoked credential"))
}

/// The operator session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, sessions::COOKIE)
}

/// The value of cookie `name`, if the request carries one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::unauthorized(message)
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

fn not_found(what: String) -> ApiError {
    ApiError::not_found(format!("{what} not found"))
}

fn internal(err: sqlx::Error) -> ApiError {
    ApiError::internal(err)
}
