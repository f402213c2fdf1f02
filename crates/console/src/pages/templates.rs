//! The ticket template editor: list, create, edit, delete, and a preview rendering the
//! template (or the draft being edited) against a chosen ticket, the wallet JSON side by side
//! with the untemplated one, errors pointing at their line.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{Problem, org_path, results};
use crate::session::{Operator, Posted};

const EXAMPLE: &str = "{\n  \"eventName\": \"${Product_name} — ${SeatCategory_name}\"\n}";

fn path(operator: &Operator, rest: &str) -> String {
    org_path(&operator.organization, &format!("/templates{rest}"))
}

/// `GET /console/templates`.
pub async fn list(State(console): State<Console>, operator: Operator) -> Response {
    let reply = console.get(&operator.who, &path(&operator, "")).await;
    if !reply.ok() {
        return console.problem(Some(&operator), &reply);
    }
    let values = json!({ "templates": results(&reply.body, "templates") });
    console.render("templates.html", &operator, context! { title => "Ticket templates", ..ctx(&values) })
}

fn editor(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    template: Value,
    preview: Value,
    problem: Option<Problem>,
) -> Response {
    let pretty = |value: &Value| {
        if value.is_null() { String::new() } else { serde_json::to_string_pretty(value).unwrap_or_default() }
    };
    let shown = if preview.is_null() {
        Value::Null
    } else {
        json!({
            "untemplated": pretty(&preview["untemplated"]),
            "templated": pretty(&preview["templated"]),
            "changes": preview["changes"],
            "walletCheck": preview["walletCheck"],
        })
    };
    let title = if template["id"].is_null() {
        "New template".to_owned()
    } else {
        format!("Template {}", template["name"].as_str().unwrap_or_default())
    };
    let values = json!({ "template": template, "preview": shown, "problem": problem });
    console.render_status(status, "template.html", operator, context! { title => title, ..ctx(&values) })
}

/// `GET /console/templates/new`.
pub async fn new_form(State(console): State<Console>, operator: Operator) -> Response {
    let template = json!({ "name": "", "source": EXAMPLE });
    editor(&console, &operator, StatusCode::OK, template, Value::Null, None)
}

/// `POST /console/templates`: saves a new template.
pub async fn create(State(console): State<Console>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let body = json!({ "name": fields.text("name"), "source": fields.text("source") });
    let reply = console.call(&operator.who, Method::POST, &path(&operator, ""), Some(body.clone())).await;
    match reply.body["id"].as_i64() {
        Some(id) if reply.ok() => Redirect::to(&format!("/console/templates/{id}")).into_response(),
        _ if reply.status == StatusCode::FORBIDDEN => console.problem(Some(&operator), &reply),
        _ => editor(&console, &operator, reply.status, body, Value::Null, Some(Problem::of(&reply))),
    }
}

/// `GET /console/templates/{id}`.
pub async fn show(State(console): State<Console>, operator: Operator, Path(id): Path<i64>) -> Response {
    let reply = console.get(&operator.who, &path(&operator, &format!("/{id}"))).await;
    if !reply.ok() {
        return console.problem(Some(&operator), &reply);
    }
    editor(&console, &operator, StatusCode::OK, reply.body, Value::Null, None)
}

/// `POST /console/templates/{id}`: saves the template.
pub async fn save(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let body = json!({ "name": fields.text("name"), "source": fields.text("source") });
    let reply = console.call(&operator.who, Method::PUT, &path(&operator, &format!("/{id}")), Some(body.clone())).await;
    if reply.ok() {
        return Redirect::to(&format!("/console/templates/{id}?saved=1")).into_response();
    }
    if matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        return console.problem(Some(&operator), &reply);
    }
    let mut template = body;
    template["id"] = json!(id);
    editor(&console, &operator, reply.status, template, Value::Null, Some(Problem::of(&reply)))
}

/// `POST /console/templates/{id}/delete`.
pub async fn delete(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let operator = posted.operator;
    let reply = console.call(&operator.who, Method::DELETE, &path(&operator, &format!("/{id}")), None).await;
    if reply.ok() {
        return Redirect::to("/console/templates").into_response();
    }
    console.problem(Some(&operator), &reply)
}

/// `POST /console/templates/{id}/preview`: renders the draft in the editor against a ticket;
/// nothing saved.
pub async fn preview(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let template = json!({ "id": id, "name": fields.text("name"), "source": fields.text("source"), "ticketId": fields.text("ticketId") });
    let ticket: Option<i64> = fields.text("ticketId").trim().parse().ok();
    let Some(ticket) = ticket else {
        let problem = Problem {
            message: "ticketId: a box-office ticket number is required".into(),
            field: Some("ticketId".into()),
        };
        return editor(&console, &operator, StatusCode::UNPROCESSABLE_ENTITY, template, Value::Null, Some(problem));
    };
    let body = json!({ "ticketId": ticket, "source": fields.text("source") });
    let reply =
        console.call(&operator.who, Method::POST, &path(&operator, &format!("/{id}/preview")), Some(body)).await;
    if reply.ok() {
        return editor(&console, &operator, StatusCode::OK, template, reply.body, None);
    }
    if reply.status == StatusCode::FORBIDDEN || (reply.status == StatusCode::NOT_FOUND && reply.body["field"].is_null())
    {
        return console.problem(Some(&operator), &reply);
    }
    editor(&console, &operator, reply.status, template, Value::Null, Some(Problem::of(&reply)))
}
