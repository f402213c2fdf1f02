//! Functions: a form per kind with exactly that kind's fields, a function's page with its run
//! history, **Run now** and **Simulate**.

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{Problem, org_path, results};
use crate::fields::Fields;
use crate::session::{Operator, Posted};

/// How a setting is entered.
#[derive(Clone, Copy)]
enum Input {
    Number,
    Text,
    /// Comma-separated codes, sent as a list.
    List,
    Tick,
}

type Setting = (&'static str, Input, &'static str);

/// Each kind's settings (docs/interface.md#functions): name, input, help.
fn settings_of(kind: &str) -> &'static [Setting] {
    use Input::*;
    const BATCH: Setting = ("batchSize", Number, "required: the most tickets one run selects (1 to 10,000,000)");
    match kind {
        "INJECTION" => &[
            BATCH,
            ("pointOfSale", Text, "required: salesChannelCode;posCode — printing is done as that point of sale"),
            ("salesChannels", List, "codes, comma-separated"),
            ("seasons", List, "codes, comma-separated"),
            ("productFamilies", List, "codes, comma-separated"),
            ("products", List, "codes, comma-separated"),
            ("performances", List, "codes, comma-separated"),
            ("tariffs", List, "codes, comma-separated"),
            ("seatCategories", List, "codes, comma-separated"),
            ("contingents", List, "codes, comma-separated"),
            ("fileNumber", Text, "one order only; excludes every other filter"),
            ("barcodePrefix", Text, "added before the barcode"),
            ("barcodePostfix", Text, "added after the barcode"),
            (
                "mandatoryHolderFields",
                List,
                "among FIRSTNAME, LASTNAME, BIRTHDATE, ID_NUMBER, COUNTRY_CODE, BIRTH_REGION, BIRTH_PLACE",
            ),
            ("mainApplicant", Tick, "send mainApplicant when the holder's names and e-mail are filled"),
            ("forceTickets", Text, "id:123 or tax numbers, comma-separated: sent again at every run"),
            ("skipTickets", Text, "id:123 or tax numbers, comma-separated: never sent"),
            ("templateId", Number, "a ticket template (interface of type TIXNGO_WITH_TEMPLATE)"),
            ("simulation", Tick, "every run only simulates: nothing sent, nothing printed"),
        ],
        "FEEDBACK" => &[BATCH, ("skipTaxNumbers", Text, "tax numbers, comma-separated")],
        "PUSH_CANCELLED" | "PUSH_CONTROLLED" => &[
            BATCH,
            ("shipmentModes", List, "required: shipment mode codes, comma-separated"),
            ("dateFrom", Text, "DD/MM/YY hh:mm: a one-off recovery from that date"),
            ("forceTaxNumbers", Text, "tax numbers, comma-separated"),
            ("skipTaxNumbers", Text, "tax numbers, comma-separated"),
            ("notifySpectator", Tick, "tell the spectator"),
        ],
        "PRIVILEGES" => {
            &[BATCH, ("products", List, "codes, comma-separated"), ("simulation", Tick, "every run only simulates")]
        }
        "RECONCILE" => &[
            ("event", Text, "a wallet event (P12…); empty: every ticket"),
            ("repair", Tick, "send what the functions would have sent"),
        ],
        _ => &[],
    }
}

/// The kinds, in the order offered.
const KINDS: [&str; 6] = ["INJECTION", "FEEDBACK", "PUSH_CANCELLED", "PUSH_CONTROLLED", "PRIVILEGES", "RECONCILE"];

