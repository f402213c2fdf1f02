//! Handlers of the interface API, named verb_noun.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::{ApiError, JsonBody};

use tixbridge_boxoffice::access::Access;
use tixbridge_boxoffice::access::audit::AuditEntry;

use crate::config::{self, InterfaceInput};
use crate::engine::Engine;
use crate::functions::{self, FunctionInput};
use crate::runs::RunOptions;

pub(super) type Answer = Result<(StatusCode, Json<Value>), ApiError>;

pub(super) fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, Json(value)))
}

pub(super) fn created(value: Value) -> Answer {
    Ok((StatusCode::CREATED, Json(value)))
}

/// The audit entry of a change to the interface's configuration: the fields a request sets
/// (the password only named, never its value).
fn interface_audit(access: &Access, action: &str, input: &InterfaceInput) -> AuditEntry {
    let mut fields = vec!["name", "type", "url", "login", "notificationEmails", "customParameters"];
    if input.password.is_some() {
        fields.push("password");
    }
    AuditEntry::new(access.organization_id, access.caller.actor(), action, "interface").with_fields(fields)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "Create the organization's wallet interface (one per organization, in the inventory owner)",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = InterfaceInput,
    responses((status = 201, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn create_interface(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<InterfaceInput>,
) -> Answer {
    let audit = interface_audit(&access, "interface.create", &input);
    let interface =
        config::create_interface(&engine.db, &engine.key, &engine.wallet_hosts, &org, input, &audit).await?;
    created(interface.public_view())
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "The interface, without its password",
    params(tixbridge_boxoffice::openapi::OrgPath),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_interface(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    ok(config::load_interface_of_org(&engine.db, &engine.key, &org).await?.public_view())
}

#[utoipa::path(
    put,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "Change the interface; an absent password keeps the stored one, unless the url or the login changes (422 naming password)",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = InterfaceInput,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn update_interface(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<InterfaceInput>,
) -> Answer {
    let audit = interface_audit(&access, "interface.update", &input);
    ok(config::update_interface(&engine.db, &engine.key, &engine.wallet_hosts, &org, input, &audit)
        .await?
        .public_view())
}

/// The audit entry of a change to a function: every field of its definition.
fn function_audit(access: &Access, action: &str, object: String) -> AuditEntry {
    AuditEntry::new(access.organization_id, access.caller.actor(), action, object).with_fields([
        "kind",
        "name",
        "launch",
        "frequencyMinutes",
        "start",
        "end",
        "active",
        "settings",
    ])
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface/functions",
    summary = "Create a function",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = FunctionInput,
    responses((status = 201, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn create_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<FunctionInput>,
) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let audit = function_audit(&access, "function.create", "function".to_owned());
    created(functions::create_function(&engine.db, &interface, input, &audit).await?.view())
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface/functions",
    summary = "The interface's functions",
    params(tixbridge_boxoffice::openapi::OrgPath),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn list_functions(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let list = functions::list_functions(&engine.db, interface.id).await?;
    ok(json!({ "functions": list.iter().map(functions::FunctionDef::view).collect::<Vec<_>>() }))
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/functions/{id}",
    summary = "One function",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_function(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    ok(functions::load_function(&engine.db, id).await?.view())
}

#[utoipa::path(
    put,
    path = "/api/boxoffice/functions/{id}",
    summary = "Change a function",
    params(("id" = i64, Path)),
    request_body = FunctionInput,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn update_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<FunctionInput>,
) -> Answer {
    let current = functions::load_function(&engine.db, id).await?;
    let interface = config::load_interface(&engine.db, &engine.key, current.interface_id).await?;
    let audit = function_audit(&access, "function.update", format!("function {id}"));
    ok(functions::update_function(&engine.db, &interface, id, input, &audit).await?.view())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunRequest {
    /// Admins only. Process this file as if the wallet had returned it, else refuse it whole
    /// (422): feedback, a diff page naming only tickets this organization injected; pushes, a
    /// batch answer naming only tickets the function would select.
    file_to_upload: Option<String>,
    /// Injection and privileges: `true` makes this run a simulation — what would be sent is
    /// selected, built, checked and kept as the run's dump; nothing is sent or printed.
    #[serde(default)]
    simulate: bool,
}

#[derive(Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// `true` (default): answer 200 with the run's summary once it has ended. `false`: answer
    /// 202 with the run's id as soon as it has started, and a `Location` to poll. Either way
    /// the run finishes, whatever becomes of the caller's connection.
    #[param(value_type = Option<bool>)]
    wait: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/functions/{id}/runs",
    summary = "Run the function now: 200 with the summary once it ended, or with wait=false 202 with the run's id and a Location to poll (409 while it runs; 403 naming fileToUpload when the caller may not upload files)",
    params(("id" = i64, Path), RunQuery),
    request_body = RunRequest,
    responses((status = 200, description = "the run ended", body = serde_json::Value), (status = 202, description = "the run started; GET the Location for its progress", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn run_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<tixbridge_domain::FunctionId>,
    Query(pairs): Query<Vec<(String, String)>>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let mut query = RunQuery::default();
    for (key, value) in pairs {
        match key.as_str() {
            "wait" => query.wait = Some(value),
            _ => return Err(ApiError::bad_request(key, "unknown query parameter (only wait)")),
        }
    }
    let wait = match query.wait.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(ApiError::bad_request("wait", "wait must be true or false")),
    };
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        tixbridge_web::parse_json::<Option<RunRequest>>(&body)?.unwrap_or_default()
    };
    if !wait && request.file_to_upload.is_some() {
        // a refused file leaves no run to poll: its 422 comes with the answer
        return Err(ApiError::bad_request("wait", "wait=false cannot be combined with fileToUpload"));
    }
    // a file stands in for the wallet's answer: only an admin may put words in its mouth
    let options = RunOptions { file: request.file_to_upload, simulate: request.simulate, ..Default::default() };
    let started = engine.start_manual(id, options, access.caller.is_admin()).await?;
    if !wait {
        let location = format!("/api/boxoffice/runs/{}", started.run_id);
        let view = json!({ "runId": started.run_id, "functionId": started.function_id, "result": "RUNNING" });
        return Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(view)).into_response());
    }
    // the run is the server's: a caller that goes away stops waiting, the run goes on
    let summary = started.finished().await?;
    Ok((StatusCode::OK, Json(serde_json::to_value(summary).unwrap_or_default())).into_response())
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/functions/{id}/runs",
    summary = "The function's latest runs",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn list_runs(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    functions::load_function(&engine.db, id).await?;
    ok(json!({ "runs": crate::runs::list_runs(&engine.db, id, 100).await? }))
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/runs/{id}",
    summary = "One run with its per-ticket log lines and, for admins, its dump",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_run(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
) -> Answer {
    // dumped calls hold what was sent to and answered by the wallet: admins only
    match crate::runs::load_run(&engine.db, id, access.caller.is_admin()).await? {
        Some(run) => ok(run),
        None => Err(ApiError::not_found(format!("no run {id}"))),
    }
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface/wallet-check",
    summary = "Whether the interface's wallet answers with its credentials: one read of the wallet's feed (nothing changed on either side)",
    params(tixbridge_boxoffice::openapi::OrgPath),
    responses((status = 200, description = "`reachable`, and when not the `reason` in plain words", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn check_wallet(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let reason = match config::check_url(&interface.url, &engine.wallet_hosts) {
        Err(refused) => Some(refused.to_string()),
        Ok(_) => {
            let client = engine.wallet_client(&interface, crate::dump::CallDump::new(None));
            client.diff("", 1).await.err().map(|err| err.to_string())
        }
    };
    ok(json!({ "reachable": reason.is_none(), "reason": reason }))
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/runs/{id}/cancel",
    summary = "Cancel a running run: it stops before its next wallet call and ends ERROR naming who cancelled it; what it committed stays (409 naming run once it has ended)",
    params(("id" = i64, Path)),
    responses((status = 202, description = "the run will stop", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 409, description = "the run has ended", body = tixbridge_web::openapi::ErrorBody))
)]
pub async fn cancel_run(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
) -> Answer {
    if !crate::runs::request_cancel(&engine.db, id, &access.caller.actor()).await? {
        return Err(ApiError::conflict("run", format!("run {id} is not running")));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "runId": id, "cancelRequested": true }))))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReconcileInput {
    /// The wallet event (`P12`, …), at most 256 characters; absent: every ticket of the interface.
    event: Option<String>,
    /// Send what the functions would have sent so both sides agree, as a run of the
    /// interface's RECONCILE function (409 naming repair when it has none).
    #[serde(default)]
    repair: bool,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface/reconcile",
    summary = "Compare the box office with the wallet by digest; each differing ticket with both views and the cause class; with repair, send what the functions would have sent",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = ReconcileInput,
    responses(
        (status = 200, description = "the counts (tickets checked, digest calls, tickets listed, differences by class), each differing ticket with both views and its class (none: both sides agree), and with repair the run", body = serde_json::Value),
        (status = 404, response = tixbridge_web::openapi::NotFound),
        (status = 409, description = "repair asked, but the interface has no active RECONCILE function or it is running; `field` says which", body = tixbridge_web::openapi::ErrorBody),
        (status = 422, response = tixbridge_web::openapi::BadRequest),
        (status = 502, description = "the wallet could not be asked (unreachable, refused credentials, not the wallet's answer)", body = tixbridge_web::openapi::ErrorBody)
    )
)]
pub async fn reconcile_interface(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    body: axum::body::Bytes,
) -> Answer {
    let input: ReconcileInput = if body.iter().all(u8::is_ascii_whitespace) {
        ReconcileInput::default()
    } else {
        tixbridge_web::parse_json::<Option<ReconcileInput>>(&body)?.unwrap_or_default()
    };
    let request = crate::runs::ReconcileRequest { event: input.event, repair: input.repair };
    let report = crate::reconcile::reconcile(&engine, &org, request).await?;
    ok(serde_json::to_value(report).unwrap_or_default())
}
