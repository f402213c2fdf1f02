//! The OpenAPI document describes every operation fully: an id, the one part it belongs to as
//! its tag, a schema for every answer with a body (never `{}`), and an example of every body it
//! takes and every answer it gives; the examples kept beside the document (openapi/*.json)
//! name only operations and statuses that exist.

use serde_json::Value;
use tixbridge_server::openapi::{document, examples};

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// Every operation of the document, as (operationId or "METHOD PATH", operation).
fn operations(document: &Value) -> Vec<(String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                let id = operation["operationId"].as_str().map(str::to_owned);
                all.push((id.unwrap_or_else(|| format!("{method} {path}")), operation));
            }
        }
    }
    all
}

fn is_empty_schema(schema: Option<&Value>) -> bool {
    schema.is_none_or(|s| s.as_object().is_some_and(|o| o.is_empty()))
}

/// What is missing from one answer (a response object, not a reference), if anything.
fn answer_gaps(status: &str, response: &Value) -> Vec<String> {
    let content = response.get("content").and_then(Value::as_object);
    if status == "204" {
        return content.map(|_| vec!["a 204 answer with a body".to_owned()]).unwrap_or_default();
    }
    let Some(content) = content.filter(|c| !c.is_empty()) else { return vec!["no body schema".to_owned()] };
    let mut gaps = Vec::new();
    for (media, body) in content {
        if is_empty_schema(body.get("schema")) {
            gaps.push(format!("{media}: schema missing or {{}}"));
        }
        if body.get("example").is_none() {
            gaps.push(format!("{media}: no example"));
        }
        if let (Some(required), Some(example)) = (body.pointer("/schema/required"), body.get("example")) {
            for key in required.as_array().unwrap() {
                if example.get(key.as_str().unwrap()).is_none() {
                    gaps.push(format!("{media}: the example lacks required {key}"));
                }
            }
        }
    }
    gaps
}

#[test]
fn every_operation_has_an_id_a_part_tag_a_schema_for_every_answer_and_examples() {
    let document = document();
    let mut gaps = Vec::new();
    for (id, operation) in operations(&document) {
        if operation.get("operationId").is_none() {
            gaps.push(format!("{id}: no operationId"));
        }
        let tags = operation["tags"].as_array().map(Vec::as_slice).unwrap_or_default();
        if tags.len() != 1 {
            gaps.push(format!("{id}: tagged {tags:?}, not with its one part"));
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            let response = match response.get("$ref").and_then(Value::as_str) {
                Some(reference) => document.pointer(reference.trim_start_matches('#')).expect("a defined response"),
                None => response,
            };
            gaps.extend(answer_gaps(status, response).into_iter().map(|gap| format!("{id} {status}: {gap}")));
        }
        if let Some(content) = operation.pointer("/requestBody/content").and_then(Value::as_object) {
            for (media, body) in content {
                if body.get("example").is_none() {
                    gaps.push(format!("{id} request {media}: no example"));
                }
            }
        }
    }
    assert!(gaps.is_empty(), "{} gaps in the OpenAPI document:\n{}", gaps.len(), gaps.join("\n"));
}

#[test]
fn the_kept_examples_name_only_operations_and_statuses_the_document_has() {
    let document = document();
    let by_id: std::collections::HashMap<String, &Value> = operations(&document).into_iter().collect();
    for (id, statuses) in examples::responses().iter().filter(|(id, _)| !id.starts_with('#')) {
        let operation = by_id.get(id).unwrap_or_else(|| panic!("responses.json names {id}, which no operation is"));
        for status in statuses.as_object().unwrap().keys() {
            assert!(operation["responses"].get(status).is_some(), "responses.json: {id} has no {status} answer");
        }
    }
    for id in examples::requests().keys() {
        let operation = by_id.get(id).unwrap_or_else(|| panic!("requests.json names {id}, which no operation is"));
        assert!(operation.get("requestBody").is_some(), "requests.json: {id} takes no body");
    }
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for name in examples::responses()["#schemas"].as_object().unwrap().keys() {
        assert!(schemas.contains_key(name), "responses.json #schemas names {name}, which the document does not define");
    }
}

#[tokio::test]
async fn the_served_document_carries_the_examples() {
    let app = crate::common::TestApp::sqlite().await;
    let served: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let example = served.pointer(
        "/paths/~1api~1boxoffice~1organizations~1{org}~1seasons/post/requestBody/content/application~1json/example",
    );
    assert_eq!(example.and_then(|e| e["code"].as_str()), Some("S99"), "the served document is the one with examples");
}
