//! The interface's HTTP API, under `/api/boxoffice`: configuration, functions, templates,
//! manual runs, run records and reconcile.

mod handlers;
mod openapi;
mod templates;

pub use openapi::InterfaceApi;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tixbridge_boxoffice::access::guard::OwnerFuture;
use tixbridge_boxoffice::access::{Guard, ObjectKind, OwnerLookup};
use tixbridge_store::{Db, sql};
use tixbridge_web::ApiError;

use crate::config::InterfaceError;
use crate::engine::{Engine, RunError};

/// Every route of the interface API, each behind the box office's access `guard`.
pub fn router(engine: Engine, guard: Guard) -> Router {
    use handlers::*;
    let guard = guard.with_owners(Arc::new(Owners { db: engine.db.clone() }));
    Router::new()
        .route(
            "/api/boxoffice/organizations/{org}/interface",
            post(create_interface).get(show_interface).put(update_interface),
        )
        .route("/api/boxoffice/organizations/{org}/interface/functions", post(create_function).get(list_functions))
        .route(
            "/api/boxoffice/organizations/{org}/templates",
            post(templates::create_template).get(templates::list_templates),
        )
        .route(
            "/api/boxoffice/organizations/{org}/templates/{id}",
            get(templates::show_template).put(templates::update_template).delete(templates::delete_template),
        )
        .route("/api/boxoffice/organizations/{org}/templates/{id}/preview", post(templates::preview_template))
        .route("/api/boxoffice/organizations/{org}/interface/reconcile", post(reconcile_interface))
        .route("/api/boxoffice/organizations/{org}/interface/wallet-check", get(check_wallet))
        .route("/api/boxoffice/functions/{id}", get(show_function).put(update_function))
        .route("/api/boxoffice/functions/{id}/runs", post(run_function).get(list_runs))
        .route("/api/boxoffice/functions/{id}/waiting", get(show_waiting))
        .route("/api/boxoffice/runs/{id}", get(show_run))
        .route("/api/boxoffice/runs/{id}/lines", get(list_run_lines))
        .route("/api/boxoffice/runs/{id}/cancel", post(cancel_run))
        .route_layer(from_fn_with_state(guard, tixbridge_boxoffice::access::guard::guard))
        .with_state(engine)
}

/// Tells the access guard which organization owns a function or a run.
struct Owners {
    db: Db,
}

impl OwnerLookup for Owners {
    fn organization_of(&self, kind: ObjectKind, id: i64) -> OwnerFuture<'_> {
        let query = match kind {
            ObjectKind::Function => {
                "SELECT i.organization_id FROM itf_functions f JOIN itf_interfaces i ON i.id = f.interface_id
                 WHERE f.id = $1"
            }
            ObjectKind::Run => {
                "SELECT i.organization_id FROM itf_runs r JOIN itf_functions f ON f.id = r.function_id
                 JOIN itf_interfaces i ON i.id = f.interface_id WHERE r.id = $1"
            }
        };
        Box::pin(async move { sql(query).bind(id).scalar_optional(&mut self.db.reader().await?).await })
    }
}

impl From<InterfaceError> for ApiError {
    fn from(err: InterfaceError) -> Self {
        use axum::http::StatusCode;
        match err {
            InterfaceError::Invalid(e) => ApiError::unprocessable(e.field, e.rule),
            InterfaceError::InvalidFields(errors) => ApiError::invalid_fields(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors.into_iter().map(|e| tixbridge_web::FieldRule::new(e.field, e.rule)).collect(),
            ),
            InterfaceError::Conflict { field, message } => ApiError::conflict(field, message),
            InterfaceError::NotFound(what) => ApiError::not_found(what),
            InterfaceError::Unseal => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
            InterfaceError::Sql(e) => ApiError::internal(e),
        }
    }
}

impl From<RunError> for ApiError {
    fn from(err: RunError) -> Self {
        match err {
            RunError::Busy(_) | RunError::Inactive(_) => ApiError::conflict("function", err.to_string()),
            RunError::FileUploadForbidden => {
                ApiError::new(axum::http::StatusCode::FORBIDDEN, err.to_string()).with_field("fileToUpload")
            }
            RunError::FileRefused(why) => {
                ApiError::unprocessable("fileToUpload", format!("refused whole, nothing written: {why}"))
            }
            RunError::NotFound { field, message } => ApiError::not_found(message).with_field(field),
            RunError::Interface(e) => e.into(),
            RunError::Sql(e) => ApiError::internal(e),
            RunError::Aborted(e) => ApiError::internal(e),
        }
    }
}

impl From<crate::reconcile::ReconcileError> for ApiError {
    fn from(err: crate::reconcile::ReconcileError) -> Self {
        use crate::reconcile::ReconcileError as E;
        match err {
            E::Interface(e) => e.into(),
            E::Run(e) => e.into(),
            E::UnknownEvent(message) => ApiError::not_found(message).with_field("event"),
            E::NoFunction => ApiError::conflict("repair", err.to_string()),
            E::Wallet(why) => ApiError::new(axum::http::StatusCode::BAD_GATEWAY, format!("wallet: {why}")),
            E::Sql(e) => ApiError::internal(e),
        }
    }
}
