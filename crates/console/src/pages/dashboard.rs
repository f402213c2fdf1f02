//! The dashboard: each function of the organization's interface with its launch, next run,
//! last run's result (a colour and its word), last successful run, the tickets its next run
//! would select, and whether the wallet answers (a probe the API bounds in time).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{org_path, results};
use crate::session::Operator;

/// `GET /console/`.
pub async fn show(State(console): State<Console>, operator: Operator) -> Response {
    let who = &operator.who;
    let interface = console.get(who, &org_path(&operator.organization, "/interface")).await;
    if !interface.ok() && interface.status != StatusCode::NOT_FOUND {
        return console.problem(Some(&operator), &interface);
    }
    let mut rows = Vec::new();
    let mut wallet = Value::Null;
    if interface.ok() {
        let listed = console.get(who, &org_path(&operator.organization, "/interface/functions")).await;
        if !listed.ok() {
            return console.problem(Some(&operator), &listed);
        }
        for function in results(&listed.body, "functions") {
            let id = function["id"].as_i64().unwrap_or_default();
            let runs = console.get(who, &format!("/api/boxoffice/functions/{id}/runs?limit=1")).await;
            let last = results(&runs.body, "runs").first().map_or(Value::Null, super::functions::with_duration);
            // what the next run would select, counted (not read) by the API
            let waiting = console.get(who, &format!("/api/boxoffice/functions/{id}/waiting")).await;
            let waiting = if waiting.ok() { waiting.body["waiting"].clone() } else { json!("unknown") };
            rows.push(json!({ "function": function, "last": last, "waiting": waiting }));
        }
        let check = console.get(who, &org_path(&operator.organization, "/interface/wallet-check")).await;
        wallet = if check.ok() {
            check.body
        } else {
            json!({ "reachable": false, "reason": crate::api::Problem::of(&check).message })
        };
    }
    let values = json!({ "interface": interface.ok().then_some(&interface.body), "rows": rows, "wallet": wallet });
    console.render("dashboard.html", &operator, context! { title => "Dashboard", ..ctx(&values) })
}
