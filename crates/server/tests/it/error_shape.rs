//! One error shape for every refusal of every part (docs/errors.md): the test walks every
//! operation of the served OpenAPI document with a malformed body, an unknown id and a wrong
//! method, as a caller with the right credential, and holds each answer to the error schema the
//! document declares for that operation and status. Then: every bad field reported at once, and
//! the refusals no handler writes (unknown route, 405, 413, 415, bad path and query) in the
//! API's words.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::error_schema::{check, component_response, documented};
use crate::common::oversized::post_oversized;
use crate::support::{Spectator, TICKETS, inject, sign_in};

const ORG: &str = "SHAPE";
/// An id no object of the test has: a number, so it also fits paths that take numbers.
const UNKNOWN: &str = "987654321";

/// Who calls an operation: the credential its `security` names.
struct Callers {
    boxoffice: String,
    organizer: String,
    spectator: Spectator,
}

impl Callers {
    async fn new(app: &TestApp) -> Callers {
        let (status, body) =
            app.post_json("/api/boxoffice/organizations", "", &json!({ "code": ORG, "name": "Shape club" })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let boxoffice = app.admin_token_for(ORG).await;
        let organizer = app.organizer("shape@example.org").await;
        inject(app, &organizer, &["SHAPE1"], "EVSHAPE", "fan@example.org").await;
        let spectator = sign_in(app, "fan@example.org").await;
        Callers { boxoffice, organizer, spectator }
    }

    /// `request` carrying the credential of `operation` (none for public ones).
    fn authorize(&self, request: reqwest::RequestBuilder, path: &str, operation: &Value) -> reqwest::RequestBuilder {
        let schemes = operation["security"].to_string();
        if schemes.contains("boxofficeToken") {
            request.bearer_auth(&self.boxoffice)
        } else if schemes.contains("spectatorSession") || path.starts_with("/api/spectator/") {
            request.bearer_auth(&self.spectator.token).header("X-CSRF-Token", &self.spectator.csrf)
        } else if schemes.contains("apiKey") {
            request.header("X-Api-Key", &self.organizer)
        } else {
            request
        }
    }
}

/// `path` with the organization of the test and unknown ids in its parameters.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(match &rest[open + 1..close] {
            "org" => ORG,
            "action" => "accept",
            _ => UNKNOWN,
        });
        rest = &rest[close + 1..];
    }
    out + rest
}

/// Holds one refusal to the schema `document` declares for its status on `method path`.
fn conforms(document: &Value, path: &str, method: &str, what: &str, status: StatusCode, body: &Value) {
    assert!(status.is_client_error(), "{what} {method} {path}: {status} is not a refusal: {body}");
    let schema = documented(document, path, method, status.as_u16())
        .unwrap_or_else(|| panic!("{what} {method} {path}: {status} is not documented for it: {body}"));
    check(document, &schema, body).unwrap_or_else(|err| panic!("{what} {method} {path} ({status}): {err}"));
    in_our_words(body, &format!("{what} {method} {path}"));
}

/// No serde or framework wording in a refusal.
fn in_our_words(body: &Value, what: &str) {
    let text = body.to_string();
    for words in ["expected usize", "expected i64", "invalid type:", "Failed to", "at line", "Json"] {
        assert!(!text.contains(words), "{what}: {words:?} in {text}");
    }
    assert!(!body["error"].as_str().unwrap_or_default().is_empty(), "{what}: no message in {text}");
}

async fn answer(response: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

fn method_of(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).unwrap()
}

