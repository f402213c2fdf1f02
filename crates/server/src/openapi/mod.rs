//! The OpenAPI document of the HTTP API (`GET /api/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations: each part (wallet, box office, interface, gate)
//! gives its own piece, merged here; the box office's security comes from its access policy.
//! Snapshot-tested, so a change to the contract shows up in review.

pub mod docs_page;
pub mod examples;

use axum::Json;
use serde_json::Value;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "tixbridge", description = "Wallet organizer API (TIXnGO-compatible) and the box office."),
    components(schemas(tixbridge_web::openapi::ErrorBody), responses(tixbridge_web::openapi::Forbidden)),
    modifiers(&MetricsScheme),
    paths(
        get_openapi,
        crate::gate::post_scan,
        crate::health::get_healthz,
        crate::health::get_readyz,
        crate::health::get_metrics
    )
)]
struct ServerApi;

/// The scraper's credential of `GET /metrics` (docs/observability.md).
struct MetricsScheme;

impl utoipa::Modify for MetricsScheme {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("the TIXBRIDGE_METRICS_TOKEN of the process; without one set, /metrics is off"));
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("metricsToken", SecurityScheme::Http(bearer.build()));
    }
}

#[utoipa::path(get, path = "/api/openapi.json", summary = "This document", responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
pub async fn get_openapi() -> Json<Value> {
    Json(document())
}

/// The whole document: each part's piece merged, operation ids in camelCase, and the box
/// office's operations secured as its access policy says.
pub fn document() -> Value {
    let parts = [
        ("wallet", tixbridge_wallet::openapi::WalletApi::openapi()),
        ("box office", tixbridge_boxoffice::openapi::BoxOfficeApi::openapi()),
        ("interface", tixbridge_interface::http::InterfaceApi::openapi()),
    ];
    let mut api = ServerApi::openapi();
    name_operations(&mut api, "server");
    for (part, mut piece) in parts {
        name_operations(&mut piece, part);
        api.merge(piece);
    }
    let mut document = serde_json::to_value(api).unwrap_or_default();
    crate::openapi_access::secure(&mut document);
    crate::openapi_errors::declare(&mut document);
    examples::apply(&mut document);
    document
}

/// Tags every operation of `piece` with the part it belongs to (not the handler's module) and
/// turns its id, the handler's name, into camelCase.
fn name_operations(piece: &mut utoipa::openapi::OpenApi, part: &str) {
    for item in piece.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            operation.tags = Some(vec![part.to_owned()]);
            operation.operation_id = operation.operation_id.as_deref().map(camel_case);
        }
    }
}

/// `verb_noun` handler names as the camelCase operation ids OpenAPI tools expect.
fn camel_case(name: &str) -> String {
    let mut words = name.split('_');
    let first = words.next().unwrap_or_default().to_owned();
    words.fold(first, |mut id, word| {
        let mut chars = word.chars();
        if let Some(initial) = chars.next() {
            id.extend(initial.to_uppercase());
            id.push_str(chars.as_str());
        }
        id
    })
}
