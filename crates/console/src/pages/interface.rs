//! *Organization › Tools › Interfaces*: the interface's configuration. The password is
//! write-only (shown as set or not set); the custom parameters are one field each, with their
//! meaning and default, joined into the API's `key=value` lines.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{Problem, org_path};
use crate::session::{Operator, Posted};

/// Each custom parameter: key, what it applies to, default, meaning (docs/interface.md#custom-parameters).
pub const PARAMETERS: &[(&str, &str, &str, &str)] = &[
    ("stickToTheHour", "automatic functions", "true", "align automatic runs on the clock"),
    ("ticketIterationSize", "injection, pushes, privileges", "500", "tickets per wallet call (1–10,000)"),
    (
        "killRatio",
        "injection, pushes, privileges, feedback",
        "0.5",
        "stop a run once this share of its tickets is rejected (0–1)",
    ),
    ("doContinueInCaseOfSyncError", "feedback", "true", "pass a feed entry that cannot be applied"),
    (
        "maxLengthDumpedCallsInKbs",
        "all",
        "unset",
        "keep the wallet calls' bodies in the run's dump, up to this many KB",
    ),
    ("enforceMandatoryParameters", "injection", "true", "check each payload against the wallet's rules before sending"),
    (
        "dumpTnPRvariables",
        "injection",
        "false",
        "write each ticket's template variables and payload to a file after a run",
    ),
    ("dumpDataModifiedByTemplate", "injection", "false", "log each field a ticket template changed"),
    (
        "overlaySpectatorDetailsWithLastOwner",
        "injection",
        "true",
        "send a reprint to the replaced ticket's last wallet owner",
    ),
    (
        "resetInjectionInvalidationReasons",
        "injection",
        "empty",
        "reasons (comma-separated) whose reprints go to the box-office holder",
    ),
    ("sendMultilingualAsJsonObject", "injection", "false", "send texts as {\"en\": …} objects"),
    (
        "overrideVisibilityFlagForInvalidationReasons",
        "push cancelled",
        "empty",
        "reasons (comma-separated) whose deleted tickets stay visible",
    ),
    ("visibilityFlagDefaultValue", "push cancelled", "false", "visibility of other deleted tickets"),
    ("enableTicketDistributionToCulturalContact", "feedback", "true", "mirror ownership changes on contacts"),
];

/// `key=value` lines as a map (unknown keys kept, so nothing typed is lost).
fn parse_lines(text: &str) -> serde_json::Map<String, Value> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), Value::String(value.trim().to_owned())))
        .collect()
}

fn parameter_rows(values: &serde_json::Map<String, Value>, problem: Option<&Problem>) -> Vec<Value> {
    PARAMETERS
        .iter()
        .map(|(key, applies, default, meaning)| {
            let error = problem
                .filter(|p| p.field.as_deref() == Some("customParameters") && p.message.contains(key))
                .map(|p| p.message.clone());
            json!({ "key": key, "applies": applies, "default": default, "meaning": meaning,
                    "value": values.get(*key).cloned().unwrap_or(Value::Null), "error": error })
        })
        .collect()
}

fn page(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    stored: &Value,
    form: Value,
    problem: Option<Problem>,
) -> Response {
    let params = parameter_rows(&parse_lines(form["customParameters"].as_str().unwrap_or_default()), problem.as_ref());
    let values = json!({ "stored": stored, "form": form, "params": params, "problem": problem });
    console.render_status(status, "interface.html", operator, context! { title => "Interface", ..ctx(&values) })
}

/// `GET /console/interface`.
pub async fn show(State(console): State<Console>, operator: Operator) -> Response {
    let reply = console.get(&operator.who, &org_path(&operator.organization, "/interface")).await;
    if !reply.ok() && reply.status != StatusCode::NOT_FOUND {
        return console.problem(Some(&operator), &reply);
    }
    let stored = if reply.ok() { reply.body } else { Value::Null };
    let form = if stored.is_null() { json!({ "type": "TIXNGO" }) } else { stored.clone() };
    page(&console, &operator, StatusCode::OK, &stored, form, None)
}

/// `POST /console/interface`: creates the interface, or changes it.
pub async fn save(State(console): State<Console>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let path = org_path(&operator.organization, "/interface");
    let current = console.get(&operator.who, &path).await;
    let mut lines: Vec<String> = PARAMETERS
        .iter()
        .filter_map(|(key, ..)| fields.optional(&format!("param.{key}")).map(|value| format!("{key}={value}")))
        .collect();
    // keys the form does not show (TIXNGO_LIFECYCLE_MODE) are kept as they were
    if current.ok() {
        let known: Vec<&str> = PARAMETERS.iter().map(|(key, ..)| *key).collect();
        for (key, value) in parse_lines(current.body["customParameters"].as_str().unwrap_or_default()) {
            if !known.contains(&key.as_str()) {
                lines.push(format!("{key}={}", value.as_str().unwrap_or_default()));
            }
        }
    }
    let mut body = json!({
        "name": fields.text("name").trim(),
        "type": fields.text("type"),
        "url": fields.text("url").trim(),
        "login": fields.text("login").trim(),
        "notificationEmails": fields.text("notificationEmails").trim(),
        "customParameters": lines.join("\n"),
    });
    if let Some(password) = Some(fields.text("password")).filter(|p| !p.is_empty()) {
        body["password"] = json!(password);
    }
    let method = if current.ok() { Method::PUT } else { Method::POST };
    let reply = console.call(&operator.who, method, &path, Some(body.clone())).await;
    if reply.ok() {
        return Redirect::to("/console/interface?saved=1").into_response();
    }
    if reply.status == StatusCode::FORBIDDEN || reply.status == StatusCode::NOT_FOUND {
        return console.problem(Some(&operator), &reply);
    }
    let stored = if current.ok() { current.body } else { Value::Null };
    page(&console, &operator, reply.status, &stored, body, Some(Problem::of(&reply)))
}