on_both_databases! {
    async fn every_operation_refuses_a_malformed_body_an_unknown_id_and_a_wrong_method_in_the_documented_shape(app: TestApp) {
        let callers = Callers::new(&app).await;
        let document: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let mut walked = 0;
        for (path, item) in document["paths"].as_object().unwrap() {
            let methods: Vec<&String> = item.as_object().unwrap().keys().filter(|m| *m != "parameters").collect();
            for method in &methods {
                let operation = &item[method.as_str()];
                if operation.get("requestBody").is_some() {
                    let request = app.client.request(method_of(method), app.url(&concrete(path)));
                    let request = callers.authorize(request, path, operation);
                    let response = request.header("content-type", "application/json").body("{\"broken\": ").send().await.unwrap();
                    let (status, _, body) = answer(response).await;
                    conforms(&document, path, method, "malformed body", status, &body);
                    walked += 1;
                }
                if path.replace("{org}", ORG).contains('{') {
                    let request = app.client.request(method_of(method), app.url(&concrete(path)));
                    let request = callers.authorize(request, path, operation);
                    let request = if operation.get("requestBody").is_some() { request.json(&json!({})) } else { request };
                    let (status, _, body) = answer(request.send().await.unwrap()).await;
                    assert!(
                        [StatusCode::NOT_FOUND, StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                        "unknown id {method} {path}: {status} {body}"
                    );
                    conforms(&document, path, method, "unknown id", status, &body);
                    walked += 1;
                }
            }
            let wrong = ["patch", "delete", "put", "post", "get"].into_iter().find(|m| !methods.iter().any(|k| k == m)).unwrap();
            let request = app.client.request(method_of(wrong), app.url(&concrete(path)));
            let request = callers.authorize(request, path, &item[methods[0].as_str()]);
            let (status, headers, body) = answer(request.send().await.unwrap()).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{wrong} {path}: {body}");
            let allow = headers.get("allow").and_then(|a| a.to_str().ok()).unwrap_or_default().to_owned();
            for method in &methods {
                assert!(allow.contains(&method.to_uppercase()), "{wrong} {path}: Allow {allow:?} lacks {method}");
            }
            check(&document, &component_response(&document, "MethodNotAllowed"), &body).unwrap_or_else(|err| panic!("{wrong} {path}: {err}"));
            assert_eq!(body["field"], "method", "{body}");
            in_our_words(&body, &format!("{wrong} {path}"));
            walked += 1;
        }
        assert!(walked > 150, "only {walked} refusals walked");
    }

    async fn a_body_with_several_bad_fields_is_refused_naming_every_one_and_writes_nothing(app: TestApp) {
        let _callers = Callers::new(&app).await;
        let products = format!("/api/boxoffice/organizations/{ORG}/products");
        let bad = json!({ "code": "no spaces allowed", "name": "", "kind": "CONCERT", "family": "" });
        let (status, body) = app.post_json(&products, "", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["code", "name", "kind", "family"], "{body}");
        assert!(body["errors"].as_array().unwrap().iter().all(|e| !e["rule"].as_str().unwrap().is_empty()), "{body}");
        assert_eq!(body["field"], "code");
        let good = json!({ "code": "no-spaces", "name": "Match", "kind": "MATCH", "family": "FOOTBALL" });
        let (status, body) = app.post_json(&products, "", &good).await;
        assert_eq!(status, StatusCode::CREATED, "the refused product wrote nothing: {body}");

        let performances = format!("{products}/no-spaces/performances");
        let bad = json!({
            "code": "", "start": "tomorrow", "durationMinutes": 0, "capacity": 0,
            "site": { "name": "", "address": { "zip": "x".repeat(21) } }
        });
        let (status, body) = app.post_json(&performances, "", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["code", "start", "durationMinutes", "site.name", "site.address.zip", "capacity"], "{body}");

        let files = format!("/api/boxoffice/organizations/{ORG}/files");
        let ticket = |product: &str| json!({ "productCode": product, "shipmentModeCode": "NOPE", "priceCents": 100 });
        let bad = json!({ "contactId": 987654321, "salesChannelCode": "NOPE", "tickets": [ticket("GHOST"), ticket("no-spaces")] });
        let (status, body) = app.post_json(&files, "", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for field in ["contactId", "salesChannelCode", "tickets[0].productCode", "tickets[0].shipmentModeCode", "tickets[1].performanceCode", "tickets[1].shipmentModeCode"] {
            assert!(fields.contains(&field), "{field} not reported: {body}");
        }

        let interface = format!("/api/boxoffice/organizations/{ORG}/interface");
        let bad = json!({ "name": "", "type": "TIXNGO", "url": app.url(TICKETS), "login": "nobody", "notificationEmails": "ops@club.org, oops" });
        let (status, body) = app.post_json(&interface, "", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["name", "login", "password", "notificationEmails"], "{body}");
        let (status, _) = app.get_json(&interface, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the refused interface was not created");
    }

    async fn refusals_no_handler_writes_come_in_the_same_shape_in_the_api_s_words(app: TestApp) {
        let callers = Callers::new(&app).await;
        let document = tixbridge_server::openapi::document();
        let error = json!({ "$ref": "#/components/schemas/Error" });

        let (status, _, body) = answer(app.client.get(app.url("/api/no/such/route")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        check(&document, &error, &body).unwrap();
        assert!(body["error"].as_str().unwrap().contains("/api/no/such/route"), "{body}");

        let (status, headers, body) = answer(app.client.delete(app.url(TICKETS)).header("X-Api-Key", &callers.organizer).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers["allow"], "POST");
        check(&document, &error, &body).unwrap();

        let products = format!("/api/boxoffice/organizations/{ORG}/products");
        let response = app.client.post(app.url(&products)).bearer_auth(&callers.boxoffice).header("content-type", "text/plain").body("code=X").send().await.unwrap();
        let (status, _, body) = answer(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body["errors"][0]["field"], "Content-Type", "{body}");
        check(&document, &error, &body).unwrap();

        let response = app.client.post(app.url(&products)).bearer_auth(&callers.boxoffice).json(&json!({ "code": "X", "name": 7, "kind": "MATCH", "family": "F" })).send().await.unwrap();
        let (status, _, body) = answer(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!((body["field"].as_str(), body["errors"][0]["rule"].as_str()), (Some("name"), Some("must be text (got the number 7)")), "{body}");
        in_our_words(&body, "a number for a text");

        let tickets = format!("/api/boxoffice/organizations/{ORG}/tickets");
        let (status, _, body) = answer(app.client.get(app.url(&format!("{tickets}?limit=ten"))).bearer_auth(&callers.boxoffice).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!((body["field"].as_str(), body["errors"][0]["rule"].as_str()), (Some("limit"), Some("must be a whole number from 1 to 1000")), "{body}");
        let (status, _, body) = answer(app.client.get(app.url(&format!("{tickets}/abc"))).bearer_auth(&callers.boxoffice).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        check(&document, &error, &body).unwrap();
        in_our_words(&body, "a word for a ticket id");
        assert!(body["errors"][0]["rule"].as_str().unwrap().contains("whole number"), "{body}");

        let limit = tixbridge_web::MAX_BODY_BYTES;
        let (status, headers, body) =
            post_oversized(app.app.addr, TICKETS, &[("X-Api-Key", &callers.organizer)], "application/json", limit + 1).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{headers:?} {body}");
        assert_eq!(body["errors"][0]["field"], "body", "{body}");
        check(&document, &error, &body).unwrap();
    }

    async fn a_spectator_page_refuses_with_a_page_not_with_json(app: TestApp) {
        let callers = Callers::new(&app).await;
        let cookie = format!("tb_session={}", callers.spectator.token);
        let response = app.client.get(app.url(&format!("/wallet/tickets/{UNKNOWN}"))).header("cookie", cookie).send().await.unwrap();
        let status = response.status();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(content_type.starts_with("text/html"), "{content_type}");
    }
}
