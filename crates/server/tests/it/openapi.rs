//! The OpenAPI document is a contract: it is snapshot-tested, and every path it lists answers.

use crate::common;

use reqwest::StatusCode;

const SNAPSHOT: &str = "tests/snapshots/openapi.json";

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot_and_every_path_is_served() {
    let app = common::TestApp::sqlite().await;
    let document: serde_json::Value =
        app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let pretty = serde_json::to_string_pretty(&document).unwrap() + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(SNAPSHOT, &pretty).unwrap();
    }
    let expected = std::fs::read_to_string(SNAPSHOT).expect("snapshot missing: run with UPDATE_SNAPSHOTS=1");
    assert_eq!(pretty, expected, "the API contract changed: review, then run with UPDATE_SNAPSHOTS=1");

    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{ticketId}", "T1")
            .replace("{org}", "NOORG")
            .replace("{id}", "1")
            .replace("{eventId}", "NOEVENT")
            .replace("{action}", "accept");
        for method in item.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            let request = match method.as_str() {
                "get" => app.client.get(app.url(&concrete)),
                "post" => app.client.post(app.url(&concrete)),
                "delete" => app.client.delete(app.url(&concrete)),
                "put" => app.client.put(app.url(&concrete)),
                "patch" => app.client.patch(app.url(&concrete)),
                other => panic!("unexpected method {other}"),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            // a documented route answers; a 404 must be the handler's JSON ("no such …"), not the router's
            let body = response.text().await.unwrap();
            let routed = status != StatusCode::NOT_FOUND || body.contains("\"error\"");
            assert!(
                routed && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not served ({status})"
            );
        }
    }
}

/// Generated pieces are merged by name: a reference to a schema or a response no piece gave,
/// or two operations with one id, would only show in a client generator.
#[test]
fn every_reference_of_the_openapi_document_resolves_operation_ids_are_unique_and_tags_name_parts() {
    let document = tixbridge_server::openapi::document();
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", &reference[..reference.find('"').unwrap()]);
        assert!(document.pointer(&pointer).is_some(), "{pointer} is referenced but not defined");
    }
    let mut ids = std::collections::HashSet::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().expect("every operation has an id");
            assert!(ids.insert(id.to_owned()), "operation id {id} used twice");
            let tags = operation["tags"].as_array().map(Vec::as_slice).unwrap_or_default();
            let parts = ["wallet", "box office", "interface", "server"];
            assert!(
                tags.len() == 1 && parts.iter().any(|part| tags[0] == *part),
                "{id}: tagged {tags:?}, not with the one part it belongs to"
            );
            assert!(!id.contains('_'), "{id}: operation ids are camelCase");
        }
    }
}
