//! A run's page: its result (a cancelled run reads "Cancelled", by whom and when), counts, the
//! reason it failed in plain words, its per-ticket lines a page at a time (filtered by
//! accepted, rejected, skipped, note; searched by ticket id or barcode), the dumped calls when
//! kept (admins), a retry button on a failed run, and while it runs its counts moving.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use super::run_lines::{Lines, LinesAsked};
use crate::Console;
use crate::session::{Operator, Posted};

/// The counts every run has (docs/interface.md#runs).
const COUNTS: [&str; 6] = ["selected", "sent", "accepted", "rejected", "skipped", "written"];

/// `GET /console/runs/{id}?show=…&ticket=…&part=…&cursor=…`.
pub async fn show(
    State(console): State<Console>,
    operator: Operator,
    Path(id): Path<i64>,
    Query(asked): Query<LinesAsked>,
) -> Response {
    let reply = console.get(&operator.who, &format!("/api/boxoffice/runs/{id}")).await;
    if !reply.ok() {
        return console.problem(Some(&operator), &reply);
    }
    let mut run = super::functions::with_duration(&reply.body);
    // every count has its cell from the start, so the live view has a cell to move
    if !run["counts"].is_object() {
        run["counts"] = json!({});
    }
    if let Some(counts) = run["counts"].as_object_mut() {
        for key in COUNTS {
            counts.entry(key).or_insert(json!(0));
        }
    }
    let function_id = run["functionId"].as_i64().unwrap_or_default();
    let function = console.get(&operator.who, &format!("/api/boxoffice/functions/{function_id}")).await;
    let lines = match Lines::read(&console, &operator, id, asked).await {
        Ok(lines) => lines,
        Err(refused) => return console.problem(Some(&operator), &refused),
    };
    let running = run["result"] == "RUNNING";
    let values = json!({
        "run": run,
        "function": function.body,
        "lines": lines,
        "running": running,
        // a run that has ended and failed may be started again
        "retry": run["result"] == "ERROR",
        // admins read the dump: the API gives it to them only
        "dump_shown": run.get("dump").is_some(),
    });
    console.render("run.html", &operator, context! { title => format!("Run {id}"), ..ctx(&values) })
}

/// `GET /console/runs/{id}/progress`: the run's result and counts, for the page's live view.
pub async fn progress(State(console): State<Console>, operator: Operator, Path(id): Path<i64>) -> Response {
    let reply = console.get(&operator.who, &format!("/api/boxoffice/runs/{id}")).await;
    if !reply.ok() {
        return (reply.status, Json(json!({ "error": crate::api::Problem::of(&reply).message }))).into_response();
    }
    let run = &reply.body;
    Json(json!({ "result": run["result"], "counts": run["counts"], "cause": run["cause"] })).into_response()
}

/// `POST /console/runs/{id}/cancel`: asks the running run to stop (`POST /api/boxoffice/runs/{id}/cancel`).
pub async fn cancel(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let operator = posted.operator;
    let reply = console.call(&operator.who, Method::POST, &format!("/api/boxoffice/runs/{id}/cancel"), None).await;
    if reply.ok() || reply.status == axum::http::StatusCode::CONFLICT {
        // a run that ended meanwhile is shown as it ended
        return Redirect::to(&format!("/console/runs/{id}")).into_response();
    }
    console.problem(Some(&operator), &reply)
}

/// A run as the pages show it: with `cancelled` when an operator's cancel stopped it. The run
/// keeps its result `ERROR` (the results are `OK`, `WARNING`, `ERROR`, docs/interface.md#runs);
/// the pages read it "Cancelled" (docs/console.md).
pub fn with_cancelled(mut run: Value) -> Value {
    let cause = run["cause"].as_str().unwrap_or_default();
    let cancelled =
        run["result"] == "ERROR" && run["cancelRequestedBy"].is_string() && cause.starts_with("cancelled by");
    run["cancelled"] = json!(cancelled);
    run
}
