//! Handlers of the interface API, named verb_noun.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tixbridge_web::{ApiError, JsonBody};

use super::Problem;
use crate::config::{self, InterfaceInput};
use crate::engine::{Engine, RunOptions};
use crate::functions::{self, FunctionInput};

type Answer = Result<(StatusCode, Json<Value>), Problem>;

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, Json(value)))
}

fn created(value: Value) -> Answer {
    Ok((StatusCode::CREATED, Json(value)))
}

pub async fn create_interface(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<InterfaceInput>,
) -> Answer {
    let interface = config::create_interface(&engine.db, &engine.key, &engine.wallet_hosts, &org, input).await?;
    created(interface.public_view())
}

pub async fn show_interface(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    ok(config::load_interface_of_org(&engine.db, &engine.key, &org).await?.public_view())
}

pub async fn update_interface(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<InterfaceInput>,
) -> Answer {
    ok(config::update_interface(&engine.db, &engine.key, &engine.wallet_hosts, &org, input).await?.public_view())
}

pub async fn create_function(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<FunctionInput>,
) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    created(functions::create_function(&engine.db, &interface, input).await?.view())
}

pub async fn list_functions(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let list = functions::list_functions(&engine.db, interface.id).await?;
    ok(json!({ "functions": list.iter().map(functions::FunctionDef::view).collect::<Vec<_>>() }))
}

pub async fn show_function(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    ok(functions::load_function(&engine.db, id).await?.view())
}

pub async fn update_function(
    State(engine): State<Engine>,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<FunctionInput>,
) -> Answer {
    let current = functions::load_function(&engine.db, id).await?;
    let interface = config::load_interface(&engine.db, &engine.key, current.interface_id).await?;
    ok(functions::update_function(&engine.db, &interface, id, input).await?.view())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunRequest {
    /// Process this file as if the wallet had returned it (feedback, pushes).
    file_to_upload: Option<String>,
}

pub async fn run_function(State(engine): State<Engine>, Path(id): Path<i64>, body: axum::body::Bytes) -> Answer {
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        tixbridge_web::parse_json::<Option<RunRequest>>(&body)?.unwrap_or_default()
    };
    // TODO(roles): `true` until roles exist; then: the caller's role is admin.
    let allow_file_upload = true;
    let options = RunOptions { file: request.file_to_upload, changed_since: None };
    let summary = engine.run_manual(id, options, allow_file_upload).await?;
    ok(serde_json::to_value(summary).unwrap_or_default())
}

pub async fn list_runs(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    functions::load_function(&engine.db, id).await?;
    ok(json!({ "runs": crate::runs::list_runs(&engine.db, id, 100).await? }))
}

pub async fn show_run(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    // TODO(roles): `true` until roles exist; then: the caller's role is admin (dumps hold
    // the wallet calls' bodies: spectators' personal data).
    let include_dumps = true;
    match crate::runs::load_run(&engine.db, id, include_dumps).await? {
        Some(run) => ok(run),
        None => Err(ApiError::not_found(format!("no run {id}")).into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    name: String,
    fields: Map<String, Value>,
}

pub async fn create_template(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<TemplateInput>,
) -> Answer {
    let organization = config::store_organization_id(&engine.db, &org).await?;
    let id = crate::template::create_template(&engine.db, organization, &input.name, &input.fields).await?;
    created(json!({ "id": id, "name": input.name.trim(), "fields": input.fields }))
}
