//! Idempotent creates of the interface API (docs/boxoffice-api.md#idempotent-creates): the
//! interface, its functions, ticket templates and a run's start take an `Idempotency-Key`; the
//! same key and request answers the first answer and makes nothing more, the same key with
//! another request is refused naming the header — over real HTTP on both databases.

use crate::common::{self, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// POSTs `body` to `path` with `key`, as the admin of `org`: status, answer, replayed.
async fn post_keyed(app: &TestApp, org: &str, path: &str, key: &str, body: &Value) -> (StatusCode, Value, bool) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(app.admin_token_for(org).await)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    let (status, mut answer) = common::read(response).await;
    if let Some(location) = location {
        answer["(location)"] = json!(location);
    }
    (status, answer, replayed)
}

/// Sends `body` twice with one key, then another body with it: one thing made, the first
/// answer again, and a refusal naming the header. Returns the first answer.
async fn once_per_key(app: &TestApp, path: &str, key: &str, body: Value, other: Value, made: StatusCode) -> Value {
    let (status, first, replayed) = post_keyed(app, "FCI", path, key, &body).await;
    assert_eq!((status, replayed), (made, false), "{path}: {first}");
    let (status, again, replayed) = post_keyed(app, "FCI", path, key, &body).await;
    assert_eq!((status, replayed), (made, true), "{path}: {again}");
    assert_eq!(again, first, "{path}: the first answer, byte for byte");
    let (status, refused, _) = post_keyed(app, "FCI", path, key, &other).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")),
        "{path}: {refused}"
    );
    first
}

on_both_databases! {
    async fn the_interface_its_functions_templates_and_run_starts_are_made_once_per_idempotency_key(app: TestApp) {
        let seeded = app.seed_match("FCI", 2).await;
        let org = "/api/boxoffice/organizations/FCI";
        let interface = json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
            "login": "wallet@fci.example.org", "password": seeded.wallet_key });
        let mut renamed = interface.clone();
        renamed["name"] = json!("Other wallet");
        let made = once_per_key(&app, &format!("{org}/interface"), "itf-1", interface, renamed, StatusCode::CREATED).await;
        assert_eq!(app.bo_get(&format!("{org}/interface")).await["id"], made["id"]);

        let function = json!({ "kind": "INJECTION", "name": "inject", "settings": common::seed::injection_settings() });
        let other = json!({ "kind": "INJECTION", "name": "inject twice", "settings": common::seed::injection_settings() });
        let made = once_per_key(&app, &format!("{org}/interface/functions"), "fn-1", function, other, StatusCode::CREATED).await;
        let functions = app.all_pages(&format!("{org}/interface/functions"), "").await;
        assert_eq!(functions.iter().map(|f| &f["id"]).collect::<Vec<_>>(), [&made["id"]], "one function made");

        let template = json!({ "name": "Match", "fields": { "event.name": "${Performance_hostTeam}" } });
        let other = json!({ "name": "Match 2", "fields": { "event.name": "${Performance_hostTeam}" } });
        let made = once_per_key(&app, &format!("{org}/templates"), "tpl-1", template, other, StatusCode::CREATED).await;
        let templates = app.all_pages(&format!("{org}/templates"), "").await;
        assert_eq!(templates.iter().map(|t| &t["id"]).collect::<Vec<_>>(), [&made["id"]], "one template made");

        let function = functions[0]["id"].as_i64().unwrap();
        let runs = format!("/api/boxoffice/functions/{function}/runs");
        let (status, ran, replayed) = post_keyed(&app, "FCI", &runs, "run-1", &json!({})).await;
        assert_eq!((status, replayed, ran["counts"]["accepted"].as_i64()), (StatusCode::OK, false, Some(2)), "{ran}");
        let (status, again, replayed) = post_keyed(&app, "FCI", &runs, "run-1", &json!({})).await;
        assert_eq!((status, replayed, &again), (StatusCode::OK, true, &ran), "the first run's summary, no second run");
        assert_eq!(app.all_pages(&runs, "").await.len(), 1, "one run recorded");
        let (status, refused, _) = post_keyed(&app, "FCI", &format!("{runs}?wait=false"), "run-1", &json!({})).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")), "another request: {refused}");

        let (status, started, _) = post_keyed(&app, "FCI", &format!("{runs}?wait=false"), "run-2", &json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let (status, again, replayed) = post_keyed(&app, "FCI", &format!("{runs}?wait=false"), "run-2", &json!({})).await;
        assert_eq!((status, replayed, &again), (StatusCode::ACCEPTED, true, &started), "the same run and Location to poll");
        assert_eq!(started["(location)"], format!("/api/boxoffice/runs/{}", started["runId"]));
    }

    async fn an_idempotency_key_of_one_organization_does_not_answer_for_another(app: TestApp) {
        let first = app.seed_match("FCI", 0).await;
        let second = app.seed_match("FCJ", 0).await;
        for seeded in [&first, &second] {
            let path = format!("/api/boxoffice/organizations/{}/templates", seeded.org);
            let (status, made, replayed) = post_keyed(&app, &seeded.org, &path, "shared-key",
                &json!({ "name": "Match", "fields": { "event.name": "${Performance_hostTeam}" } })).await;
            assert_eq!((status, replayed), (StatusCode::CREATED, false), "{made}");
        }
    }
}
