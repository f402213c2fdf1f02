//! A run's page: its result, counts, the reason it failed in plain words, its per-ticket lines
//! (filtered by accepted, rejected, skipped; searched by ticket), the dumped calls when kept
//! (admins), a retry button, and while it runs its counts moving.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::session::{Operator, Posted};

#[derive(serde::Deserialize, Default)]
pub struct LineQuery {
    show: Option<String>,
    ticket: Option<String>,
}

/// Which of accepted, rejected, skipped a log line tells (`note` for the others).
fn class_of(message: &str) -> &'static str {
    let lower = message.to_lowercase();
    if lower.starts_with("skipped") || lower.contains(" skipped") {
        "skipped"
    } else if lower.contains("rejected") || lower.starts_with("not sent") || lower.contains("refuse") {
        "rejected"
    } else {
        "note"
    }
}

/// The run's lines, each with its class: the wallet's acceptances, then the log.
fn lines_of(run: &Value) -> Vec<Value> {
    let accepted = run["accepted"].as_array().cloned().unwrap_or_default().into_iter().map(|ticket| {
        json!({ "ticket": ticket, "ticketId": ticket, "message": "accepted by the wallet", "class": "accepted" })
    });
    let logged = run["log"].as_array().cloned().unwrap_or_default().into_iter().map(|line| {
        let message = line["message"].as_str().unwrap_or_default().to_owned();
        json!({ "ticket": line["ticket"], "message": message, "class": class_of(&message) })
    });
    accepted.chain(logged).collect()
}

/// `GET /console/runs/{id}`.
pub async fn show(
    State(console): State<Console>,
    operator: Operator,
    Path(id): Path<i64>,
    Query(query): Query<LineQuery>,
) -> Response {
    let reply = console.get(&operator.who, &format!("/api/boxoffice/runs/{id}")).await;
    if !reply.ok() {
        return console.problem(Some(&operator), &reply);
    }
    let run = super::functions::with_duration(&reply.body);
    let function_id = run["functionId"].as_i64().unwrap_or_default();
    let function = console.get(&operator.who, &format!("/api/boxoffice/functions/{function_id}")).await;
    let all = lines_of(&run);
    let show = query.show.filter(|s| ["accepted", "rejected", "skipped", "note"].contains(&s.as_str()));
    let ticket = query.ticket.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let lines: Vec<&Value> = all
        .iter()
        .filter(|line| show.as_deref().is_none_or(|class| line["class"] == class))
        .filter(|line| {
            ticket.as_deref().is_none_or(|wanted| {
                let text = match &line["ticket"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text.contains(wanted)
            })
        })
        .collect();
    let values = json!({
        "run": run,
        "function": function.body,
        "lines": lines,
        "total": all.len(),
        "show": show,
        "ticket": ticket,
        "running": run["result"] == "RUNNING",
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
