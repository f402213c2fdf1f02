//! The refusals every operation of the OpenAPI document may give, declared with the one error
//! schema (docs/errors.md): a client generator, schemathesis and the error-shape test read the
//! same contract the server keeps. The parts declare what is particular to each operation (a
//! 409 for a code taken, a 422 for a rule); this adds what any operation answers — 400 for a
//! malformed body, path or query, 404 for an unknown id, 413 and 415 for a body too large or
//! of another type, 500 — and gives a body to any refusal declared without one.

use serde_json::{Value, json};
use tixbridge_web::openapi::{
    BadRequest, InternalError, MethodNotAllowed, NotFound, PayloadTooLarge, UnsupportedMediaType,
};
use utoipa::ToResponse;

/// Declares the error answers of every operation of `document`, and the reusable ones.
pub fn declare(document: &mut Value) {
    let components = [
        BadRequest::response(),
        NotFound::response(),
        MethodNotAllowed::response(),
        PayloadTooLarge::response(),
        UnsupportedMediaType::response(),
        InternalError::response(),
    ];
    for (name, response) in components {
        document["components"]["responses"][name] = serde_json::to_value(response).unwrap_or_default();
    }
    let Some(paths) = document["paths"].as_object_mut() else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut().filter(|(method, _)| *method != "parameters") {
            declare_operation(path, method, operation);
        }
    }
}

fn declare_operation(path: &str, method: &str, operation: &mut Value) {
    let has_body = operation.get("requestBody").is_some();
    let has_parameters =
        path.contains('{') || operation["parameters"].as_array().is_some_and(|parameters| !parameters.is_empty());
    let Some(responses) = operation["responses"].as_object_mut() else { return };
    for (status, response) in responses.iter_mut() {
        let refusal = status.starts_with('4') || status.starts_with('5');
        if refusal && response.get("$ref").is_none() && response.get("content").is_none() {
            response["content"] = json!({ "application/json": { "schema": reference("schemas", "Error") } });
        }
    }
    let mut add = |status: &str, name: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| reference("responses", name));
    };
    if has_body || has_parameters || method != "get" {
        add("400", "BadRequest");
    }
    if has_parameters {
        add("404", "NotFound");
    }
    if has_body {
        add("413", "PayloadTooLarge");
        add("415", "UnsupportedMediaType");
    }
    add("500", "InternalError");
}

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}
