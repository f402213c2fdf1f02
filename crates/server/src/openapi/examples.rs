//! What the handlers' annotations cannot say: the shape of answers built as JSON values (the
//! generated schema would be `{}`) and an example of every request and answer. Kept as data,
//! by operation id, in `requests.json` and `responses.json` beside this file, and laid over the
//! generated document; the `openapi_coverage` test fails when an operation lacks any of them
//! or an entry names an operation or status the document does not have.
//!
//! `responses.json`: `{ operationId: { status: { "schema"?: …, "example"?: … } } }` — a schema
//! given here only fills a missing or empty one (a generated schema wins). Answers without an
//! example of their own take the one of the component schema they name (`"#schemas"`: `{ name:
//! example }`), or for a refusal the one of its status (`"#errors"`: `{ status: example }`,
//! also shown by the shared `components/responses`).
//! An entry for a status the annotations do not list adds that answer, with the entry's
//! `description`, as a refusal (the error schema). And every operation that takes parameters
//! or a body may answer 400 (malformed), which is added where the annotations forgot it.
//! `requests.json`: `{ operationId: example }`, the example of the body it takes.

use serde_json::{Map, Value, json};

const RESPONSES: &str = include_str!("responses.json");
const REQUESTS: &str = include_str!("requests.json");

/// The answers' schemas and examples, by operation id then status.
pub fn responses() -> Map<String, Value> {
    serde_json::from_str(RESPONSES).expect("openapi/responses.json is JSON")
}

/// The request bodies' examples, by operation id.
pub fn requests() -> Map<String, Value> {
    serde_json::from_str(REQUESTS).expect("openapi/requests.json is JSON")
}

/// Lays the schemas and examples over `document` (an OpenAPI 3.1 value).
pub fn apply(document: &mut Value) {
    let responses = responses();
    let requests = requests();
    let errors = responses.get("#errors").cloned().unwrap_or_default();
    let schemas = responses.get("#schemas").cloned().unwrap_or_default();
    if let Some(shared) = document.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        for (name, response) in shared.iter_mut() {
            set_missing_example(response, &errors[name.as_str()]);
        }
    }
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for operation in item.values_mut().filter(|o| o.get("operationId").is_some()) {
            let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
            if let Some(by_status) = responses.get(&id).and_then(Value::as_object) {
                for (status, given) in by_status {
                    if let (None, Some(description)) = (operation["responses"].get(status), given.get("description")) {
                        operation["responses"][status] = json!({ "description": description });
                    }
                    if let Some(response) = operation.pointer_mut(&format!("/responses/{status}")) {
                        fill_response(response, status, given);
                    }
                }
            }
            if let Some(example) = requests.get(&id)
                && let Some(content) = operation.pointer_mut("/requestBody/content").and_then(Value::as_object_mut)
            {
                for media in content.values_mut() {
                    media["example"] = example.clone();
                }
            }
            drop_body_of_no_content(operation);
            document_bad_request(operation);
            for (status, response) in
                operation.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten()
            {
                if status.starts_with('2') {
                    let named = named_schema(response).and_then(|name| schemas.get(name)).cloned();
                    if let Some(example) = named {
                        set_missing_example(response, &example);
                    }
                } else if response.get("$ref").is_none() {
                    if response.get("content").is_none() {
                        response["content"] =
                            json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } });
                    }
                    set_missing_example(response, &errors[status.as_str()]);
                }
            }
        }
    }
}

/// The component schema a JSON answer is, by name (`#/components/schemas/NAME`).
fn named_schema(response: &Value) -> Option<&str> {
    response.pointer("/content/application~1json/schema/$ref")?.as_str()?.strip_prefix("#/components/schemas/")
}

/// Gives `response` the schema it lacks and the example, as JSON unless it already names
/// another media type.
fn fill_response(response: &mut Value, status: &str, given: &Value) {
    if status == "204" {
        return;
    }
    if response.get("content").and_then(Value::as_object).is_none_or(Map::is_empty) {
        response["content"] = json!({ "application/json": {} });
    }
    for media in response["content"].as_object_mut().into_iter().flat_map(|c| c.values_mut()) {
        let empty = media.get("schema").is_none_or(|s| s.as_object().is_some_and(Map::is_empty));
        if let (true, Some(schema)) = (empty, given.get("schema")) {
            media["schema"] = schema.clone();
        }
        if let Some(example) = given.get("example") {
            media["example"] = example.clone();
        }
    }
}

/// Gives each media type of `response` that has no example `example` (none when null).
fn set_missing_example(response: &mut Value, example: &Value) {
    if example.is_null() {
        return;
    }
    for media in response.get_mut("content").and_then(Value::as_object_mut).into_iter().flat_map(|c| c.values_mut()) {
        if media.get("example").is_none() {
            media["example"] = example.clone();
        }
    }
}

/// An operation with parameters or a body answers 400 to a malformed one.
fn document_bad_request(operation: &mut Value) {
    let takes_input = operation.get("requestBody").is_some()
        || operation.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    if takes_input && operation["responses"].get("400").is_none() {
        operation["responses"]["400"] = json!({ "$ref": "#/components/responses/BadRequest" });
    }
}

/// A 204 answer has no body, whatever the annotation's defaults said.
fn drop_body_of_no_content(operation: &mut Value) {
    if let Some(response) = operation.pointer_mut("/responses/204").and_then(Value::as_object_mut) {
        response.remove("content");
    }
}