fn setting_rows(kind: &str, settings: &Value) -> Vec<Value> {
    settings_of(kind)
        .iter()
        .map(|(name, input, help)| {
            let (kind_of, value) = match input {
                Input::Number => ("number", settings[name].to_string().replace("null", "")),
                Input::Text => ("text", settings[name].as_str().unwrap_or_default().to_owned()),
                Input::List => (
                    "list",
                    settings[name]
                        .as_array()
                        .map(|codes| codes.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                ),
                Input::Tick => ("tick", if settings[name] == true { "true".into() } else { String::new() }),
            };
            json!({ "name": name, "input": kind_of, "help": help, "value": value })
        })
        .collect()
}

/// The API's function body from the form.
fn function_body(kind: &str, fields: &Fields) -> Value {
    let mut settings = serde_json::Map::new();
    for (name, input, _) in settings_of(kind) {
        let field = format!("s.{name}");
        let value = match input {
            Input::Tick => Some(json!(fields.ticked(&field))),
            Input::List => fields
                .optional(&field)
                .map(|text| json!(text.split(',').map(str::trim).filter(|code| !code.is_empty()).collect::<Vec<_>>())),
            Input::Number => fields.optional(&field).map(|text| text.parse::<i64>().map_or(json!(text), |n| json!(n))),
            Input::Text => fields.optional(&field).map(Value::String),
        };
        if let Some(value) = value {
            settings.insert((*name).to_owned(), value);
        }
    }
    let mut body = json!({
        "kind": kind,
        "name": fields.text("name").trim(),
        "launch": fields.text("launch"),
        "active": fields.ticked("active"),
        "settings": settings,
    });
    if let Some(minutes) = fields.optional("frequencyMinutes") {
        body["frequencyMinutes"] = minutes.parse::<i64>().map_or(json!(minutes), |n| json!(n));
    }
    for key in ["start", "end", "paginationKey"] {
        if let Some(value) = fields.optional(key) {
            body[key] = json!(value);
        }
    }
    body
}

#[derive(serde::Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

fn form_page(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    function: Value,
    problem: Option<Problem>,
) -> Response {
    let kind = function["kind"].as_str().unwrap_or("INJECTION").to_owned();
    let values = json!({
        "function": function,
        "kind": kind,
        "kinds": KINDS,
        "settings": setting_rows(&kind, &function["settings"]),
        "problem": problem,
    });
    console.render_status(status, "function_new.html", operator, context! { title => "New function", ..ctx(&values) })
}

/// `GET /console/functions/new?kind=…`: the form of one kind.
pub async fn new_form(State(console): State<Console>, operator: Operator, Query(query): Query<KindQuery>) -> Response {
    let kind = query.kind.filter(|k| KINDS.contains(&k.as_str())).unwrap_or_else(|| "INJECTION".into());
    let function = json!({ "kind": kind, "launch": "MANUAL", "active": true, "settings": { "batchSize": 1000 } });
    form_page(&console, &operator, StatusCode::OK, function, None)
}

/// `POST /console/functions`: creates a function.
pub async fn create(State(console): State<Console>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let kind = fields.text("kind").to_owned();
    let body = function_body(&kind, &fields);
    let path = org_path(&operator.organization, "/interface/functions");
    let reply = console.call(&operator.who, Method::POST, &path, Some(body.clone())).await;
    match reply.body["id"].as_i64() {
        Some(id) if reply.ok() => Redirect::to(&format!("/console/functions/{id}")).into_response(),
        _ if matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) && reply.body["field"].is_null() => {
            console.problem(Some(&operator), &reply)
        }
        _ => form_page(&console, &operator, reply.status, body, Some(Problem::of(&reply))),
    }
}

fn function_page(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    function: &Value,
    runs: Vec<Value>,
    problem: Option<Problem>,
) -> Response {
    let kind = function["kind"].as_str().unwrap_or_default();
    let runs: Vec<Value> = runs.into_iter().map(|run| with_duration(&run)).collect();
    let values = json!({
        "function": function,
        "settings": setting_rows(kind, &function["settings"]),
        "runs": runs,
        "simulates": matches!(kind, "INJECTION" | "PRIVILEGES"),
        "problem": problem,
    });
    let title = format!("Function {}", function["name"].as_str().unwrap_or_default());
    console.render_status(status, "function.html", operator, context! { title => title, ..ctx(&values) })
}

/// A run with its duration in words, when it has ended, and whether a cancel stopped it.
pub fn with_duration(run: &Value) -> Value {
    let at = |key: &str| run[key].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let mut run = run.clone();
    if let (Some(start), Some(end)) = (at("startedAt"), at("endedAt")) {
        let ms = (end - start).num_milliseconds().max(0);
        run["duration"] =
            json!(if ms < 10_000 { format!("{:.1} s", ms as f64 / 1000.0) } else { format!("{} s", ms / 1000) });
    }
    super::runs::with_cancelled(run)
}

/// `GET /console/functions/{id}`: the function, its settings and its runs.
pub async fn show(State(console): State<Console>, operator: Operator, Path(id): Path<i64>) -> Response {
    let function = console.get(&operator.who, &format!("/api/boxoffice/functions/{id}")).await;
    if !function.ok() {
        return console.problem(Some(&operator), &function);
    }
    let runs = console.get(&operator.who, &format!("/api/boxoffice/functions/{id}/runs")).await;
    function_page(&console, &operator, StatusCode::OK, &function.body, results(&runs.body, "runs"), None)
}

/// `POST /console/functions/{id}`: changes the function.
pub async fn update(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let path = format!("/api/boxoffice/functions/{id}");
    let current = console.get(&operator.who, &path).await;
    if !current.ok() {
        return console.problem(Some(&operator), &current);
    }
    let kind = current.body["kind"].as_str().unwrap_or_default().to_owned();
    let body = function_body(&kind, &fields);
    let reply = console.call(&operator.who, Method::PUT, &path, Some(body.clone())).await;
    if reply.ok() {
        return Redirect::to(&format!("/console/functions/{id}")).into_response();
    }
    if reply.status == StatusCode::FORBIDDEN {
        return console.problem(Some(&operator), &reply);
    }
    let runs = console.get(&operator.who, &format!("{path}/runs")).await;
    let mut shown = body;
    shown["id"] = json!(id);
    function_page(&console, &operator, reply.status, &shown, results(&runs.body, "runs"), Some(Problem::of(&reply)))
}

/// `POST /console/functions/{id}/run`: starts a run (a simulation with `simulate`) and shows it.
pub async fn run(State(console): State<Console>, Path(id): Path<i64>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let body = if fields.ticked("simulate") { json!({ "simulate": true }) } else { json!({}) };
    let path = format!("/api/boxoffice/functions/{id}/runs?wait=false");
    let reply = console.call(&operator.who, Method::POST, &path, Some(body)).await;
    match reply.body["runId"].as_i64() {
        Some(run) if reply.ok() => Redirect::to(&format!("/console/runs/{run}")).into_response(),
        _ => console.problem(Some(&operator), &reply),
    }
}
