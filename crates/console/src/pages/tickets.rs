//! Tickets: search by file number, barcode, tax number or contact e-mail; a ticket's page with
//! its box-office status and history, the wallet mirror, and the operations the role allows.

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{Problem, org_path, results, segment};
use crate::session::{Operator, Posted};

/// The search fields, as the API names them.
const SEARCH: [&str; 4] = ["barcode", "fileNumber", "taxNumber", "email"];

/// `GET /console/tickets?barcode=…`: the tickets matching every field given.
pub async fn search(
    State(console): State<Console>,
    operator: Operator,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let given: Vec<(&str, String)> = SEARCH
        .iter()
        .filter_map(|key| query.get(*key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).map(|v| (*key, v)))
        .collect();
    let mut found = Value::Null;
    if !given.is_empty() {
        let terms: Vec<String> = given.iter().map(|(key, value)| format!("{key}={}", segment(value))).collect();
        let reply = console
            .get(&operator.who, &org_path(&operator.organization, &format!("/tickets?limit=100&{}", terms.join("&"))))
            .await;
        if !reply.ok() {
            return console.problem(Some(&operator), &reply);
        }
        found = json!(results(&reply.body, "tickets"));
    }
    let values = json!({ "query": query, "found": found });
    console.render("tickets.html", &operator, context! { title => "Tickets", ..ctx(&values) })
}

fn ticket_path(operator: &Operator, id: i64, rest: &str) -> String {
    org_path(&operator.organization, &format!("/tickets/{id}{rest}"))
}

/// `GET /console/tickets/{id}`.
pub async fn show(State(console): State<Console>, operator: Operator, Path(id): Path<i64>) -> Response {
    let reply = console.get(&operator.who, &ticket_path(&operator, id, "")).await;
    if !reply.ok() {
        return console.problem(Some(&operator), &reply);
    }
    page(&console, &operator, StatusCode::OK, reply.body, None)
}

fn page(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    ticket: Value,
    problem: Option<Problem>,
) -> Response {
    let values = json!({ "ticket": ticket, "problem": problem });
    let title = format!("Ticket {}", values["ticket"]["id"]);
    console.render_status(status, "ticket.html", operator, context! { title => title, ..ctx(&values) })
}

/// `POST /console/tickets/{id}/{cancel|reprint|control}`.
pub async fn operate(
    State(console): State<Console>,
    Path((id, operation)): Path<(i64, String)>,
    posted: Posted,
) -> Response {
    let Posted { operator, fields } = posted;
    let body = match operation.as_str() {
        "cancel" => Some(json!({ "reason": fields.text("reason").trim() })),
        "reprint" | "control" => None,
        _ => return (StatusCode::NOT_FOUND, "no such operation").into_response(),
    };
    let reply =
        console.call(&operator.who, Method::POST, &ticket_path(&operator, id, &format!("/{operation}")), body).await;
    if reply.ok() {
        return Redirect::to(&format!("/console/tickets/{id}")).into_response();
    }
    if matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        return console.problem(Some(&operator), &reply);
    }
    let current = console.get(&operator.who, &ticket_path(&operator, id, "")).await;
    page(&console, &operator, reply.status, current.body, Some(Problem::of(&reply)))
}
